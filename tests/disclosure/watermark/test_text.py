"""Plain text and source code: the zero-width mark survives excerpts, line-ending changes and
a re-save; removing the zero-width characters leaves no mark, and says so."""

from __future__ import annotations

import pytest

from crownjewels.disclosure.watermark import text as wm_text
from crownjewels.disclosure.watermark.engine import apply_mark, describe, read_marks
from tests.disclosure.helpers import COPY_ID, KEY, MARK, prose, verdict

ZW_TABLE = dict.fromkeys(map(ord, wm_text.ZW))


def marked_prose() -> str:
    copy = apply_mark(prose().encode(), "text/plain", MARK, key=KEY)
    assert copy.marked and copy.methods == ["text-zero-width"]
    return copy.data.decode("utf-8")


def test_marked_text_reads_the_copy_and_looks_unchanged() -> None:
    text = marked_prose()
    assert text.translate(ZW_TABLE) == prose()
    assert verdict(text.encode()) == f"identified:{COPY_ID}"
    assert verdict(text.encode(), "text/plain") == f"identified:{COPY_ID}"


@pytest.mark.parametrize("start", [0.13, 0.37, 0.61])
def test_a_slice_from_the_middle_still_names_the_copy(start: float) -> None:
    text = marked_prose()
    visible = text.translate(ZW_TABLE)
    words = 40
    # cut about 40 visible words out of the middle, wherever the cut falls
    cut = int(len(text) * start)
    end = cut
    seen = 0
    while seen < words and end < len(text):
        if text[end] == " ":
            seen += 1
        end += 1
    excerpt = text[cut:end]
    assert len(excerpt.translate(ZW_TABLE).split()) >= words - 1
    assert verdict(excerpt.encode()) == f"identified:{COPY_ID}"
    assert visible  # the excerpt reads as plain text


def test_a_short_excerpt_cut_through_a_mark_is_not_called_damaged() -> None:
    text = marked_prose()
    first = text.index(wm_text.ZW[0])
    excerpt = text[first + 10 : first + 200]
    found = read_marks(excerpt.encode(), key=KEY)
    assert all(m.status != "damaged" for m in found)


def test_line_endings_and_an_editor_resave_keep_the_mark() -> None:
    text = marked_prose()
    crlf = text.replace("\n", "\r\n").encode("utf-8")
    assert verdict(crlf) == f"identified:{COPY_ID}"
    resaved = crlf.decode("utf-8").replace("\r\n", "\n").rstrip("\n") + "\n"
    resaved = "\n".join(line.rstrip() for line in resaved.split("\n"))
    assert verdict(("\ufeff" + resaved).encode("utf-8")) == f"identified:{COPY_ID}"
    rewrapped = " ".join(text.split(" "))  # re-wrapped into one long line per paragraph
    assert verdict(rewrapped.replace("\n", " ").encode()) == f"identified:{COPY_ID}"


def test_without_zero_width_characters_no_mark_survives() -> None:
    stripped = marked_prose().translate(ZW_TABLE).encode()
    v = describe(read_marks(stripped, key=KEY))
    assert (v.status, v.copy_id) == ("no-mark", None)
    assert "no mark survives" in v.message


def test_flipped_payload_characters_read_as_damaged_never_as_another_copy() -> None:
    text = marked_prose()
    swap = str.maketrans(wm_text.ZW[0] + wm_text.ZW[1], wm_text.ZW[1] + wm_text.ZW[0])
    runs = list(wm_text.RUN_RE.finditer(text))
    out, pos = [], 0
    for m in runs:  # flip the 11th character of every run
        run = m.group(0)
        out += [text[pos : m.start()], run[:10], run[10].translate(swap) or run[10], run[11:]]
        if run[10] in wm_text.ZW[2:]:
            out[-2] = wm_text.ZW[(wm_text.ZW.index(run[10]) + 1) % 4]
        pos = m.end()
    out.append(text[pos:])
    found = read_marks("".join(out).encode(), key=KEY)
    assert found and all(m.status == "damaged" and m.copy_id is None for m in found)
    v = describe(found)
    assert v.status == "damaged" and v.copy_id is None and "damaged" in v.message


def test_a_mark_from_another_installation_is_unverified() -> None:
    text = marked_prose().encode()
    v = describe(read_marks(text, key=b"another-installation"))
    assert v.status == "unverified" and v.copy_id is None and COPY_ID in v.message


PYTHON = """#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Mixes the blue pigment at low heat.
import math  # noqa: F401
# type: ignore
# pragma: no cover


def mix(parts):
    # Twice, then washed in cold brine.
    return [p * 2 for p in parts]
"""


def test_python_source_gets_a_header_and_still_runs() -> None:
    copy = apply_mark(PYTHON.encode(), "text/x-python", MARK, key=KEY)
    assert copy.marked and copy.methods == ["code-header", "text-zero-width"]
    text = copy.data.decode()
    lines = text.splitlines()
    assert lines[0] == "#!/usr/bin/env python3" and lines[1].startswith("# -*- coding")
    assert lines[2].startswith("# CONFIDENTIAL") and "Alice Smith, Acme Ltd" in lines[2]
    assert f"Copy {COPY_ID} (check " in lines[3]
    for directive in ("# type: ignore", "# pragma: no cover", "import math  # noqa: F401"):
        assert directive in lines
    namespace: dict[str, object] = {}
    exec(compile(text, "marked.py", "exec"), namespace)
    assert namespace["mix"]([1]) == [2]  # type: ignore[operator]
    assert verdict(copy.data) == f"identified:{COPY_ID}"
    # a function copied out of the file still carries the mark of its comment
    function = text[text.index("def mix") :]
    assert verdict(function.encode()) == f"identified:{COPY_ID}"


@pytest.mark.parametrize(
    ("filename", "media_type", "source", "opener"),
    [
        ("a.js", "text/plain", "// Mix it twice\nconst x = 1;\n", "// CONFIDENTIAL"),
        ("a.go", "text/plain", "package main\n", "// CONFIDENTIAL"),
        ("a.c", "text/plain", "int main(void) { return 0; }\n", "/*"),
        (None, "text/css", "body { color: blue; }\n", "/*"),
        ("a.sql", "text/plain", "-- Mix it twice\nSELECT 1;\n", "-- CONFIDENTIAL"),
        (None, "text/html", "<!DOCTYPE html>\n<p>blue</p>\n", "<!--"),
        ("a.xml", "application/xml", '<?xml version="1.0"?>\n<a/>\n', "<!--"),
    ],
)
def test_code_headers_per_language(
    filename: str | None, media_type: str, source: str, opener: str
) -> None:
    copy = apply_mark(source.encode(), media_type, MARK, key=KEY, filename=filename)
    text = copy.data.decode()
    head = [line for line in text.splitlines() if not line.startswith(("<?xml", "<!DOCTYPE"))]
    assert head[0].startswith(opener)
    visible = text.translate(ZW_TABLE).splitlines()
    assert all(line in visible for line in source.splitlines())
    assert verdict(copy.data, "text/plain") == f"identified:{COPY_ID}"


def test_text_that_is_not_utf8_is_refused() -> None:
    from crownjewels.disclosure.watermark.engine import MarkError

    with pytest.raises(MarkError, match="not UTF-8 text"):
        apply_mark(b"caf\xe9 au lait " * 10, "text/plain", MARK, key=KEY)
