// Controls of `npm run bench` (bench/ingest.mjs): footfall's worker as deployed (collector, bindings,
// [assets]) with a queue consumer reduced to a part of what edge/consumer.ts does, chosen by the
// BENCH_CONSUMER var, to price each part of the real consumer in the local stack:
//   (unset)  footfall-ack     acknowledges only: footfall - footfall-ack is the whole consumer;
//   encode   footfall-encode  encodes the batch's events as the consumer does (writeEvents), writes nothing;
//   put      footfall-put     writes one part-sized object (17 KB) to R2 per batch, encodes nothing.
// Against `platform+assets`, footfall-ack is what footfall's collector costs beyond the platform's calls.
import worker from '../../edge/index.ts'
import type { Env, LakeMessage } from '../../edge/env.ts'
import { writeEvents } from '../../warehouse/parquet.ts'

const PART = new Uint8Array(17_000).map((_, i) => (i * 7919) % 251)

const control: ExportedHandler<Env & { BENCH_CONSUMER?: string }, LakeMessage> = {
  ...worker,
  async queue(batch, env) {
    if (env.BENCH_CONSUMER === 'encode') writeEvents(batch.messages.flatMap((m) => ('events' in m.body ? m.body.events : [])))
    if (env.BENCH_CONSUMER === 'put') await env.LAKE.put(`bench/${crypto.randomUUID()}.parquet`, PART)
    batch.ackAll()
  },
}
export default control
