import type { Build, Input, Loaded, Metadata, Options, ProcessResult, RenderResult, ErrorCode, WasmSource } from './index.js';

/** What `init`'s `wasm` option takes, less a Response (it cannot be posted to a worker). */
type PostableSource = Exclude<WasmSource, Response | PromiseLike<Response>>;

/** thumbsmith-wasm in a module Web Worker: the calls of `index.js`, answered with promises. */
export class ThumbsmithWorker {
  constructor(options?: {
    build?: Build;
    /** The .wasm from elsewhere, as `init({ wasm })`; relative URLs are resolved against the page. */
    wasm?: PostableSource | { simd?: PostableSource; baseline?: PostableSource };
    workerUrl?: string | URL;
  });
  /** Resolves once the .wasm is compiled and instantiated in the worker. */
  readonly ready: Promise<Loaded>;
  process(bytes: Input, options?: Options | null): Promise<ProcessResult>;
  render(bytes: Input, options?: Options | null): Promise<RenderResult>;
  metadata(bytes: Input): Promise<Metadata>;
  defaults(): Promise<Required<Options>>;
  errorCodes(): Promise<ErrorCode[]>;
  /** Stops the worker; calls still pending reject. */
  terminate(): void;
}
