/** Reads the lake of a running stack through its own API, into native DuckDB. */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LakeFile } from '../../warehouse/lake.ts'
import { NativeLake } from '../../warehouse/native.ts'
import type { Stack } from './stack.ts'

/** A file of `/api/files`. */
export type ListedFile = LakeFile

export async function listFiles(
  stack: Stack,
  site = 'demo',
  from = Date.now() - 86_400_000,
  to = Date.now() + 60_000,
): Promise<ListedFile[]> {
  const res = await fetch(`${stack.url}/api/files?site=${site}&from=${from}&to=${to}`, {
    headers: { Authorization: `Bearer ${stack.token}` },
  })
  if (!res.ok) throw new Error(`/api/files: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { files: ListedFile[] }).files
}

/** Downloads every listed file and loads it into a fresh native DuckDB. Returns the lake and the local paths. */
export async function downloadLake(stack: Stack, files: ListedFile[]): Promise<{ lake: NativeLake; paths: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'footfall-lake-'))
  const paths: string[] = []
  for (const [i, f] of files.entries()) {
    const res = await fetch(stack.url + f.url, { headers: { Authorization: `Bearer ${stack.token}` } })
    if (!res.ok) throw new Error(`${f.url}: ${res.status}`)
    const path = join(dir, `${i}.parquet`)
    await writeFile(path, new Uint8Array(await res.arrayBuffer()))
    paths.push(path)
  }
  const lake = await NativeLake.open()
  await lake.load(paths)
  return { lake, paths }
}
