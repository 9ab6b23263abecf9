#!/usr/bin/env bash
# Writes the seed corpora of every fuzz target into $1 (default fuzz/seeds), one directory per
# target, from every file in core/tests/fixtures plus generated JPEGs: each chroma sampling
# (4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1, 4:1:0), gray, baseline / progressive / arithmetic-coded,
# restart intervals in rows and in blocks, odd sizes from 1×1 up, and the fixtures rewritten by
# jpegtran (progressive, restarts, gray, EXIF kept). Needs cjpeg, djpeg and jpegtran (Debian:
# libjpeg-turbo-progs, what `make setup` installs); cwebp (Debian: webp) and ImageMagick's convert
# add WebP, PNG and GIF variants when present. Deterministic: the same tools give the same seeds.
#
# Inputs per target (fuzz/README.md):
#   metadata        the file as it is
#   process         24 option bytes (src/lib.rs options_from) then the file, one job per file
#   decode_<format> one job byte (src/lib.rs decode_job) then a file of that format
#   jpeg_decoder    five job bytes (fuzz_targets/jpeg_decoder.rs) then a JPEG
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/seeds}
fixtures=$(cd "$here/../core/tests/fixtures" && pwd)
for tool in cjpeg djpeg jpegtran; do
  command -v $tool >/dev/null || { echo "make-seeds.sh: $tool missing (apt-get install libjpeg-turbo-progs, or make setup)" >&2; exit 1; }
done
rm -rf "$out"
raw=$out/.raw
mkdir -p "$raw"

# Every fixture, the malformed ones (empty, truncated, text, random, a pixel bomb) included, and
# the JPEG decoder crate's (every scan layout).
decoder_fixtures=$(cd "$here/.." && pwd)/jpeg-decoder/tests/fixtures
for dir in "$fixtures" "$decoder_fixtures"; do
  [ -d "$dir" ] || continue
  prefix=fixture
  [ "$dir" = "$decoder_fixtures" ] && prefix=decoder-fixture
  find "$dir" -type f ! -path '*/fuzz/*' | sort | while read -r f; do
    rel=${f#"$dir"/}
    cp "$f" "$raw/$prefix-${rel//\//-}"
  done
done

# A plain PPM / PGM (ASCII, so no binary printf) of any size: a gradient with a few sharp edges.
ppm() { # width height
  awk -v w="$1" -v h="$2" 'BEGIN { print "P3"; print w, h; print 255;
    for (y = 0; y < h; y++) for (x = 0; x < w; x++) {
      r = int(255 * x / (w > 1 ? w - 1 : 1)); g = int(255 * y / (h > 1 ? h - 1 : 1));
      b = ((int(x / 4) + int(y / 4)) % 2) * 200 + 20; print r, g, b } }'
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sizes="1x1 7x5 16x16 17x13 33x65 96x64 161x97"
for size in $sizes; do
  w=${size%x*} h=${size#*x}
  ppm "$w" "$h" > "$tmp/src.ppm"
  for sampling in 1x1 2x1 2x2 1x2 4x1 4x2; do
    name=$size-$sampling
    s=$sampling,1x1,1x1
    cjpeg -quality 85 -sample "$s" "$tmp/src.ppm" > "$raw/gen-$name-baseline.jpg"
    cjpeg -quality 85 -sample "$s" -progressive "$tmp/src.ppm" > "$raw/gen-$name-progressive.jpg"
    cjpeg -quality 85 -sample "$s" -restart 1 "$tmp/src.ppm" > "$raw/gen-$name-restart1row.jpg"
    cjpeg -quality 85 -sample "$s" -restart 3B -progressive "$tmp/src.ppm" > "$raw/gen-$name-restart3b-progressive.jpg"
    cjpeg -quality 85 -sample "$s" -arithmetic "$tmp/src.ppm" > "$raw/gen-$name-arithmetic.jpg"
  done
  cjpeg -quality 75 -grayscale "$tmp/src.ppm" > "$raw/gen-$size-gray.jpg"
  cjpeg -quality 75 -grayscale -progressive -restart 2B "$tmp/src.ppm" > "$raw/gen-$size-gray-progressive-restart.jpg"
  cjpeg -quality 100 -sample 1x1,1x1,1x1 -optimize "$tmp/src.ppm" > "$raw/gen-$size-q100-optimized.jpg"
  cjpeg -quality 5 "$tmp/src.ppm" 2>/dev/null > "$raw/gen-$size-q5.jpg" # "too coarse for baseline"
  cjpeg -rgb -quality 85 "$tmp/src.ppm" > "$raw/gen-$size-rgb.jpg"
done

# The fixtures' JPEGs rewritten losslessly: progressive, restarts, gray, arithmetic, EXIF kept.
for f in "$raw"/*fixture-*.jpg; do
  [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = ffd8 ] || continue
  base=$(basename "$f" .jpg)
  jpegtran -copy all -progressive "$f" > "$raw/tran-$base-progressive.jpg" 2>/dev/null || true
  jpegtran -copy all -restart 1B "$f" > "$raw/tran-$base-restart1b.jpg" 2>/dev/null || true
  jpegtran -copy none -grayscale "$f" > "$raw/tran-$base-gray.jpg" 2>/dev/null || true
  jpegtran -copy all -arithmetic "$f" > "$raw/tran-$base-arithmetic.jpg" 2>/dev/null || true
done
find "$raw" -size 0 -name 'tran-*' -delete

# Optional extras: WebP (lossy, lossless, alpha, small), PNG and GIF variants (interlaced, gray,
# 16-bit, palette, tiny).
if command -v cwebp >/dev/null; then
  for size in 1x1 17x13 161x97; do
    # cwebp reads no plain PPM: the 4:4:4 q100 JPEG above is its source.
    cwebp -quiet -q 60 "$raw/gen-$size-q100-optimized.jpg" -o "$raw/gen-$size-lossy.webp"
    cwebp -quiet -lossless "$raw/gen-$size-q100-optimized.jpg" -o "$raw/gen-$size-lossless.webp"
  done
  cwebp -quiet -q 70 -alpha_q 50 "$fixtures/alpha.png" -o "$raw/gen-alpha-lossy.webp" 2>/dev/null || true
fi
# Only ImageMagick's: another `convert` on the PATH (a stand-in, GraphicsMagick) writes none of these.
if convert -version 2>/dev/null | grep -q ImageMagick; then
  ppm 17 13 > "$tmp/src.ppm"
  convert "$tmp/src.ppm" -interlace PNG "$raw/gen-17x13-interlaced.png"
  convert "$tmp/src.ppm" -colorspace Gray -depth 16 "$raw/gen-17x13-gray16.png"
  convert "$tmp/src.ppm" -colors 16 "$raw/gen-17x13-palette.png"
  convert "$tmp/src.ppm" -colors 16 "$raw/gen-17x13.gif"
  convert "$tmp/src.ppm" -colors 64 -interlace GIF "$raw/gen-17x13-interlaced.gif"
  convert "$fixtures/alpha.png" -colors 32 "$raw/gen-alpha.gif"
fi
# The smallest GIF (1×1, transparent), written by hand so there is a second GIF without tools.
printf 'GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;' > "$raw/hand-1x1-transparent.gif"

# metadata: every file.
mkdir -p "$out/metadata"
cp "$raw"/* "$out/metadata/"

# process: files behind these option headers (24 bytes, see options_from), chosen in turn, so
# every output format and strategy has seeds.
headers=(
  # 512 cover lanczos centre, jpeg q80 4:2:0: the avatar job
  '\x00\x82\x00\x82\x00\x00\x00\x00\x00\x4f\x00\x00\x00\x00\x00\x00\x06\xff\xff\xff\x00\x00\x00\x00'
  # 64 wide contain mitchell, png, background #102030 at alpha 128, thumbhash
  '\x40\x00\x00\x00\x06\x00\x00\x00\x01\x00\x00\x10\x00\x00\x00\x00\x13\x10\x20\x30\x00\x00\x00\x00'
  # 100×30 fill catmull-rom, webp lossless, rotate 90 flip
  '\x64\x00\x1e\x00\x0c\x00\x00\x00\x06\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
  # 33×33 cover attention, webp lossy q50, dominant colour
  '\x21\x00\x21\x00\x00\x0a\x00\x00\x02\x31\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
  # 7×120 outside entropy, progressive jpeg 4:4:4 q95, optimize_coding off
  '\x07\x00\x78\x00\x04\x09\x00\x00\xa8\x5e\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
  # 50 high inside, focal point (0.2, 0.8), jpeg 4:2:2 smart subsample, flop, no auto-orient
  '\x00\x00\x32\x00\x03\x0b\x33\xcc\x50\x40\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
  # crop middle half, 128 cover nearest, same format, keep gps+copyright, content hash
  '\x80\x00\x80\x00\x19\x00\x00\x00\x03\x4f\x00\xcc\x20\x20\x7f\x7f\x09\x00\x00\x00\x00\x00\x00\x00'
  # no resize, png level 1, rotate 270, to_srgb off keep icc, without enlargement
  '\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\xa3\x02\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00'
  # 80×60 cover, webp lossy effort 6 smart deblock, preset photo, alpha quality 40, then a
  # 20×20 cut at (10, 5) of the resized picture
  '\x50\x00\x3c\x00\x00\x00\x00\x00\x02\x4f\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\xa7\x4a\x85\x13'
  # 48 wide, webp near-lossless exact effort 0, q60
  '\x30\x00\x00\x00\x00\x00\x00\x00\x02\x3b\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\x19\x00\x00\x00'
  # 40×40 contain, raw pixels out
  '\x28\x00\x28\x00\x01\x00\x00\x00\x00\x4f\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\x40\x00\x00\x00'
)
# A job costs milliseconds to a second here, so `process` gets each fixture and the 17×13
# generated files (each sampling and coding) once; decode_jpeg has every generated JPEG.
mkdir -p "$out/process"
i=0
for f in "$raw"/fixture-* "$raw"/decoder-fixture-* "$raw"/hand-* "$raw"/gen-17x13-* "$raw"/tran-fixture-photo-*; do
  h=${headers[$((i % ${#headers[@]}))]}
  { printf "$h"; cat "$f"; } > "$out/process/$(basename "$f")"
  i=$((i + 1))
done

# decode_<format>: each file of that format (by its bytes) behind job bytes chosen in turn:
# every JPEG scale (divisors 1…24), fits, rotations, the crop window.
jobs=('\x00' '\x01' '\x0a' '\x13' '\x2c' '\x85' '\x4e' '\x97' '\xe6' '\x3b')
kind() {
  case "$(head -c 12 "$1" | od -An -c | tr -d ' \n')" in
    377330377*) echo jpeg ;;
    211PNG*) echo png ;;
    GIF8*) echo gif ;;
    RIFF*WEBP) echo webp ;;
    'II*\0'* | 'MM\0*'* | 'II+\0'* | 'MM\0+'*) echo tiff ;;
    '377\n'* | '\0\0\0\fJXL'*) echo jxl ;;
    *) echo other ;;
  esac
}
for format in jpeg png webp gif tiff jxl; do mkdir -p "$out/decode_$format"; done
i=0
for f in "$raw"/*; do
  format=$(kind "$f")
  [ "$format" = other ] && continue
  n=2
  [ "$format" = jpeg ] || n=4
  for k in $(seq 0 $((n - 1))); do
    j=${jobs[$(((i + k * 3) % ${#jobs[@]}))]}
    { printf "$j"; cat "$f"; } > "$out/decode_$format/$k-$(basename "$f")"
  done
  i=$((i + 1))
done
# jpeg_decoder: each JPEG behind 5 job bytes (fuzz_targets/jpeg_decoder.rs), chosen in turn:
# every scale 1/8…8/8, whole and windowed.
mkdir -p "$out/jpeg_decoder"
windows=('\x00\x00\x00\x00\x00' '\x83\x40\x40\x7f\x7f' '\x01\x00\x00\x00\x00' '\x84\x00\xc0\xff\x20'
  '\x02\x00\x00\x00\x00' '\x85\x10\x00\x30\xff' '\x07\x00\x00\x00\x00' '\x80\x80\x80\x00\x00'
  '\x06\x00\x00\x00\x00' '\x87\x20\x20\x80\x80' '\x04\x00\x00\x00\x00')
i=0
for f in "$raw"/*; do
  [ "$(kind "$f")" = jpeg ] || continue
  for k in 0 1; do
    j=${windows[$(((i + k * 5) % ${#windows[@]}))]}
    { printf "$j"; cat "$f"; } > "$out/jpeg_decoder/$k-$(basename "$f")"
  done
  i=$((i + 1))
done
rm -rf "$raw"
for d in "$out"/*/; do
  echo "$(basename "$d"): $(find "$d" -type f | wc -l) seeds, $(du -sk "$d" | cut -f1) KiB"
done
