"""Uploaded images are decoded and re-encoded with Pillow before they are stored: what is kept is
a fresh PNG, JPEG or WebP file made from the pixels only. A JPEG header followed by HTML, EXIF
(GPS position, camera serial), ICC tricks and trailing bytes are all gone; decompression bombs are
refused from the header's size before any pixel is decoded, and large photos are scaled down."""

from __future__ import annotations

import io
import warnings
from typing import BinaryIO

from PIL import Image, ImageOps

from bwq_lab.refusals import Refusal, refuse

MAX_PIXELS = 40_000_000  # width x height as declared in the header (a 40-megapixel photo)
MAX_SIDE = 2400  # stored photos are scaled down to this many pixels on their longer side
FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def reencode(stream: BinaryIO, field: str = "photo") -> tuple[bytes, str]:
    """The image re-encoded (bytes, extension), or a 422 ``IMAGE_INVALID`` / ``IMAGE_TOO_LARGE``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream)
            kind = image.format
            if kind not in FORMATS:
                raise refuse(422, "IMAGE_INVALID", field=field)
            if image.width * image.height > MAX_PIXELS:
                raise refuse(422, "IMAGE_TOO_LARGE", field=field, megapixels=MAX_PIXELS // 1_000_000)
            image.load()
    except Refusal:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(422, "IMAGE_TOO_LARGE", field=field, megapixels=MAX_PIXELS // 1_000_000) from None
    except Exception:  # noqa: BLE001 - anything Pillow cannot decode is not an image we keep
        raise refuse(422, "IMAGE_INVALID", field=field) from None
    image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF asked for, drop the EXIF
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif kind == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=88)
    return out.getvalue(), FORMATS[kind]
