// The shell step the thumbnail function's bundling runs after esbuild: vendor the thumbsmith
// package with its linux-arm64 addon only (scripts/vendor-thumbsmith.mjs says how).
import * as path from 'node:path';

const VENDOR_SCRIPT = path.resolve(__dirname, '..', 'scripts', 'vendor-thumbsmith.mjs');

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function vendorThumbsmithCommand(bundleDir: string): string {
  return `node ${shellQuote(VENDOR_SCRIPT)} ${shellQuote(bundleDir)}`;
}
