'use strict';
// The one place the handler talks to thumbsmith: the sharp-style chain, so the code reads like
// the sharp version it replaces, minus `.rotate()` (thumbsmith orients by default).
const thumbsmith = require('thumbsmith');
const { version: BINDING_VERSION } = require('thumbsmith/package.json');

// The core's error codes: a failure about the input, not about S3 or the network.
const ERROR_CODES = new Set(thumbsmith.codes);

// One encoding of the avatar. Every variant is made from the original upload by the same
// chain, so each is the same upright crop at the same size, differing only in the encoder.
// `format` is the core's name; quality and the rest are the core's defaults (Options::default).
async function makeAvatar(input, { format = 'jpeg', width, height, crop, maxInputBytes, maxInputPixels }) {
  // Limits are checked from the header, before any pixel is decoded; contentHash is the short
  // SHA-256 of the output bytes that names the immutable CDN object.
  let image = thumbsmith(input, { maxInputBytes, maxInputPixels, contentHash: true });
  if (crop) image = image.extract(crop);
  const { data, info } = await image.resize(width, height).toFormat(format).toBuffer({ resolveWithObject: true });
  return { data, info, hash: info.contentHash };
}

function isThumbsmithError(err) {
  return ERROR_CODES.has(err?.code);
}

module.exports = { makeAvatar, isThumbsmithError, BINDING_VERSION };
