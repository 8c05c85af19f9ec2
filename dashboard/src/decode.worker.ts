/**
 * Decodes lake files off the main thread (and beside DuckDB's own worker): `{ id, file, columns }` in,
 * `{ id, ipc }` or `{ id, error }` out, the buffers transferred, not copied.
 */
import { parquetToArrowIPC, SHAPES, type Shape } from './decode.ts'

addEventListener('message', async (e: MessageEvent<{ id: number; file: ArrayBuffer; shape: Shape }>) => {
  const { id, file, shape } = e.data
  try {
    const ipc = await parquetToArrowIPC(file, SHAPES[shape])
    postMessage({ id, ipc }, { transfer: [ipc.buffer] })
  } catch (err) {
    postMessage({ id, error: (err as Error).message })
  }
})
