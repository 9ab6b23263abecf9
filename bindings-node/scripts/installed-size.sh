#!/usr/bin/env bash
# Installs the packed tarballs (dist/) as a user would — the `thumbsmith` package plus one
# platform package — into a scratch project per platform, measures node_modules, and checks the
# x64 install actually works from there (the published layout, not the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=8388608 # bytes: "≤ 8 MB installed with every codec" (issue 29), read as 8 MiB; sharp ≈ 20 MB
VERSION=$(node -p 'require("./package.json").version')
status=0
# Platforms to check: the arguments, or both (`make size-host` checks this machine's only).
for platform in ${*:-linux-x64-gnu linux-arm64-gnu}; do
  cpu=${platform#linux-}; cpu=${cpu%-gnu}
  scratch=$(mktemp -d)
  # Another CPU's package is refused by npm even with --cpu when given as a file: --force then.
  force=$([ "$cpu" = "$(node -p process.arch)" ] || echo --force)
  (cd "$scratch" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --loglevel=error --os=linux --cpu="$cpu" --libc=glibc $force \
      "$OLDPWD/dist/thumbsmith-$VERSION.tgz" "$OLDPWD/dist/thumbsmith-$platform-$VERSION.tgz" >/dev/null)
  bytes=$(du -sb --apparent-size "$scratch/node_modules" | cut -f1)
  addon=$(stat -c %s "$scratch/node_modules/thumbsmith-$platform/thumbsmith.$platform.node")
  awk -v p="$platform" -v b="$bytes" -v a="$addon" -v l="$LIMIT" 'BEGIN {
    printf "%s: installed %d bytes (%.2f MB, of which the addon %.2f MB); limit %.1f MB\n", p, b, b / 1e6, a / 1e6, l / 1e6 }'
  [ "$bytes" -le "$LIMIT" ] || { echo "  over the limit"; status=1; }
  if [ "$platform" = "linux-$(node -p process.arch)-gnu" ]; then
    (cd "$scratch" && node -e '
      const thumbsmith = require("thumbsmith")
      const input = require("fs").readFileSync(process.argv[1])
      thumbsmith(input).resize(512, 512).jpeg().toBuffer({ resolveWithObject: true })
        .then(({ info }) => console.log(`  installed package works: ${info.width}×${info.height} ${info.format}`))
        .catch((e) => { console.error(e); process.exit(1) })' "$OLDPWD/../core/tests/fixtures/photo.jpg")
  fi
  rm -rf "$scratch"
done
exit $status
