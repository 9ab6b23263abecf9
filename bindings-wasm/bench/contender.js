// One contender of `make bench-browser` in a module Worker (scripts/bench-browser.mjs drives it):
// the avatar job — decode, EXIF orientation, 512×512 centre cover crop, JPEG q80 — done the
// contender's way. The worker's name picks the contender:
//   thumbsmith | thumbsmith-marks | thumbsmith-warmed | canvas-bitmap | canvas-draw | pica | jsquash
//   → {op: 'init'} ← {ms}    → {op: 'job', bytes, type} ← {ms, size, stages?}
const SIZE = 512;
const QUALITY = 0.8;
const contender = self.name;

/** The centre square of a `width`×`height` picture, as the avatar job's cover crop takes it. */
function cover(width, height) {
  const scale = Math.max(SIZE / width, SIZE / height);
  const [w, h] = [SIZE / scale, SIZE / scale];
  return [(width - w) / 2, (height - h) / 2, w, h];
}

async function canvasJpeg(canvas) {
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: QUALITY });
  return new Uint8Array(await blob.arrayBuffer());
}

const JOBS = {
  async thumbsmith() {
    const thumbsmith = await import('../pkg/index.js');
    await thumbsmith.default({ build: 'simd' });
    return (bytes) => thumbsmith.process(bytes, { width: SIZE, height: SIZE }).data;
  },
  async 'thumbsmith-marks'() {
    const thumbsmith = await import('../build/pkg-marks/index.js');
    await thumbsmith.default({ build: 'simd' });
    return (bytes) => thumbsmith.process(bytes, { width: SIZE, height: SIZE }).data;
  },
  // Cold start as the package's worker.js has it: init, then the core's warm-up job.
  async 'thumbsmith-warmed'() {
    const thumbsmith = await import('../pkg/index.js');
    await thumbsmith.default({ build: 'simd' });
    thumbsmith.warmUp();
    return (bytes) => thumbsmith.process(bytes, { width: SIZE, height: SIZE }).data;
  },
  // The browser decodes (upright: imageOrientation 'from-image'), crops and resizes in one
  // createImageBitmap, then draws and encodes.
  async 'canvas-bitmap'() {
    return async (bytes, type) => {
      const whole = await createImageBitmap(new Blob([bytes], { type }));
      const [x, y, w, h] = cover(whole.width, whole.height);
      const small = await createImageBitmap(whole, x, y, w, h, {
        resizeWidth: SIZE,
        resizeHeight: SIZE,
        resizeQuality: 'high',
      });
      whole.close();
      const canvas = new OffscreenCanvas(SIZE, SIZE);
      canvas.getContext('2d').drawImage(small, 0, 0);
      small.close();
      return canvasJpeg(canvas);
    };
  },
  async 'canvas-draw'() {
    return async (bytes, type) => {
      const whole = await createImageBitmap(new Blob([bytes], { type }));
      const canvas = new OffscreenCanvas(SIZE, SIZE);
      const context = canvas.getContext('2d');
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = 'high';
      context.drawImage(whole, ...cover(whole.width, whole.height), 0, 0, SIZE, SIZE);
      whole.close();
      return canvasJpeg(canvas);
    };
  },
  // pica's lanczos3 (its wasm, no nested workers) from the browser's decode, cropped first.
  async pica() {
    const { default: Pica } = await import('../node_modules/pica/dist/pica.mjs');
    const pica = new Pica({ features: ['js', 'wasm'] });
    return async (bytes, type) => {
      const whole = await createImageBitmap(new Blob([bytes], { type }));
      const [x, y, w, h] = cover(whole.width, whole.height).map(Math.round);
      const cropped = new OffscreenCanvas(w, h);
      cropped.getContext('2d').drawImage(whole, x, y, w, h, 0, 0, w, h);
      whole.close();
      const canvas = new OffscreenCanvas(SIZE, SIZE);
      await pica.resize(cropped, canvas, { filter: 'lanczos3' });
      return canvasJpeg(canvas);
    };
  },
  // jSquash: mozjpeg / squoosh PNG decode, crop, squoosh's lanczos3 resize, mozjpeg encode. It
  // reads no EXIF, so sideways photos stay sideways.
  async jsquash() {
    const jpeg = await import('../node_modules/@jsquash/jpeg/index.js');
    const png = await import('../node_modules/@jsquash/png/index.js');
    const { default: resize } = await import('../node_modules/@jsquash/resize/index.js');
    return async (bytes, type) => {
      const image = type === 'image/png' ? await png.decode(bytes.buffer) : await jpeg.decode(bytes.buffer);
      const [x, y, w, h] = cover(image.width, image.height).map(Math.round);
      const cropped = new ImageData(w, h);
      for (let row = 0; row < h; row++) {
        const from = ((y + row) * image.width + x) * 4;
        cropped.data.set(image.data.subarray(from, from + w * 4), row * w * 4);
      }
      const small = await resize(cropped, { width: SIZE, height: SIZE, method: 'lanczos3' });
      return new Uint8Array(await jpeg.encode(small, { quality: QUALITY * 100 }));
    };
  },
};

let job;
self.addEventListener('message', async ({ data: { op, bytes, type } }) => {
  try {
    const started = performance.now();
    if (op === 'init') {
      job = await JOBS[contender]();
      self.postMessage({ ms: performance.now() - started });
      return;
    }
    performance.clearMarks();
    performance.clearMeasures();
    const out = await job(new Uint8Array(bytes), type);
    const ms = performance.now() - started;
    const stages = {};
    for (const { name, duration } of performance.getEntriesByType('measure')) {
      if (name.startsWith('thumbsmith:')) stages[name.slice(11)] = (stages[name.slice(11)] ?? 0) + duration;
    }
    self.postMessage({ ms, size: out.length, stages });
  } catch (error) {
    self.postMessage({ error: String(error?.stack ?? error) });
  }
});
