// The avatar flow in the browser: dev login → pick → upright preview and square crop with
// thumbsmith's wasm build → presigned POST straight to the uploads bucket → wait for the handler
// → show the avatar from the CDN. The crop travels with the upload (signed into the presigned
// POST), so the handler makes from the original photo exactly the image previewed here.
// thumbsmith's wasm build runs in a Web Worker (bindings-wasm/pkg, served at /wasm/), so the
// page stays responsive while a 12-megapixel photo is decoded.
import { ThumbsmithWorker } from '/wasm/worker-client.js';

const $ = (id) => document.getElementById(id);
const PREVIEW_WIDTH = 480;
const AVATAR_SIZE = 512;

const state = { token: null, user: null, bytes: null, meta: null, crop: null, base: null, scale: 1 };
const thumbsmith = new ThumbsmithWorker();

function setStatus(text, { error = false } = {}) {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
}

function setPhase(phase) {
  document.body.dataset.phase = phase;
}

async function api(path, { method = 'GET', body } = {}) {
  const response = await fetch(path, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(state.token ? { authorization: `Bearer ${state.token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${json.error ?? ''}`);
  return json;
}

// ----- 1. log in -----
$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const { token, user } = await api('/api/dev/login', { method: 'POST', body: { user: $('user').value } });
    Object.assign(state, { token, user });
    $('whoami').textContent = `Logged in as ${user}.`;
    $('file').disabled = false;
    setPhase('logged-in');
    await showCurrentAvatar();
  } catch (err) {
    setStatus(err.message, { error: true });
  }
});

// ----- 2. pick and crop -----
$('file').addEventListener('change', async () => {
  const file = $('file').files[0];
  if (!file) return;
  try {
    await thumbsmith.ready;
    const bytes = new Uint8Array(await file.arrayBuffer());
    // The bytes say what the file is (and how it is oriented), not its name or type.
    const meta = await thumbsmith.metadata(bytes);
    // The upright, sRGB photo at preview size, from the same pipeline the handler runs.
    const rendered = await thumbsmith.render(bytes, { width: Math.min(PREVIEW_WIDTH, meta.orientedWidth) });
    const canvas = $('source');
    canvas.width = rendered.width;
    canvas.height = rendered.height;
    const base = await createImageBitmap(new ImageData(rendered.data, rendered.width, rendered.height));
    const side = Math.min(meta.orientedWidth, meta.orientedHeight);
    Object.assign(state, {
      bytes,
      meta,
      base,
      scale: rendered.width / meta.orientedWidth,
      crop: {
        left: Math.floor((meta.orientedWidth - side) / 2),
        top: Math.floor((meta.orientedHeight - side) / 2),
        width: side,
        height: side,
      },
    });
    $('crop-size').disabled = false;
    $('crop-size').value = 100;
    $('upload').disabled = false;
    setStatus(`${meta.format.toUpperCase()} ${meta.width}×${meta.height}, EXIF orientation ${meta.orientation}: shown ${meta.orientedWidth}×${meta.orientedHeight}.`);
    cropChanged();
  } catch (err) {
    $('upload').disabled = true;
    setStatus(`Cannot use this file: ${err.message}`, { error: true });
  }
});

function clampCrop(crop) {
  const { orientedWidth: w, orientedHeight: h } = state.meta;
  const size = Math.max(1, Math.min(crop.width, w, h));
  return {
    left: Math.round(Math.min(Math.max(0, crop.left), w - size)),
    top: Math.round(Math.min(Math.max(0, crop.top), h - size)),
    width: Math.round(size),
    height: Math.round(size),
  };
}

function drawCrop() {
  const canvas = $('source');
  const ctx = canvas.getContext('2d');
  const { crop, scale } = state;
  ctx.drawImage(state.base, 0, 0);
  ctx.save();
  ctx.fillStyle = 'rgba(0, 0, 0, 0.45)';
  ctx.beginPath();
  ctx.rect(0, 0, canvas.width, canvas.height);
  ctx.rect(crop.left * scale, crop.top * scale, crop.width * scale, crop.height * scale);
  ctx.fill('evenodd');
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 2;
  ctx.strokeRect(crop.left * scale, crop.top * scale, crop.width * scale, crop.height * scale);
  ctx.restore();
  canvas.dataset.crop = JSON.stringify(crop);
  $('crop-info').textContent = `Crop ${crop.width}×${crop.height} at (${crop.left}, ${crop.top}) of the upright photo. Drag the square to move it.`;
}

let previewTimer;
function cropChanged() {
  drawCrop();
  clearTimeout(previewTimer);
  previewTimer = setTimeout(makePreview, 120);
}

async function makePreview() {
  const crop = state.crop;
  let result;
  try {
    result = await thumbsmith.process(state.bytes, { crop, width: AVATAR_SIZE, height: AVATAR_SIZE, contentHash: true });
  } catch (err) {
    setStatus(`Cannot preview: ${err.message}`, { error: true });
    return;
  }
  if (crop !== state.crop) return; // the crop moved on meanwhile
  const preview = $('preview');
  URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(new Blob([result.data], { type: 'image/jpeg' }));
  // The handler names the avatar by this hash: equal hashes mean equal bytes.
  preview.dataset.contentHash = result.contentHash;
  preview.dataset.crop = JSON.stringify(crop);
}

$('crop-size').addEventListener('input', () => {
  const { orientedWidth: w, orientedHeight: h } = state.meta;
  const size = Math.max(16, Math.round((Math.min(w, h) * Number($('crop-size').value)) / 100));
  const centre = { x: state.crop.left + state.crop.width / 2, y: state.crop.top + state.crop.height / 2 };
  state.crop = clampCrop({ left: centre.x - size / 2, top: centre.y - size / 2, width: size, height: size });
  cropChanged();
});

let drag = null;
$('source').addEventListener('pointerdown', (event) => {
  if (!state.crop) return;
  $('source').setPointerCapture(event.pointerId);
  drag = { x: event.clientX, y: event.clientY, crop: state.crop };
});
$('source').addEventListener('pointermove', (event) => {
  if (!drag) return;
  // Canvas pixels → CSS pixels (the canvas may be shown smaller) → upright photo pixels.
  const css = $('source').getBoundingClientRect().width / $('source').width;
  const dx = (event.clientX - drag.x) / css / state.scale;
  const dy = (event.clientY - drag.y) / css / state.scale;
  state.crop = clampCrop({ ...drag.crop, left: drag.crop.left + dx, top: drag.crop.top + dy });
  cropChanged();
});
for (const end of ['pointerup', 'pointercancel']) $('source').addEventListener(end, () => (drag = null));

// ----- 3. upload -----
$('upload').addEventListener('click', async () => {
  $('upload').disabled = true;
  const timings = [];
  const step = async (name, work) => {
    const started = performance.now();
    const result = await work();
    timings.push({ name, ms: Math.round(performance.now() - started) });
    $('timings').innerHTML = timings.map((t) => `<li>${t.name}: ${t.ms} ms</li>`).join('');
    return result;
  };
  try {
    setPhase('uploading');
    const contentType = `image/${state.meta.format}`;
    const presigned = await step('presigned POST from the backend', () =>
      api('/api/avatars/key_upload', { method: 'POST', body: { content_type: contentType, crop: state.crop } }),
    );
    await step('upload straight to S3', async () => {
      const form = new FormData();
      for (const [name, value] of Object.entries(presigned.fields)) form.append(name, value);
      form.append('file', new Blob([state.bytes], { type: contentType })); // S3 wants the file last
      const response = await fetch(presigned.url, { method: 'POST', body: form });
      if (!response.ok) throw new Error(`S3 refused the upload: ${response.status} ${await response.text()}`);
    });
    setStatus('Uploaded; the thumbnail handler is working…');
    const outcome = await step('S3 event → handler → webhook', () => waitForUpload(presigned.upload_id));
    if (outcome.status !== 'ready') throw new Error(`The handler refused the photo: ${outcome.error}`);
    await step('avatar from the CDN', showCurrentAvatar);
    setStatus('Done: this is your new avatar, served by the CDN.');
    setPhase('done');
  } catch (err) {
    setStatus(err.message, { error: true });
    setPhase('failed');
  } finally {
    $('upload').disabled = false;
    window.flowTimings = timings;
  }
});

async function waitForUpload(uploadId, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const status = await api(`/api/avatars/uploads/${uploadId}`);
    if (status.status !== 'issued') return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the handler did not answer within a minute');
}

// ----- 4. the avatar from the CDN -----
async function showCurrentAvatar() {
  const profile = await api(`/api/profile/${encodeURIComponent(state.user)}`);
  const img = $('avatar');
  if (!profile.avatar_url) {
    img.hidden = true;
    return;
  }
  // `<picture>`: one immutable URL per encoding, so the CDN caches each by its path alone (no
  // Vary: Accept); the browser picks the first source whose type it shows, else the JPEG.
  const picture = $('avatar-picture');
  for (const source of picture.querySelectorAll('source')) source.remove();
  for (const { type, url } of profile.avatar_sources ?? []) {
    const source = document.createElement('source');
    source.type = type;
    source.srcset = url;
    picture.insertBefore(source, img);
  }
  await new Promise((resolve, reject) => {
    img.onload = resolve;
    img.onerror = () => reject(new Error(`the CDN did not serve ${profile.avatar_url}`));
    img.src = profile.avatar_url;
  });
  img.hidden = false;
  $('avatar-link').href = img.currentSrc;
  $('avatar-link').textContent = img.currentSrc;
  $('avatar-link').hidden = false;
}

setPhase('start');
