export const LOCAL_VARS: Record<string, string>
export function freePort(): Promise<number>
export function waitFor(check: () => Promise<boolean>, ms: number, abort?: () => boolean): Promise<void>
export function startWranglerDev(o: {
  port: number
  persistTo: string
  config?: string
  vars?: Record<string, string>
  cfPath?: string
  logs?: boolean
}): Promise<{ url: string; logs: () => string; stop: () => Promise<void>; kill: () => Promise<void> }>
