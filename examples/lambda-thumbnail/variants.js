'use strict';
// The encodings the handler writes for one avatar, all under the JPEG's content hash:
// `<FOLDER_OUTPUT><sub>/<hash>.<ext>`. The JPEG is the primary: its hash names every variant, it
// is the `<img src>` every client can show, and an input it refuses is refused as a whole. The
// others are best effort: a format the binding cannot write (it answers ERR_ENCODE_FAILED or
// ERR_INVALID_OPTION, e.g. AVIF before the core encodes it) is skipped, recorded as refused in
// the receipt, and tried again once the binding's version changes. Adding a format is one entry
// here; the order is the browser's order of preference (`<picture>` lists them in this order).
const VARIANTS = Object.freeze([
  Object.freeze({ format: 'jpeg', ext: 'jpg', primary: true }),
  Object.freeze({ format: 'avif', ext: 'avif' }),
  Object.freeze({ format: 'webp', ext: 'webp' }),
]);

// The codes with which a binding says "I do not write this format" rather than "this input is bad".
const REFUSED_FORMAT_CODES = new Set(['ERR_ENCODE_FAILED', 'ERR_INVALID_OPTION']);

// The object key of one variant, from the primary's key (same folder, same content hash).
function variantKey(primaryKey, ext) {
  return primaryKey.replace(/\.[a-z0-9]+$/, `.${ext}`);
}

module.exports = { VARIANTS, REFUSED_FORMAT_CODES, variantKey };
