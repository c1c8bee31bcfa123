"""Appendix tables from scans: a generated ruled table read back with real Tesseract."""
from __future__ import annotations

import subprocess
import sys

from PIL import Image

from bench.scangen import Profile
from bench.tablegen import make_table_page
from bench.tables import score
from table_extract.scan import repair_stt, tables_from_image
from table_extract.structure import table_records


def test_ruled_scan_round_trip_skewed_150dpi():
    # 150 DPI and 2.5° of skew: the page is upscaled and levelled before the grid is read
    prof = Profile("t", dpi=150, skew_max=2.5, blur_sigma=0.4, noise_sigma=5, jpeg_quality=85)
    page = make_table_page(7, prof, n_periods=3, n_rows=6, font="LiberationSerif")
    tables = tables_from_image(page.image, page.dpi, source="gen.png", page=1, borderless=False)
    assert len(tables) == 1
    t = tables[0]
    assert t.appendix == page.meta["appendix"]
    records = table_records(t)
    tp, n_got, n_truth = score(page.records, records)
    assert n_truth >= 8
    assert tp >= n_truth - 1 and n_got <= n_truth + 1, (tp, n_got, n_truth)
    assert {r.period for r in records} <= set(page.meta["periods"])
    assert all(0 < r.confidence <= 1 for r in records)


def _no_line_masks(monkeypatch):
    """Make the full-size ruling search fail loudly: a page must be ruled out before it."""
    from table_extract import grid

    def boom(*_a, **_k):
        raise AssertionError("the page was not ruled out before the full-size morphology")

    monkeypatch.setattr(grid, "line_masks", boom)


def test_borderless_table_from_word_alignment(monkeypatch):
    page = make_table_page(11, Profile("c", dpi=300), n_periods=3, n_rows=6, font="LiberationSerif",
                           ruled=False)
    _no_line_masks(monkeypatch)  # no rulings: the ruled search stops early, the fallback still runs
    tables = tables_from_image(page.image, page.dpi, source="b.png", page=1, borderless=True)
    records = [r for t in tables for r in table_records(t)]
    tp, _n_got, n_truth = score(page.records, records)
    assert tp >= 0.8 * n_truth


def test_page_without_table_gives_nothing(tmp_path):
    blank = Image.new("L", (1240, 1754), 255)
    assert tables_from_image(blank, 150, source="blank.png", page=1) == []
    path = tmp_path / "blank.png"
    blank.save(path, dpi=(150, 150))
    out = tmp_path / "o.csv"
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "tables", str(path), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8-sig").count("\n") == 1  # header only


def test_stt_sequence_repair():
    assert repair_stt("34.1", "3") == "3.1"
    assert repair_stt("41", "4") == "4.1"
    assert repair_stt("5", "4.2") == "5"
    assert repair_stt("2.2.1", "2.2") == "2.2.1"
    assert repair_stt("9", "2") == "9"  # too far from any successor: left as read
    assert repair_stt("7", "5") == "7"  # numbering that skips a number is left alone
    assert repair_stt("3.2", "5.1", {"3", "3.1", "3.2", "5", "5.1"}) == "5.2"  # already used
    assert repair_stt("3.2.3", "5.2.2", {"5", "5.2", "5.2.1", "5.2.2"}) == "5.2.3"  # orphan


def test_sohoa_ocr_writes_tables_csv(tmp_path):
    import csv

    from bench.scangen import write_pdf

    page = make_table_page(21, Profile("o", dpi=200, skew_max=1.0, noise_sigma=5), n_periods=4, n_rows=5,
                           font="NotoSerif")
    pdf = tmp_path / "bao_cao.pdf"
    write_pdf([page.image], pdf, dpi=200)
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "ocr", str(pdf), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "out" / "bao_cao.tables.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["page"] for r in rows} == {"1"} and rows[0]["appendix"] == page.meta["appendix"]
    assert len(rows) >= len(page.records) - 1


def test_open_table_without_outer_verticals():
    import numpy as np

    page = make_table_page(31, Profile("clean300"), n_periods=4, n_rows=7, font="LiberationSerif")
    a = np.array(page.image)
    tall = np.where((a < 128).sum(axis=0) > 0.05 * a.shape[0])[0]  # the vertical rulings
    for x in (tall.min(), tall.max()):
        a[:, x - 3:x + 4] = 255
    image = Image.fromarray(a)
    tables = tables_from_image(image, 300, source="open.png", page=1, borderless=False)
    tp, _n_got, n_truth = score(page.records, [r for t in tables for r in table_records(t)])
    assert tp >= n_truth - 1


def test_sample_pdf_table_matches_its_truth(root):
    # samples/ke_hoach_cchc.pdf: page 3 is a "Phụ lục 1" table drawn by bench.scangen's own
    # renderer (not ours), with a merged "Đơn vị thống kê báo cáo" column
    from table_extract.scan import tables_from_scan
    from table_extract.text import tables_from_file

    truth = [r for t in tables_from_file(root / "samples" / "ke_hoach_cchc.truth.txt") for r in table_records(t)]
    found = tables_from_scan(root / "samples" / "ke_hoach_cchc.pdf", borderless=False)
    got = [r for t in found for r in table_records(t)]
    tp, n_got, n_truth = score(truth, got)
    assert n_truth == 42 and tp >= 41 and n_got <= 43, (tp, n_got, n_truth)
    assert {r.page for r in got} == {3} and got[0].appendix == "Phụ lục 1"


def _prose_page_jpeg(path, seed=3):
    """A degraded page of running text under a masthead with its two underlines and a signature
    rule (long runs of ink that are not a table), written as the OCR stage writes page images."""
    import cv2
    import numpy as np
    from PIL import ImageDraw

    from bench.scangen import MASTHEAD, PROFILES, degrade, render_document
    from pipeline.page import JPEG_QUALITY

    para = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; theo đề nghị của "
            "Giám đốc Sở Nội vụ tại Tờ trình số 125/TTr-SNV, Ủy ban nhân dân tỉnh ban hành kế hoạch.")
    image = render_document([para] * 8, header=MASTHEAD, max_pages=1)[0].image
    draw = ImageDraw.Draw(image)
    draw.line((300, 420, 700, 420), fill=0, width=3)       # under the left masthead
    draw.line((1250, 420, 1950, 420), fill=0, width=3)     # under "Độc lập - Tự do - Hạnh phúc"
    draw.line((1400, 3000, 2100, 3000), fill=0, width=2)   # a signature rule
    gray = np.asarray(degrade(image, PROFILES["office"], seed=seed))
    ok, buf = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    assert ok
    path.write_bytes(buf.tobytes())
    return path


def test_page_of_prose_is_ruled_out_before_the_full_size_morphology(tmp_path, monkeypatch):
    import cv2

    from table_extract import grid
    from table_extract.ocr_hook import page_gray

    gray = page_gray(_prose_page_jpeg(tmp_path / "p.jpg"))
    eh, _ev = grid._long_runs(grid.binarize(gray), 300)
    assert cv2.countNonZero(eh) > 0  # the rules do start long runs: the block test has work to do
    _no_line_masks(monkeypatch)
    assert grid.find_grids(gray, 300) == []
    assert tables_from_image(gray, 300, source="p.jpg", page=1, lines=[], skew=0.0) == []


def test_early_test_keeps_every_page_the_full_test_keeps():
    """The block test may keep a page the full one rules out, never the reverse: random rulings,
    some just long or tall enough for a grid, some just short of it."""
    import random

    import cv2
    import numpy as np

    from table_extract import grid

    dpi, kept, ruled_out = 300, 0, 0
    for seed in range(60):
        rng = random.Random(seed)
        page = np.full((900, 1200), 235, np.uint8)
        if seed % 2:  # a frame around the grid-size thresholds (300 × 90 px here)
            x, y = rng.randrange(600), rng.randrange(600)
            cv2.rectangle(page, (x, y), (x + rng.randint(200, 400), y + rng.randint(50, 130)), 0, 2)
        for _ in range(rng.randint(1, 8)):
            x, y, t = rng.randrange(1150), rng.randrange(880), rng.randint(1, 3)
            if rng.random() < 0.5:
                cv2.line(page, (x, y), (x + rng.randint(20, 500), y), 0, t)
            else:
                cv2.line(page, (x, y), (x, y + rng.randint(20, 200)), 0, t)
        binary = grid.binarize(page)
        min_w, min_h = page.shape[1] * 0.25, dpi * 0.3
        horiz, vert = grid.line_masks(binary, dpi)
        both = cv2.dilate(horiz | vert, np.ones((5, 5), np.uint8))
        _n, _lab, stats, _c = cv2.connectedComponentsWithStats(both, connectivity=8)
        full = bool(((stats[1:, 2] >= min_w) & (stats[1:, 3] >= min_h)).any())
        early = grid._runs_may_hold_grid(*grid._long_runs(binary, dpi), dpi, min_w, min_h)
        assert early or not full, seed
        kept += full
        ruled_out += not early
    assert kept >= 5 and ruled_out >= 5, (kept, ruled_out)  # both outcomes were exercised


def test_hook_decodes_the_page_jpeg_as_pil_does(tmp_path):
    import numpy as np

    from table_extract.ocr_hook import page_gray

    jpg = _prose_page_jpeg(tmp_path / "p.jpg", seed=5)
    assert np.array_equal(page_gray(jpg), np.asarray(Image.open(jpg).convert("L")))
    rgb = tmp_path / "rgb.jpg"  # not the OCR stage's grey JPEG: read through PIL as before
    Image.open(jpg).convert("RGB").save(rgb, quality=80)
    assert np.array_equal(page_gray(rgb), np.asarray(Image.open(rgb).convert("L")))


def test_hook_pages_with_and_without_a_table(tmp_path):
    from types import SimpleNamespace

    from table_extract.ocr_hook import records_from_pages

    table = make_table_page(41, Profile("clean300"), n_periods=2, n_rows=4, font="LiberationSerif")
    table_png = tmp_path / "t.png"
    table.image.save(table_png)
    pages = [SimpleNamespace(number=1, image=_prose_page_jpeg(tmp_path / "p.jpg"), dpi=300, lines=[],
                             levelled=True, error=None),
             SimpleNamespace(number=2, image=table_png, dpi=300, lines=[], levelled=True, error=None)]
    records = records_from_pages("doc", pages)
    tp, _n_got, n_truth = score(table.records, records)
    assert {r.page for r in records} == {2} and tp >= n_truth - 1, (tp, n_truth)


def _ocr_stage(image, dpi, tmp_path, name):
    """The page as `sohoa ocr` reads it: the OCR stage with its default options (psm 3)."""
    from pipeline.options import OcrOptions
    from pipeline.page import ocr_page

    return ocr_page(image, dpi, OcrOptions(jobs=1, progress=False), tmp_path, name=name)


def test_hook_reads_a_borderless_table_from_the_ocr_stage_words(tmp_path):
    from table_extract.borderless import _Line, _Word, visual_rows
    from table_extract.ocr_hook import records_from_pages

    page = make_table_page(12, Profile("c", dpi=300), n_periods=3, n_rows=5, font="LiberationSerif",
                           ruled=False)
    result = _ocr_stage(page.image, page.dpi, tmp_path, "b")
    lines = [_Line([_Word(*w.box, w.text, w.confidence) for w in ln.words]) for ln in result.lines]
    # the OCR stage's lines are one cell each; regrouped, a value row is one line again
    assert max(len(ln.words) for ln in visual_rows(lines)) > max(len(ln.words) for ln in lines)
    records = records_from_pages("b", [result])
    tp, n_got, n_truth = score(page.records, records)
    assert n_truth >= 10 and tp >= 0.8 * n_truth and n_got <= n_truth + 1, (tp, n_got, n_truth)


def test_hook_finds_no_table_in_prose_with_masthead_and_signature_block(tmp_path):
    from PIL import ImageDraw

    from bench.scangen import MASTHEAD, load_font, render_document
    from table_extract.ocr_hook import records_from_pages

    para = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; theo đề nghị của "
            "Giám đốc Sở Nội vụ tại Tờ trình số 125/TTr-SNV, Ủy ban nhân dân tỉnh ban hành kế hoạch "
            "thực hiện công tác cải cách hành chính năm 2025 như sau.")
    image = render_document([para] * 5, header=MASTHEAD, max_pages=1)[0].image
    draw = ImageDraw.Draw(image)
    small, bold = load_font("LiberationSerif", 46), load_font("LiberationSerif", 54, bold=True)
    # the signature block: recipients on the left, the signer's titles on the right, line by line
    left = ["Nơi nhận:", "- Như trên;", "- Thường trực Tỉnh ủy;", "- Các sở, ban, ngành;", "- Lưu: VT, NC."]
    right = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "Nguyễn Văn An"]
    for k, (a, b) in enumerate(zip(left, right)):
        y = 2500 + 62 * k
        draw.text((290, y), a, font=small, fill=0)
        draw.text((1420, y), b, font=bold, fill=0)
    result = _ocr_stage(image, 300, tmp_path, "p")
    assert len(result.lines) > 20
    assert records_from_pages("p", [result]) == []
