// ESM entry: the same module as index.js (one native load, one chain), with named exports.
import { createRequire } from 'node:module'

const thumbsmith = createRequire(import.meta.url)('./index.js')

export default thumbsmith
export const {
  Thumbsmith,
  process,
  metadata,
  defaults,
  codes,
  fit,
  gravity,
  position,
  strategy,
  kernel,
  format,
  versions,
  cache,
  concurrency,
  counters,
  queue,
  simd,
} = thumbsmith
export { thumbsmith }
