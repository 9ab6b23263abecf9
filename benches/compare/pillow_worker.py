"""The avatar job through Pillow with draft() shrink-on-load, one thread."""
import io
import math

from PIL import Image, ImageCms, ImageOps, features

from worker_common import main

SIZE = (512, 512)
SRGB = ImageCms.createProfile("sRGB")
WHITE = (255, 255, 255)


def job(data):
    image = Image.open(io.BytesIO(data))
    if image.format == "JPEG":
        # draft() picks the smallest DCT scale that keeps the image at least this size: twice the
        # cover size, the margin Pillow's own thumbnail() keeps (reducing_gap=2.0) for a clean
        # Lanczos step. Orientation does not matter here: the request is symmetric.
        scale = 2 * max(SIZE) / min(image.size)
        if scale < 1:
            image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    icc = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)  # loads the (drafted) pixels
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, WHITE)
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode == "CMYK" and icc:
        icc = None  # the job's rule for CMYK: the naive formula, which is Pillow's convert()
    if image.mode != "RGB":
        image = image.convert("RGB")
    image = ImageOps.fit(image, SIZE, Image.LANCZOS, centering=(0.5, 0.5))
    if icc and image.mode == "RGB":
        # Colour after the resize: 512×512 pixels to convert instead of megapixels (libvips'
        # thumbnail does the same).
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = ImageCms.profileToProfile(image, source, SRGB, outputMode="RGB")
        except ImageCms.PyCMSError:
            pass  # unusable profile: taken as sRGB, as the other libraries do
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, subsampling=2, optimize=True)
    return out.getvalue()


def versions():
    return {
        "pillow": Image.__version__,
        "libjpeg_turbo": features.version("libjpeg_turbo"),
        "littlecms2": features.version("littlecms2"),
    }


if __name__ == "__main__":
    main(job, versions)
