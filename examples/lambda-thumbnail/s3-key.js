'use strict';
// S3 event notifications carry object keys URL-encoded the way HTML forms are: a space is `+`,
// everything else %XX ("my photo (1).jpg" → "my+photo+%281%29.jpg"). Decoding with
// decodeURIComponent alone leaves the `+`, which is how handlers end up looking for keys that
// do not exist.

function decodeEventKey(encoded) {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

// The inverse, for the local event bridge: `/` kept, space → `+`, other reserved bytes %XX
// (also !'()*, which encodeURIComponent leaves alone; decoding accepts either spelling).
function encodeEventKey(key) {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');
}

module.exports = { decodeEventKey, encodeEventKey };
