// A control of `npm run bench` (bench/ingest.mjs, worker `footfall-ack`): footfall's worker as deployed
// (collector, bindings, [assets]) whose queue consumer only acknowledges. Against `footfall` it isolates
// what the real consumer (edge/consumer.ts: Parquet encoding, R2 puts) costs the local stack per request;
// against `platform+assets` what footfall's collector costs beyond the platform's calls.
import worker from '../../edge/index.ts'
import type { Env, LakeMessage } from '../../edge/env.ts'

const ackOnly: ExportedHandler<Env, LakeMessage> = {
  ...worker,
  async queue(batch) {
    batch.ackAll()
  },
}
export default ackOnly
