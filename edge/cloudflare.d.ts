// Types of `cloudflare:workers`' `env` and `exports` for this worker (used by the worker tests).
import type { Env as FootfallEnv } from './env.ts'

declare global {
  namespace Cloudflare {
    interface Env extends FootfallEnv {}
    interface GlobalProps {
      mainModule: typeof import('./index.ts')
    }
  }
}
