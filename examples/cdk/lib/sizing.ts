// Memory and timeout of the thumbnail Lambda, from measurements (README "Sizing" has the commands):
//
// One avatar job (512×512 cover, JPEG q80) on ONE x86 core of the dev machine, thumbsmith CLI:
//   14.7 MP JPEG (4–5 MB, corpus volna/flow)   0.27–0.36 s, peak RSS 138 MB
//   50 MP JPEG (6.9 MB, the handler's MAX_INPUT_PIXELS)  0.29 s, peak RSS 208 MB
//   50 MP RGBA PNG (1.4 MB, the worst case inside the limits)  0.34–0.44 s, peak RSS 408 MB
//
// The same jobs through the flow handler's makeAvatar (Node binding, one core, libuv pool of 1;
// machine loaded by other builds, load average ~4.5 on 2 cores), warm median of 5, peak RSS of
// the whole Node process:
//   14.7 MP JPEG 0.41 s, 201 MB · 50 MP JPEG 0.39 s, 309 MB · 50 MP RGBA PNG 0.33 s, 453 MB
//   (interleaved with the CLI under the same load: 0.62–0.79 s vs 0.61–0.66 s, so the binding
//   adds little; the spread is the machine's load)
//
// - Memory: the worst accepted input peaks at 453 MB for the whole Node process (the SDK and
//   the 10 MB input buffer come on top on Lambda). 1024 MB leaves 2× headroom. Lambda gives a full vCPU only
//   at 1769 MB, but the job is single-threaded and billed per GB-s: below one vCPU the CPU-bound
//   part costs the same at any size (half the memory, about twice the time), while the S3 and
//   webhook waits are cheaper at 1024 MB. Expect ~0.5–0.8 s for a 12 MP photo on Graviton at
//   1024 MB (0.58 vCPU, assuming up to 1.5× the per-core time of the dev machine).
// - Timeout: the worst case is ~1.5 s of pipeline + reading 10 MB from S3 + the webhook, which
//   the handler aborts after 10 s. 30 s covers all of that with margin; a cold start's init
//   (loading the addon, one SSM call) runs in Lambda's separate init phase.
export const THUMBNAIL_SIZING = { memoryMb: 1024, timeoutSeconds: 30 } as const;
