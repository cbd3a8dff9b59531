"""Watermark benchmark: marking a 100-page PDF and a 50-paragraph DOCX, next to their floor.

Run with `make bench` (or `.venv/bin/python benchmarks/watermark.py [--quick]`). Measured in
one run, on one core, each the median of several rounds, printed with ratios:

1. a plain pikepdf open + save of the same 100-page PDF (the floor: marking cannot be
   cheaper than rewriting the file), then `apply_mark` on it (stamp overlay on every page,
   invisible text, Info and XMP); the target (issue #3) is at most 50 ms per 100-page PDF;
2. a plain python-docx open + save of a 50-paragraph DOCX, then `apply_mark` on it (footer
   stamp, properties, hidden text, zero-width runs in every paragraph). The issue sets no
   number for DOCX; we hold it to three times the plain open + save.

The inputs are generated (reportlab, python-docx); no file is needed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import platform
import statistics
import sys
import time
from collections.abc import Callable

import docx
import pikepdf
from reportlab.pdfgen import canvas

from crownjewels.disclosure.watermark.engine import DOCX, PDF, Mark, apply_mark

PDF_TARGET_MS = 50.0
KEY = b"benchmark-installation-key"
MARK = Mark("01HZY3K7Q8M2V5T9XWJ4N6B1CD", "Alice Smith", "Acme Ltd", dt.date(2024, 5, 1))
SENTENCE = "the blue pigment is milled twice at low heat then washed in cold brine"
WORDS = SENTENCE.split(" ")


def say(line: str = "") -> None:
    print(line, flush=True)


def make_pdf(pages: int) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(pages):
        t = c.beginText(72, 760)
        for j in range(45):
            t.textLine(f"Page {i + 1}, line {j}: " + " ".join(WORDS[j % 5 :]))
        c.drawText(t)
        c.showPage()
    c.save()
    return buf.getvalue()


def make_docx(paragraphs: int) -> bytes:
    document = docx.Document()
    for i in range(paragraphs):
        document.add_paragraph(" ".join(WORDS[(i + k) % len(WORDS)] for k in range(80)))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    fn()  # warm up: imports, font metrics, caches
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def pikepdf_resave(data: bytes) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(out)
    return out.getvalue()


def docx_resave(data: bytes) -> bytes:
    out = io.BytesIO()
    docx.Document(io.BytesIO(data)).save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke test)")
    args = parser.parse_args()
    rounds = 3 if args.quick else 15
    say(f"Watermark benchmark: Python {platform.python_version()}, pikepdf {pikepdf.__version__}")
    say(f"   {rounds} rounds each, median")
    summary: list[tuple[str, str, str, float]] = []

    pdf = make_pdf(100)
    say(f"1. 100-page PDF ({len(pdf) / 1000:,.0f} kB)")
    floor = median_ms(lambda: pikepdf_resave(pdf), rounds)
    marked = median_ms(lambda: apply_mark(pdf, PDF, MARK, key=KEY), rounds)
    say(f"   pikepdf open + save (floor):  {floor:8.1f} ms")
    say(f"   apply_mark:                   {marked:8.1f} ms = {marked / floor:.2f} x the floor")
    summary.append(
        (
            "mark 100-page PDF vs target",
            f"{marked:.1f} ms",
            f"{PDF_TARGET_MS:.0f} ms",
            PDF_TARGET_MS / marked,
        )
    )

    document = make_docx(50)
    say(f"2. 50-paragraph DOCX ({len(document) / 1000:,.0f} kB)")
    floor_d = median_ms(lambda: docx_resave(document), rounds)
    marked_d = median_ms(lambda: apply_mark(document, DOCX, MARK, key=KEY), rounds)
    say(f"   python-docx open + save (floor): {floor_d:8.1f} ms")
    ratio_d = marked_d / floor_d
    say(f"   apply_mark:                      {marked_d:8.1f} ms = {ratio_d:.2f} x the floor")
    summary.append(
        (
            "mark 50-paragraph DOCX vs its floor x 3",
            f"{marked_d:.1f} ms",
            f"{3 * floor_d:.0f} ms",
            3 * floor_d / marked_d,
        )
    )

    say()
    say("Summary (ratio = target / measured; >= 1.00 meets the target)")
    for name, measured, target, ratio in summary:
        verdict = "meets target" if ratio >= 1 else "BELOW target"
        say(f"   {name:<40}{measured:>10}  target {target:<7} ratio {ratio:5.2f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
