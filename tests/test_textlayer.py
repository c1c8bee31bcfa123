"""STEM.pdf's invisible text is the final (corrected) text, at the words' boxes.

Real Tesseract reads a Vietnamese page with the English model (``-l eng``), which
drops most tone marks ("cai cach hanh chinh"); the repair stage restores them, so
the PDF must carry the repaired words, not Tesseract's.
"""
from __future__ import annotations

import html
import json
import re
import subprocess

import pikepdf
import pytest

from bench.scangen import render_document
from pipeline.document import write_document
from pipeline.options import OcrOptions
from pipeline.page import ocr_page

BODY = [
    "Thực hiện Quyết định số 20/QĐ-BCĐCCHC ngày 20/12/2019 của Ban Chỉ đạo cải cách hành chính "
    "của Chính phủ về việc ban hành Kế hoạch tổng kết thực hiện Chương trình tổng thể.",
    "Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành báo cáo kết quả trước ngày 15/4/2020.",
]
OPTIONS = OcrOptions(jobs=1, lang="eng", progress=False, tables=False)


def _pdftotext(pdf, *flags) -> str:
    return subprocess.run(["pdftotext", *flags, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The same page OCR'd twice (two Tesseract runs, as a killed and rerun job would)."""
    d = tmp_path_factory.mktemp("textlayer")
    image = render_document(BODY, font="LiberationSerif", size_pt=13, dpi=300, max_pages=1)[0].image
    results = []
    for i in (1, 2):
        (d / f"w{i}").mkdir()
        results.append(ocr_page(image, 300, OPTIONS, d / f"w{i}"))
    assert all(r.error is None and r.pdf is not None for r in results)
    return d, results


@pytest.fixture(scope="module")
def doc(pages):
    d, results = pages
    write_document("doc", d / "doc.png", results[:1], d / "out", OPTIONS)
    return d / "out"


def test_pdf_text_is_the_corrected_text(doc):
    final = (doc / "doc.txt").read_text(encoding="utf-8")
    raw = (doc / "doc.raw.txt").read_text(encoding="utf-8")
    assert "cải cách hành chính" in " ".join(final.split())
    assert "cải" not in raw.split() and "cai" in raw.split()  # the repair changed this page
    layer = _pdftotext(doc / "doc.pdf", "-raw")  # content-stream order: our reading order
    assert layer.split() == final.split()


def test_pdf_words_lie_over_their_boxes(doc):
    page = json.loads((doc / "doc.json").read_text(encoding="utf-8"))["pages"][0]
    k = 72.0 / page["dpi"]
    words = [(w, ln["box"]) for ln in page["lines"] for w in ln["words"]]
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                       _pdftotext(doc / "doc.pdf", "-bbox-layout"))
    assert [html.unescape(f[4]) for f in found] == [w["final"] for w, _ in words]
    with pikepdf.open(doc / "doc.pdf") as pdf:  # the page is its image: y from the top matches too
        box = [float(v) for v in pdf.pages[0].mediabox]
    assert max(abs(a - b) for a, b in zip(box, (0, 0, page["width"] * k, page["height"] * k))) < 0.01
    for (x0, y0, x1, y1, _text), (w, line_box) in zip(found, words):
        # Across: the word's box. Down: its line's box (the run is as tall as the line).
        expected = (w["box"][0] * k, line_box[1] * k, w["box"][2] * k, line_box[3] * k)
        assert max(abs(float(a) - b) for a, b in zip((x0, y0, x1, y1), expected)) < 0.1, (w, x0, y0, x1, y1)


def test_same_pages_give_identical_pdf_bytes(pages):
    d, results = pages
    for i, r in enumerate(results):
        write_document("doc", d / "doc.png", [r], d / f"run{i}", OPTIONS)
    assert (d / "run0" / "doc.pdf").read_bytes() == (d / "run1" / "doc.pdf").read_bytes()


def test_line_with_changed_token_count_is_one_run(pages, tmp_path):
    _d, results = pages
    r = results[0]
    saved = [(ln.final, [w.final for w in ln.words]) for ln in r.lines]
    try:
        line = r.lines[0]
        line.final = "Thực hiện " + line.final  # one more token than words: no per-word finals
        for w in line.words:
            w.final = None
        write_document("doc", tmp_path / "doc.png", [r], tmp_path, OPTIONS)
    finally:
        for ln, (final, finals) in zip(r.lines, saved):
            ln.final = final
            for w, f in zip(ln.words, finals):
                w.final = f
    first = _pdftotext(tmp_path / "doc.pdf", "-raw").splitlines()[0]
    assert first.split() == ("Thực hiện " + saved[0][0]).split()


def test_unexpected_page_pdf_keeps_tesseract_words(pages, tmp_path):
    _d, results = pages
    r = results[1]
    odd = tmp_path / "odd.pdf"
    with pikepdf.open(r.pdf) as pdf:  # a page someone else has drawn on too
        pdf.pages[0].contents_add(pikepdf.Stream(pdf, b"q 0 0 1 1 re f Q\n"))
        pdf.save(odd)
    page_pdf, steps = r.pdf, list(r.steps)
    r.pdf = odd
    try:
        write_document("doc", tmp_path / "doc.png", [r], tmp_path / "out", OPTIONS)
        page = json.loads((tmp_path / "out" / "doc.json").read_text(encoding="utf-8"))["pages"][0]
    finally:
        r.pdf, r.steps = page_pdf, steps
    assert any(s.startswith("PDF text layer: Tesseract's raw words kept") for s in page["steps"])
    assert _pdftotext(tmp_path / "out" / "doc.pdf", "-raw").split() == r.raw_text.split()


def test_failed_page_gets_image_only(pages, tmp_path):
    _d, results = pages
    r = results[0]
    page_pdf = r.pdf
    r.pdf = None  # as for a page Tesseract failed on: the image alone
    try:
        write_document("doc", tmp_path / "doc.png", [r], tmp_path, OPTIONS)
    finally:
        r.pdf = page_pdf
    assert _pdftotext(tmp_path / "doc.pdf").strip() == ""
