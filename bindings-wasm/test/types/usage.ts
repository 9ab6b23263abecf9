// Compiled (not run) by `make test-node`: the package's types describe how it is used.
import init, { defaults, errorCodes, loaded, metadata, process, render, type Options, type ThumbsmithError } from '../../pkg/index.js';
import { ThumbsmithWorker } from '../../pkg/worker-client.js';

export async function direct(bytes: Uint8Array): Promise<number> {
  const { build, compileMs }: { build: 'simd' | 'baseline'; compileMs: number } = await init({ build: 'baseline' });
  const options: Options = {
    width: 512,
    height: 512,
    crop: { left: 0, top: 0, width: 100, height: 100 },
    position: { x: 0.5, y: 0.3 },
    background: [255, 255, 255, 0.5 * 255],
    chromaSubsampling: '4:4:4',
  };
  const avatar = process(bytes, options);
  const data: Uint8Array = avatar.data;
  const served: [string, number] = [avatar.mimeType, avatar.size];
  const hash: Uint8Array | null = avatar.thumbhash;
  const pixels: Uint8ClampedArray = render(bytes.buffer as ArrayBuffer, { fit: 'inside' }).data;
  const upright: number = metadata(bytes).orientedWidth;
  const quality: number = defaults().quality;
  const codes: string[] = errorCodes();
  try {
    process(bytes, null);
  } catch (error) {
    const code: string = (error as ThumbsmithError).code;
    void code;
  }
  void build, compileMs, pixels, quality, codes, served, hash;
  return data.length + upright + avatar.crop.left + (avatar.contentHash?.length ?? 0);
}

export async function inWorker(bytes: Uint8Array): Promise<ImageData> {
  const thumbsmith = new ThumbsmithWorker({ build: 'simd' });
  const { simd }: { simd: boolean } = await thumbsmith.ready;
  const preview = await thumbsmith.render(bytes, { width: 480, height: 480, fit: 'inside' });
  const avatar = await thumbsmith.process(bytes, { width: 512, height: 512 });
  thumbsmith.terminate();
  void simd, avatar.data.byteLength;
  return new ImageData(preview.data, preview.width, preview.height);
}

/** The .wasm from elsewhere (a CDN, a bundler's URL), per build or for the one chosen. */
export async function fromElsewhere(bytes: Uint8Array, module: WebAssembly.Module): Promise<number> {
  await init({ wasm: { simd: new URL('https://cdn.example/simd.wasm'), baseline: fetch('/baseline.wasm') } });
  await init({ build: 'simd', wasm: module });
  await init({ wasm: bytes });
  const live = loaded();
  return live ? live.instance + live.memory.buffer.byteLength : 0;
}
