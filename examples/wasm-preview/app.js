// The avatar preview: choose a file → upright preview → drag/zoom a square crop → live 512×512
// avatar and its JPEG size. Every pixel is computed by thumbsmith in a Web Worker; this thread
// only reads the file, draws the crop square and puts the worker's results on canvases.
//
// The avatar options ({width: 512, height: 512, crop}) are exactly what a server would run on the
// original upload to make the same bytes: send `crop` along with the photo.
import { ThumbsmithWorker } from '../../bindings-wasm/pkg/worker-client.js';

const PREVIEW_SIZE = 480; // the upright preview fits in this square (CSS pixels)
const AVATAR_SIZE = 512;
const MIN_CROP = 16; // upright pixels

const $ = (id) => document.getElementById(id);
const thumbsmith = new ThumbsmithWorker();
const state = {
  bytes: null, // the chosen file, as uploaded
  meta: null, // its header: orientedWidth/Height are the upright size
  scale: 1, // preview pixels per upright pixel
  crop: null, // {left, top, width, height} in upright pixels
  job: null, // the avatar job running in the worker, if any
  wanted: null, // the crop the avatar should show (newest wins)
  generation: 0, // bumped per file, so late results of an old file are dropped
};

thumbsmith.ready.then(
  ({ build, compileMs, instantiateMs, warmUpMs }) => {
    $('engine').textContent = `thumbsmith ${build} build: compiled in ${compileMs.toFixed(0)} ms, instantiated in ${instantiateMs.toFixed(0)} ms, warmed up in ${warmUpMs.toFixed(0)} ms (in a Web Worker).`;
    $('engine').dataset.state = 'ready';
    $('engine').dataset.build = build;
    $('file').disabled = false;
  },
  (error) => {
    $('engine').textContent = `thumbsmith could not load: ${error.message}`;
    $('engine').dataset.state = 'error';
  },
);

function showError(error) {
  $('error').hidden = false;
  $('error').textContent = error.message;
  $('error').dataset.code = error.code ?? '';
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
  delete $('error').dataset.code;
}

// ----- 1. a file → its header → the upright preview -----
$('file').addEventListener('change', async () => {
  const file = $('file').files[0];
  if (!file) return;
  const generation = ++state.generation;
  clearError();
  document.body.dataset.phase = 'loading';
  $('zoom').disabled = true;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    // The bytes say what the file is and how it is oriented, not its name or type.
    const meta = await thumbsmith.metadata(bytes);
    const started = performance.now();
    const preview = await thumbsmith.render(bytes, { width: PREVIEW_SIZE, height: PREVIEW_SIZE, fit: 'inside' });
    if (generation !== state.generation) return;
    drawPreview(preview);
    $('photo').dataset.ms = (performance.now() - started).toFixed(1);
    Object.assign(state, { bytes, meta, scale: preview.width / meta.orientedWidth });
    // The largest centred square to start with.
    const side = Math.min(meta.orientedWidth, meta.orientedHeight);
    state.crop = clampCrop({ left: (meta.orientedWidth - side) / 2, top: (meta.orientedHeight - side) / 2, width: side });
    $('source-info').textContent =
      `${meta.format.toUpperCase()} ${meta.width}×${meta.height}, EXIF orientation ${meta.orientation}: ` +
      `upright ${meta.orientedWidth}×${meta.orientedHeight}` +
      (meta.hasGps ? ', has a GPS position (the avatar will not)' : '') +
      ` · preview in ${(performance.now() - started).toFixed(0)} ms`;
    $('zoom').value = 100;
    $('zoom').disabled = false;
    document.body.dataset.phase = 'cropping';
    cropChanged();
  } catch (error) {
    if (generation !== state.generation) return;
    Object.assign(state, { bytes: null, meta: null, crop: null, wanted: null });
    for (const canvas of [$('photo'), $('overlay')]) canvas.width = canvas.height = 0;
    $('source-info').textContent = '';
    showError(error);
    document.body.dataset.phase = 'error';
  }
});

function drawPreview({ data, width, height }) {
  for (const canvas of [$('photo'), $('overlay')]) {
    canvas.width = width;
    canvas.height = height;
  }
  $('photo').getContext('2d').putImageData(new ImageData(data, width, height), 0, 0);
}

// ----- 2. the crop square -----
function clampCrop({ left, top, width }) {
  const { orientedWidth: w, orientedHeight: h } = state.meta;
  const size = Math.round(Math.min(Math.max(width, Math.min(MIN_CROP, w, h)), w, h));
  return {
    left: Math.round(Math.min(Math.max(0, left), w - size)),
    top: Math.round(Math.min(Math.max(0, top), h - size)),
    width: size,
    height: size,
  };
}

function drawOverlay() {
  const canvas = $('overlay');
  const ctx = canvas.getContext('2d');
  const { crop, scale } = state;
  const box = [crop.left * scale, crop.top * scale, crop.width * scale, crop.height * scale];
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = 'rgba(0, 0, 0, 0.5)';
  ctx.beginPath();
  ctx.rect(0, 0, canvas.width, canvas.height);
  ctx.rect(...box);
  ctx.fill('evenodd');
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 2;
  ctx.strokeRect(...box);
  canvas.dataset.crop = JSON.stringify(crop);
}

function cropChanged() {
  drawOverlay();
  requestAvatar(state.crop);
}

/** Upright pixels per CSS pixel of the overlay as shown. */
function uprightPerCssPixel() {
  return $('overlay').width / $('overlay').getBoundingClientRect().width / state.scale;
}

let drag = null;
$('overlay').addEventListener('pointerdown', (event) => {
  if (!state.crop) return;
  $('overlay').setPointerCapture(event.pointerId);
  drag = { x: event.clientX, y: event.clientY, crop: state.crop };
});
$('overlay').addEventListener('pointermove', (event) => {
  if (!drag) return;
  const k = uprightPerCssPixel();
  state.crop = clampCrop({
    ...drag.crop,
    left: drag.crop.left + (event.clientX - drag.x) * k,
    top: drag.crop.top + (event.clientY - drag.y) * k,
  });
  cropChanged();
});
for (const end of ['pointerup', 'pointercancel']) $('overlay').addEventListener(end, () => (drag = null));

function zoomTo(size) {
  const { crop } = state;
  const centre = { x: crop.left + crop.width / 2, y: crop.top + crop.height / 2 };
  state.crop = clampCrop({ left: centre.x - size / 2, top: centre.y - size / 2, width: size });
  cropChanged();
}

$('zoom').addEventListener('input', () => {
  if (!state.crop) return;
  const { orientedWidth: w, orientedHeight: h } = state.meta;
  zoomTo((Math.min(w, h) * Number($('zoom').value)) / 100);
});
$('overlay').addEventListener(
  'wheel',
  (event) => {
    if (!state.crop) return;
    event.preventDefault();
    zoomTo(state.crop.width * Math.exp(event.deltaY / 500));
    const { orientedWidth: w, orientedHeight: h } = state.meta;
    $('zoom').value = Math.round((100 * state.crop.width) / Math.min(w, h));
  },
  { passive: false },
);

// ----- 3. the avatar, in the worker: one job at a time, the newest crop wins -----
function requestAvatar(crop) {
  state.wanted = crop;
  if (!state.job) state.job = runAvatarJobs();
}

async function runAvatarJobs() {
  try {
    while (state.wanted) {
      const crop = state.wanted;
      const { bytes, generation } = state;
      state.wanted = null;
      const started = performance.now();
      try {
        const avatar = await thumbsmith.process(bytes, { width: AVATAR_SIZE, height: AVATAR_SIZE, crop });
        if (generation !== state.generation) continue;
        await showAvatar(avatar, crop, performance.now() - started);
      } catch (error) {
        if (generation === state.generation) showError(error);
      }
    }
  } finally {
    state.job = null;
  }
}

async function showAvatar(avatar, crop, ms) {
  // The JPEG itself, decoded by the browser: these are the bytes a server would store.
  const bitmap = await createImageBitmap(new Blob([avatar.data], { type: 'image/jpeg' }));
  const canvas = $('avatar');
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', avatar.data));
  canvas.dataset.sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  canvas.dataset.crop = JSON.stringify(crop);
  canvas.dataset.bytes = avatar.data.length;
  canvas.dataset.ms = ms.toFixed(1);
  $('avatar-info').textContent =
    `${avatar.width}×${avatar.height} JPEG, ${(avatar.data.length / 1024).toFixed(1)} KB, ` +
    `from the ${crop.width}×${crop.height} square at (${crop.left}, ${crop.top}) · ${ms.toFixed(0)} ms in the worker`;
  document.body.dataset.phase = 'ready';
}
