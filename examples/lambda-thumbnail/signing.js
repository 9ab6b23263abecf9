'use strict';
// HMAC signature for handler → backend notifications; the backend's
// examples/flask-backend/avatar_backend/signing.py verifies it:
//   X-Avatar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// The timestamp is inside the MAC so a captured request cannot be re-dated; the event id in the
// body lets the backend refuse a replay inside its tolerance window.
const crypto = require('node:crypto');

const SIGNATURE_HEADER = 'X-Avatar-Signature';

function signatureHeader(secret, body, timestamp = Math.floor(Date.now() / 1000)) {
  const mac = crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

module.exports = { SIGNATURE_HEADER, signatureHeader };
