'use strict';
// The one place the handler talks to thumbsmith: the sharp-style chain, so the code reads like
// the sharp version it replaces, minus `.rotate()` (thumbsmith orients by default).
const thumbsmith = require('thumbsmith');

// The core's error codes: a failure about the input, not about S3 or the network.
const ERROR_CODES = new Set(thumbsmith.codes);

async function makeAvatar(input, { width, height, crop, maxInputBytes, maxInputPixels }) {
  // Limits are checked from the header, before any pixel is decoded; contentHash is the short
  // SHA-256 of the output bytes that names the immutable CDN object.
  let image = thumbsmith(input, { maxInputBytes, maxInputPixels, contentHash: true });
  if (crop) image = image.extract(crop);
  const { data, info } = await image.resize(width, height).jpeg().toBuffer({ resolveWithObject: true });
  return { data, info, hash: info.contentHash };
}

function isThumbsmithError(err) {
  return ERROR_CODES.has(err?.code);
}

module.exports = { makeAvatar, isThumbsmithError };
