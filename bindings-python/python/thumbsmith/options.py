"""Types of the keyword options, for type checkers and editors only.

The core (``thumbsmith::Options``) owns the options: their defaults (see ``thumbsmith.defaults()``),
parsing and validation. These TypedDicts add nothing at run time; a test checks that they name
exactly the core's keys, so they cannot drift.
"""

from typing import List, Literal, Tuple, TypedDict, Union


class FocalPoint(TypedDict):
    """A point, as fractions (0–1) of the upright image, for ``position``."""

    x: float
    y: float


class CropBox(TypedDict):
    """A rectangle in pixels of the upright image, for ``crop``."""

    left: int
    top: int
    width: int
    height: int


class _Rgb(TypedDict):
    r: int
    g: int
    b: int


class Rgba(_Rgb, total=False):
    """A colour as sharp spells it, alpha 0–1 (opaque when left out), for ``background``."""

    alpha: float


#: ``"#rgb"``, ``"#rrggbb"``, ``"#rrggbbaa"``, ``"white"``…, ``[r, g, b(, a)]`` or ``{r, g, b, alpha}``.
Colour = Union[str, List[int], Tuple[int, ...], Rgba]


class ThumbnailOptions(TypedDict, total=False):
    """Every option except the size (``thumbnail()`` takes that as arguments)."""

    fit: Literal["cover", "contain", "fill", "inside", "outside"]
    #: A gravity (``"north-east"``, ``"right top"``…), ``"entropy"``, ``"attention"`` or a focal point.
    position: Union[str, FocalPoint]
    #: ``"lanczos3"``, ``"mitchell"``, ``"catmull-rom"``, ``"bilinear"``, ``"box"``, ``"nearest"``.
    kernel: str
    without_enlargement: bool
    without_reduction: bool
    crop: CropBox
    background: Colour
    flatten: bool
    auto_orient: bool
    rotate: Literal[0, 90, 180, 270]
    flip: bool
    flop: bool
    to_srgb: bool
    format: Literal["jpeg", "jpg", "png", "webp", "same"]
    quality: int
    progressive: bool
    chroma_subsampling: Literal["4:2:0", "4:2:2", "4:4:4"]
    smart_subsample: bool
    optimize_coding: bool
    compression_level: int
    lossless: bool
    keep_icc: bool
    keep_copyright: bool
    keep_gps: bool
    max_input_pixels: int
    max_input_bytes: int
    max_metadata_bytes: int
    max_output_dimension: int
    thumbhash: bool
    dominant_color: bool
    content_hash: bool


class Options(ThumbnailOptions, total=False):
    """The keyword options of ``process()``: the core's ``Options``, snake_case."""

    width: Union[int, None]
    height: Union[int, None]


__all__ = ["Options", "ThumbnailOptions", "FocalPoint", "CropBox", "Rgba", "Colour"]
