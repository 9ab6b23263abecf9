// A static server for the demo page and the package, on 127.0.0.1 only. It serves the repository
// root, so the page at /examples/wasm-preview/ imports /bindings-wasm/pkg/ as a site would.
// Plain headers: the worker needs no SharedArrayBuffer, so no COOP/COEP.
//
//   node scripts/serve.mjs [port]     (0 or nothing: any free port)
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import handler from 'serve-handler';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Starts the server for `root` (the repository unless told); resolves to {url, close()}. */
export function serve(port = 0, root = ROOT) {
  const server = http.createServer((request, response) =>
    handler(request, response, {
      public: root,
      directoryListing: false,
      // The browser should always load what was just built.
      headers: [{ source: '**', headers: [{ key: 'Cache-Control', value: 'no-store' }] }],
    }),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((done) => server.close(done)),
      }),
    );
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await serve(Number(process.argv[2] ?? 0));
  console.log(`demo page: ${url}/examples/wasm-preview/`);
}
