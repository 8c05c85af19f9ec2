/**
 * The generator's command line (run through cli.mjs):
 *
 *   live      --url http://127.0.0.1:8787 --visitors 50 [--concurrency 10] [--speed 20] [--seed s]
 *   backfill  --days 15 --events-per-day 2000 [--end YYYY-MM-DD] [--seed s]
 *             (--persist-to .wrangler/state | --out DIR)
 *   replay    FILE.csv --url http://127.0.0.1:8787 [--keep-timing | --delay 200] [--key API_KEY]
 */
import { parseArgs } from 'node:util'
import { backfill } from './backfill.ts'
import { live } from './live.ts'
import { replay } from './replay.ts'
import { bucketSink, dirSink, r2Sink } from './sink.ts'

export { backfill, live, replay, bucketSink, dirSink, r2Sink }

const HELP = `Footfall traffic generator: a simulated tea shop's visitors.

  npm run generate -- live --url http://127.0.0.1:8787 [--visitors 50] [--concurrency 10] [--speed 20] [--seed demo]
      Visitors browse the demo shop through POST /e of a running stack (real validation and enrichment).
      --speed divides the time between a visitor's events (think time); --forever keeps visitors coming.

  npm run generate -- backfill [--days 15] [--events-per-day 2000] [--end YYYY-MM-DD] [--seed demo]
                               [--persist-to .wrangler/state | --out DIR]
      Writes Parquet files straight into the lake: the local stack's R2 (default .wrangler/state, the one
      npm start uses; stop the stack first) or a directory.

  npm run generate -- replay FILE.csv --url http://127.0.0.1:8787 [--keep-timing | --delay 200] [--key KEY]
      Replays a CSV (columns: README.md, "Demo shop and traffic generator") through POST /e. --keep-timing waits the
      original gaps (clamped to 0-10 s); otherwise a fixed --delay in ms. With the site's API key (--key)
      events keep their original timestamps, IPs and user agents as server-side events.`

export async function main(argv: string[]): Promise<number> {
  const { values: o, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      url: { type: 'string', default: 'http://127.0.0.1:8787' },
      site: { type: 'string', default: 'demo' },
      seed: { type: 'string', default: 'demo' },
      visitors: { type: 'string', default: '50' },
      concurrency: { type: 'string', default: '10' },
      speed: { type: 'string', default: '20' },
      forever: { type: 'boolean' },
      days: { type: 'string', default: '15' },
      'events-per-day': { type: 'string', default: '2000' },
      end: { type: 'string' },
      'persist-to': { type: 'string' },
      out: { type: 'string' },
      'keep-timing': { type: 'boolean' },
      delay: { type: 'string', default: '200' },
      key: { type: 'string' },
    },
  })
  const [command, file] = positionals
  if (o.help || !command) {
    console.log(HELP)
    return o.help ? 0 : 1
  }
  switch (command) {
    case 'backfill': {
      const sink = o.out ? dirSink(o.out) : await r2Sink(o['persist-to'] ?? '.wrangler/state')
      try {
        await backfill({ sink, days: Number(o.days), eventsPerDay: Number(o['events-per-day']), end: o.end, seed: o.seed, site: o.site })
      } finally {
        await sink.close()
      }
      return 0
    }
    case 'live': {
      const stop = new AbortController()
      process.once('SIGINT', () => stop.abort())
      const r = await live({
        url: o.url,
        site: o.site,
        seed: o.seed,
        visitors: o.forever ? Infinity : Number(o.visitors),
        concurrency: Number(o.concurrency),
        speed: Number(o.speed),
        signal: stop.signal,
      })
      return r.rejected === 0 && r.failed === 0 ? 0 : 1
    }
    case 'replay': {
      if (!file) throw new Error('replay needs a CSV file')
      const r = await replay({
        file,
        url: o.url,
        site: o.site,
        keepTiming: o['keep-timing'] === true,
        delayMs: Number(o.delay),
        key: o.key,
      })
      return r.rejected === 0 && r.failed === 0 ? 0 : 1
    }
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`)
      return 1
  }
}
