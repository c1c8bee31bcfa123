"""The long-lived Tesseract engine: same results as the program, and a bad page costs only that page."""
from __future__ import annotations

import os
import signal
import sys
import textwrap

import numpy as np
import pytest

from bench.scangen import render_document
from pipeline import tesseract
from pipeline.errors import ExternalProgramError
from pipeline.tesseract import Engine, recognise, recognise_gray

LINES = ["Ủy ban nhân dân tỉnh Bình Định ban hành Kế hoạch số 04/KH-UBND "
         "về cải cách hành chính.",
         "Tỷ lệ hồ sơ giải quyết đúng hạn đạt 91,41 % trong năm 2020."]


@pytest.fixture(scope="module")
def page():
    image = render_document(LINES, font="LiberationSerif", size_pt=12, dpi=300, max_pages=1)[0].image
    return np.ascontiguousarray(np.asarray(image.convert("L")))


def _fake_server(tmp_path, body: str):
    """A stand-in server: says it is ready, then does ``body`` with the first page."""
    path = tmp_path / "fake_server.py"
    path.write_text(textwrap.dedent('''\
        import json, os, signal, sys, time
        sys.stdout.buffer.write(b'{"ready": true}\\n'); sys.stdout.buffer.flush()
        req = json.loads(sys.stdin.buffer.readline())
        sys.stdin.buffer.read(req["w"] * req["h"])
        ''') + textwrap.dedent(body), encoding="utf-8")
    return path


def test_engine_reads_pages_exactly_as_the_program(tmp_path, page):
    import cv2

    cv2.imwrite(str(tmp_path / "in.png"), page)
    by_program = recognise(tmp_path / "in.png", tmp_path / "prog", lang="vie", psm=3, dpi=300, timeout=120, pdf=True)
    engine = Engine("vie")
    try:
        for k in range(2):  # the second page on the same engine: nothing carried over
            tsv, text = engine.recognise(page, dpi=300, psm=3, timeout=120, pdf_base=str(tmp_path / f"eng{k}"))
            # Word rows as the program writes them (the engine leaves out the block/line box rows).
            assert tsv.splitlines() == [r for r in by_program.tsv.splitlines() if r.startswith(("level", "5\t"))]
            assert text == by_program.text
            assert (tmp_path / f"eng{k}.pdf").read_bytes().startswith(b"%PDF")
    finally:
        engine.close()
    assert "Bình Định" in text and "91,41" in text


def test_a_crash_costs_the_page_and_the_next_page_gets_a_fresh_engine(tmp_path, page, monkeypatch):
    engine = Engine("vie")
    monkeypatch.setattr(engine, "SERVER", _fake_server(tmp_path, "os.kill(os.getpid(), signal.SIGSEGV)\n"))
    with pytest.raises(ExternalProgramError, match=r"p\.png page 1: tesseract crashed"):
        engine.recognise(page, dpi=300, psm=3, timeout=60, page="p.png page 1")
    monkeypatch.setattr(engine, "SERVER", Engine.SERVER)
    try:
        _tsv, text = engine.recognise(page, dpi=300, psm=3, timeout=120)
        assert "Bình Định" in text
    finally:
        engine.close()


def test_a_hung_page_times_out_and_its_server_is_killed(tmp_path, page, monkeypatch):
    engine = Engine("vie")
    monkeypatch.setattr(engine, "SERVER", _fake_server(tmp_path, "time.sleep(3600)\n"))
    engine._start()
    proc = engine._proc
    with pytest.raises(ExternalProgramError, match="tesseract timed out after 0.5 s"):
        engine.recognise(page, dpi=300, psm=3, timeout=0.5, page="p.png page 2")
    assert proc.poll() is not None and engine._proc is None


def test_without_the_library_the_program_is_used(tmp_path, page, monkeypatch):
    fake = tmp_path / "no_library.py"
    fake.write_text("import sys\nsys.stdout.write('{\"ready\": false, \"error\": \"no library\"}\\n')\n")
    monkeypatch.setattr(Engine, "SERVER", fake)
    monkeypatch.setattr(tesseract, "_unavailable", set())
    monkeypatch.setattr(tesseract, "_engines", type(tesseract._engines)())
    rec = recognise_gray(page, tmp_path / "out", lang="vie", psm=3, dpi=300, timeout=120, pdf=False)
    assert "vie" in tesseract._unavailable
    assert "Bình Định" in rec.text and rec.tsv.startswith("level\tpage_num")
    assert not list(tmp_path.glob("*.pgm"))  # the program's scratch image is cleaned up


def test_variables_hold_for_one_page_only(page):
    engine = Engine("vie")
    try:
        digits, _ = engine.recognise(page, dpi=300, psm=6, timeout=120,
                                     variables={"tessedit_char_whitelist": "0123456789"})
        words = [row.split("\t")[11] for row in digits.splitlines()[1:]]
        assert words and all(w.isdigit() for w in words)
        _tsv, text = engine.recognise(page, dpi=300, psm=6, timeout=120)
        assert "Bình Định" in text  # the whitelist is gone again
    finally:
        engine.close()


def test_table_words_are_valued_as_pytesseract_values_them(page):
    from pytesseract.pytesseract import file_to_dict

    from table_extract.ocr import _word_columns

    engine = Engine("vie")
    try:
        tsv, _text = engine.recognise(page, dpi=300, psm=6, timeout=120)
    finally:
        engine.close()
    assert _word_columns(tsv) == file_to_dict(tsv, "\t", -1)
    assert _word_columns(tsv + "5\t1\t9\t1\t1\t1\t0\t0\t1\t1\t95.5\t\n") == \
        file_to_dict(tsv + "5\t1\t9\t1\t1\t1\t0\t0\t1\t1\t95.5\t\n", "\t", -1)  # a last word with no text


def test_an_engine_that_cannot_restart_fails_the_page_cleanly(tmp_path, page, monkeypatch):
    engine = Engine("vie")
    fake = tmp_path / "no_library.py"
    fake.write_text("import sys\nsys.stdout.write('{\"ready\": false, \"error\": \"out of memory\"}\\n')\n")
    monkeypatch.setattr(engine, "SERVER", fake)
    with pytest.raises(ExternalProgramError, match="p.png page 3: the Tesseract engine could not start again"):
        engine.recognise(page, dpi=300, psm=3, timeout=60, page="p.png page 3")


@pytest.mark.parametrize("use_program", [False, True])
def test_a_page_named_with_dots_gets_its_own_outputs(tmp_path, page, monkeypatch, use_program):
    # sohoa run names page files after the document (report.v2 → report.v2-…-p00001): the
    # extension is appended by Tesseract, so the outputs are found under that whole name
    if use_program:
        monkeypatch.setattr(tesseract, "_engines", type(tesseract._engines)())
        monkeypatch.setenv("SOHOA_TESSERACT", "program")
    rec = recognise_gray(page, tmp_path / "report.v2-p00001", lang="vie", psm=3, dpi=300, timeout=120, pdf=True)
    assert rec.pdf == tmp_path / "report.v2-p00001.pdf"
    assert rec.pdf.read_bytes().startswith(b"%PDF")
    assert "Bình Định" in rec.text
