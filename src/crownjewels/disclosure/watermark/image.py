"""Images (PNG, JPEG): a visible semi-transparent band with the stamp, and the payload token
in the file's text (a PNG tEXt chunk; a JPEG comment and the EXIF ImageDescription).

The metadata is lost when an image is re-encoded by a tool that drops it, or screenshotted;
the visible band remains. No pixel-level (LSB/DCT) mark yet.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin, UnidentifiedImageError

from crownjewels.disclosure.watermark.marks import (
    Collector,
    Mark,
    MarkError,
    damaged,
    encode_token,
)

METHOD_STAMP = "image-visible-stamp"
METHOD_META = "image-metadata"
PNG_KEY = "CrownJewelsMark"
EXIF_DESCRIPTION = 0x010E
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/jpg": "JPEG"}


def open_image(data: bytes) -> Image.Image:
    """The image, decoded, or a MarkError that says why not."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise damaged("image", exc) from exc
    return image


def apply_image(
    data: bytes, media_type: str, mark: Mark, key: bytes | None
) -> tuple[bytes, list[str]]:
    """The stamped image in its own format, and its methods."""
    fmt = FORMATS[media_type]
    image = open_image(data)
    if image.format != fmt:
        raise MarkError(f"not a valid {fmt} image: the file holds {image.format or 'unknown'}")
    stamped = _stamp(image, mark, key)
    token = encode_token(mark.id_bytes, key)
    out = io.BytesIO()
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        for k, v in image.info.items():
            if isinstance(k, str) and isinstance(v, str) and k != PNG_KEY:
                info.add_text(k, v)
        info.add_text(PNG_KEY, token)
        stamped.save(out, "PNG", pnginfo=info)
    else:
        exif = image.getexif()
        exif[EXIF_DESCRIPTION] = token
        rgb = stamped.convert("RGB") if stamped.mode not in ("RGB", "L", "CMYK") else stamped
        rgb.save(out, "JPEG", quality=92, exif=exif.tobytes(), comment=token.encode("ascii"))
    return out.getvalue(), [METHOD_STAMP, METHOD_META]


def _stamp(image: Image.Image, mark: Mark, key: bytes | None) -> Image.Image:
    """A band across the bottom: translucent white, with the stamp's two lines in dark grey."""
    base = image.convert("RGBA")
    width, height = base.size
    first, second = mark.stamp_lines(key)
    size = max(8, min(28, width // 60))
    font = ImageFont.load_default(size=size)
    band_h = min(height, int(size * 2.8))
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rectangle((0, height - band_h, width, height), fill=(255, 255, 255, 150))
    y = height - band_h + max(1, size // 5)
    for line in (first, second):
        draw.text((max(2, size // 2), y), line, font=font, fill=(40, 40, 40, 230))
        y += int(size * 1.2)
    merged = Image.alpha_composite(base, layer)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        return merged
    return merged.convert("RGB") if image.mode != "L" else merged.convert("L")


def read_image(data: bytes, key: bytes | None, found: Collector) -> None:
    """The token in PNG text chunks, a JPEG comment or EXIF."""
    image = open_image(data)
    for v in image.info.values():
        if isinstance(v, bytes):
            v = v.decode("latin-1")
        if isinstance(v, str):
            found.tokens(v, METHOD_META, key)
    description = image.getexif().get(EXIF_DESCRIPTION)
    if isinstance(description, str):
        found.tokens(description, METHOD_META, key)
