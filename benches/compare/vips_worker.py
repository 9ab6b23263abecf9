"""The avatar job through pyvips (libvips from pyvips-binary), one thread."""
import os

os.environ.setdefault("VIPS_CONCURRENCY", "1")  # read when libvips starts

import pyvips  # noqa: E402

from worker_common import main  # noqa: E402

pyvips.cache_set_max(0)  # no operation cache: every run decodes again
pyvips.concurrency_set(1)

WHITE = [255, 255, 255]


def job(data):
    # thumbnail_buffer: shrink-on-load, EXIF orientation, profile → sRGB, cover crop centre,
    # Lanczos3 — libvips' own fast path, and what sharp builds on.
    # thumbnail leaves a profiled RGB image in its own colour space unless told to export, and an
    # export costs a full transform even for untagged sRGB: ask for it only when there is a
    # profile (CMYK is converted either way). The header read is lazy and costs microseconds.
    header = pyvips.Image.new_from_buffer(data, "")
    profiled = header.get_typeof("icc-profile-data") != 0
    colour = {"export_profile": "srgb"} if profiled else {}
    image = pyvips.Image.thumbnail_buffer(data, 512, height=512, crop="centre", **colour)
    if image.hasalpha():
        image = image.flatten(background=WHITE)
    return image.jpegsave_buffer(Q=80, subsample_mode="on", optimize_coding=True, keep="none")


def versions():
    return {
        "pyvips": pyvips.__version__,
        "libvips": ".".join(str(pyvips.version(i)) for i in range(3)),
    }


if __name__ == "__main__":
    main(job, versions)
