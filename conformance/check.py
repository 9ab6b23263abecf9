#!/usr/bin/env python3
"""Reads thumbsmith's outputs (written by `conformance matrix|avatars DIR`, with the Rust
decoders' pixels beside them) with libjpeg-turbo and libwebp (Pillow), libpng (pngtopam),
libwebp's dwebp and Java ImageIO, and compares every decode with the reference one:
libjpeg-turbo for JPEG, libpng for PNG, libwebp for WebP.

A decode agrees when it has the reference's size and alpha, and its samples differ from the
reference's within BOUNDS (mean absolute difference, largest one). JPEG decoders
may differ slightly (IDCT precision, chroma upsampling); a misread file (wrong colour space,
mis-ordered scans, green stripes) differs by tens on average. PNG and lossless WebP are exact.
Exit status 1 on any disagreement or any decoder that fails on a file.
"""
import io
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

# Per format: (mean absolute difference, largest single-sample difference).
BOUNDS = {"jpeg": (1.0, 8), "png": (0.0, 0), "webp": (0.0, 0)}


def read_raw(path):
    with open(path, "rb") as f:
        data = f.read()
    w, h, channels = np.frombuffer(data[:12], "<u4")
    return int(channels), np.frombuffer(data[12:], np.uint8).reshape(int(h), int(w), 4)


def to_rgba(image):
    channels = len(image.getbands())
    return channels, np.asarray(image.convert("RGBA"))


def pillow(path):
    with Image.open(path) as image:
        image.load()
        return to_rgba(image)


def pngtopam(path):
    pam = subprocess.run(["pngtopam", "-alphapam", path], check=True, capture_output=True).stdout
    with Image.open(io.BytesIO(pam_to_pnm(pam))) as image:
        # `-alphapam` always writes an alpha plane: whether the file has one is not known here.
        return None, to_rgba(image)[1]


def pam_to_pnm(pam):
    """netpbm's PAM (which Pillow does not read for every tuple type) to a PNG in memory."""
    header, _, rest = pam.partition(b"ENDHDR\n")
    fields = dict(line.split(b" ", 1) for line in header.split(b"\n")[1:] if b" " in line)
    w, h, depth = (int(fields[k]) for k in (b"WIDTH", b"HEIGHT", b"DEPTH"))
    samples = np.frombuffer(rest, np.uint8)[: w * h * depth].reshape(h, w, depth)
    mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[depth]
    out = io.BytesIO()
    Image.fromarray(samples if depth > 1 else samples[:, :, 0], mode).save(out, "PNG")
    return out.getvalue()


def dwebp(path):
    pam = subprocess.run(["dwebp", path, "-pam", "-o", "-"], check=True,
                         capture_output=True).stdout
    with Image.open(io.BytesIO(pam_to_pnm(pam))) as image:
        # dwebp's PAM always has an alpha plane.
        return None, to_rgba(image)[1]


def main(directory):
    manifest = json.load(open(os.path.join(directory, "manifest.json")))
    files = [os.path.join(directory, entry["file"]) for entry in manifest]
    java = subprocess.run(["java", os.path.join(os.path.dirname(__file__), "java", "Decode.java"),
                           *[f for f in files if not f.endswith(".webp")]])
    if java.returncode != 0:
        sys.exit("Java ImageIO decoder did not run")
    failures, decodes = [], 0
    per_decoder = {}
    for path in files:
        fmt = path.rsplit(".", 1)[1]
        if fmt == "jpg":
            fmt = "jpeg"
        reference_name, reference = {"jpeg": ("libjpeg-turbo", pillow), "png": ("libpng", pngtopam),
                                     "webp": ("libwebp", pillow)}[fmt]
        ref_channels, ref = reference(path)
        if ref_channels is None:  # libpng through netpbm: Pillow says whether there is alpha
            ref_channels = pillow(path)[0]
        others = {}
        if fmt == "png":
            others["pillow"] = lambda p: pillow(p)
        if fmt == "webp":
            others["dwebp"] = dwebp
        for name in ["image", "jpeg-decoder", "zune-jpeg", "png", "image-webp", "imageio"]:
            if os.path.exists(f"{path}.{name}.raw"):
                others[name] = lambda p, n=name: read_raw(f"{p}.{n}.raw")
            elif os.path.exists(f"{path}.{name}.err"):
                others[name] = lambda p, n=name: (_ for _ in ()).throw(
                    RuntimeError(open(f"{p}.{n}.err").read()))
        mean_bound, max_bound = BOUNDS[fmt]
        for name, decode in others.items():
            decodes += 1
            stats = per_decoder.setdefault((fmt, name), [0, 0, 0.0, 0])
            stats[0] += 1
            try:
                channels, pixels = decode(path)
            except Exception as e:  # noqa: BLE001 - a failing decoder is a finding
                failures.append(f"{os.path.basename(path)}: {name} failed: {e}")
                continue
            alpha_differs = channels is not None and (channels in (2, 4)) != (ref_channels in (2, 4))
            if pixels.shape != ref.shape or alpha_differs:
                failures.append(f"{os.path.basename(path)}: {name} gives {pixels.shape[1]}x"
                                f"{pixels.shape[0]}, {channels} channels; {reference_name} "
                                f"{ref.shape[1]}x{ref.shape[0]}, {ref_channels}")
                continue
            diff = np.abs(pixels.astype(np.int16) - ref.astype(np.int16))
            mean, worst = float(diff.mean()), int(diff.max())
            stats[2] = max(stats[2], mean)
            stats[3] = max(stats[3], worst)
            if mean > mean_bound or worst > max_bound:
                failures.append(f"{os.path.basename(path)}: {name} differs from {reference_name}: "
                                f"mean {mean:.3f}, max {worst}")
            else:
                stats[1] += 1
    print(f"{len(files)} files, {decodes} decodes compared with the reference decoder")
    print(f"{'format':6} {'decoder':14} {'agree':>9} {'worst mean':>10} {'worst max':>9}")
    for (fmt, name), (n, ok, mean, worst) in sorted(per_decoder.items()):
        print(f"{fmt:6} {name:14} {ok:>4}/{n:<4} {mean:>10.3f} {worst:>9}")
    for failure in failures:
        print("DISAGREES", failure)
    print(f"{len(failures)} disagreements")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1])
