"""Images: a visible band on PNG and JPEG, the token in their metadata; a copy whose
metadata was stripped keeps only the visible stamp, and identify says no mark survives."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from crownjewels.disclosure.watermark.engine import MarkError, apply_mark, describe, read_marks
from tests.disclosure.helpers import COPY_ID, KEY, MARK, make_image, methods_valid, verdict


@pytest.mark.parametrize(("fmt", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_images_are_stamped_and_read_back(fmt: str, media_type: str) -> None:
    original = make_image(fmt)
    copy = apply_mark(original, media_type, MARK, key=KEY)
    assert copy.marked and copy.methods == ["image-visible-stamp", "image-metadata"]
    before, after = Image.open(io.BytesIO(original)), Image.open(io.BytesIO(copy.data))
    assert after.format == fmt and after.size == before.size
    diff = ImageChops.difference(before.convert("RGB"), after.convert("RGB"))
    box = diff.point(lambda v: 255 if v > 24 else 0).getbbox()
    assert box is not None and box[1] > before.size[1] * 0.8  # only the band at the bottom
    assert methods_valid(copy.data) == {"image-metadata"}
    assert verdict(copy.data) == f"identified:{COPY_ID}"


def test_a_png_resaved_by_pillow_keeps_its_text_chunk() -> None:
    copy = apply_mark(make_image("PNG"), "image/png", MARK, key=KEY)
    image = Image.open(io.BytesIO(copy.data))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=_text_chunks(image))
    assert verdict(out.getvalue()) == f"identified:{COPY_ID}"


def _text_chunks(image: Image.Image) -> object:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for k, v in image.info.items():
        if isinstance(v, str):
            info.add_text(k, v)
    return info


def test_stripped_metadata_leaves_no_readable_mark() -> None:
    copy = apply_mark(make_image("PNG"), "image/png", MARK, key=KEY)
    out = io.BytesIO()
    Image.open(io.BytesIO(copy.data)).save(out, "PNG")
    v = describe(read_marks(out.getvalue(), key=KEY))
    assert v.status == "no-mark" and "no mark survives" in v.message


def test_a_file_that_is_not_the_image_it_claims_is_refused() -> None:
    with pytest.raises(MarkError, match="not a valid image"):
        apply_mark(b"\x89PNG\r\n\x1a\n garbage", "image/png", MARK, key=KEY)
    with pytest.raises(MarkError, match="not a valid JPEG image"):
        apply_mark(make_image("PNG"), "image/jpeg", MARK, key=KEY)
