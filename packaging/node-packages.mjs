// node-packages.mjs PLATFORM…: the npm packages of the Node binding, as a registry would hold them.
//
// One list, `napi.targets` in bindings-node/package.json, names every prebuilt platform (as
// napi-rs's `create-npm-dirs` and `prepublish` read it). From it this writes
//   - bindings-node/npm/<platform>/package.json, one package per platform (os, cpu, libc fields
//     so npm installs only the one that fits), and
//   - the main package's optionalDependencies, one per platform at the same version,
// then packs the main package, each PLATFORM given (its addon from dist/.stage/addons) and the
// WebAssembly fallback (dist/.stage/wasm32, made by build-wasm32.sh) into dist/npm with `npm pack`.
// Without arguments it only writes the platform package.json files.
//
// The fallback, `thumbsmith-wasm32`, is an optional dependency for every OS but Linux (`os:
// ["!linux"]`: macOS, Windows, the BSDs), where no addon is prebuilt; on Linux a native package
// fits the mainstream CPUs, and the fallback would only add its size to every Lambda bundle.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const binding = path.join(root, 'bindings-node');
const stage = path.join(root, 'dist', '.stage');
const out = path.join(root, 'dist', 'npm');
const main = JSON.parse(readFileSync(path.join(binding, 'package.json'), 'utf8'));

const ARCH = { x86_64: 'x64', aarch64: 'arm64' };
const LIBC = { gnu: 'glibc', musl: 'musl' };

/** `x86_64-unknown-linux-musl` → {platform: 'linux-x64-musl', os, cpu, libc}. */
function describe(target) {
  const match = /^(x86_64|aarch64)-unknown-(linux)-(gnu|musl)$/.exec(target);
  if (!match) throw new Error(`no npm platform for the Rust target ${target}`);
  const [, arch, os, abi] = match;
  return { platform: `${os}-${ARCH[arch]}-${abi}`, os, cpu: ARCH[arch], libc: LIBC[abi] };
}

const FALLBACK = `${main.napi.packageName}-wasm32`;
const FALLBACK_FILES = ['index.js', 'thumbsmith_wasm.js', 'thumbsmith_wasm_bg.wasm'];

const write = (file, json) => writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
const platforms = main.napi.targets.map(describe);

for (const { platform, os, cpu, libc } of platforms) {
  const addon = `${main.napi.binaryName}.${platform}.node`;
  mkdirSync(path.join(binding, 'npm', platform), { recursive: true });
  write(path.join(binding, 'npm', platform, 'package.json'), {
    name: `${main.napi.packageName}-${platform}`,
    version: main.version,
    description: `The ${platform} native core of ${main.name} (installed by npm as an optional dependency of \`${main.name}\`)`,
    license: main.license,
    repository: main.repository,
    main: addon,
    files: [addon],
    os: [os],
    cpu: [cpu],
    libc: [libc],
    engines: main.engines,
  });
}

const pack = (dir) => execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }).trim();

const wanted = process.argv.slice(2);
if (wanted.length) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // The main package, staged with its generated optionalDependencies (the checkout's package.json
  // stays as it is: a development copy that loads the addon built beside it).
  const staged = path.join(stage, 'node-main');
  rmSync(staged, { recursive: true, force: true });
  mkdirSync(staged, { recursive: true });
  for (const file of [...main.files, 'README.md']) cpSync(path.join(binding, file), path.join(staged, file), { recursive: true });
  const { devDependencies, scripts, ...published } = main;
  void devDependencies, scripts;
  published.optionalDependencies = Object.fromEntries([
    ...platforms.map(({ platform }) => [`${main.napi.packageName}-${platform}`, main.version]),
    [FALLBACK, main.version],
  ]);
  write(path.join(staged, 'package.json'), published);
  console.log(`${pack(staged)} (optionalDependencies: ${Object.keys(published.optionalDependencies).join(', ')})`);
  for (const platform of wanted) {
    if (!platforms.some((p) => p.platform === platform)) throw new Error(`${platform} is not in napi.targets`);
    const dir = path.join(stage, 'node-platforms', platform);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(binding, 'npm', platform, 'package.json'), path.join(dir, 'package.json'));
    const addon = `${main.napi.binaryName}.${platform}.node`;
    copyFileSync(path.join(stage, 'addons', addon), path.join(dir, addon));
    console.log(pack(dir));
  }
  const fallback = path.join(stage, 'wasm32');
  write(path.join(fallback, 'package.json'), {
    name: FALLBACK,
    version: main.version,
    description: `The core of ${main.name} as WebAssembly, for platforms with no prebuilt addon (slower than the addon; installed by npm as an optional dependency of \`${main.name}\`)`,
    license: main.license,
    repository: main.repository,
    main: 'index.js',
    files: FALLBACK_FILES,
    os: ['!linux'],
    engines: main.engines,
  });
  console.log(pack(fallback));
}
