"""The OCR stage end to end: real Tesseract on scans our generator makes.

One module-scoped run OCRs good and bad inputs together (as a user would),
and the tests check its outputs, its error lines and the exit code.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pikepdf
import pytest
from PIL import Image

from bench.ocr import error_counts
from bench.scangen import MASTHEAD, PROFILES, Profile, degrade, render_document, write_pdf
from pipeline.api import ocr
from pipeline.cli import main
from pipeline.errors import ExitCode
from pipeline.options import OcrOptions

BODY = [
    "Thực hiện Quyết định số 20/QĐ-BCĐCCHC ngày 20/12/2019 của Ban Chỉ đạo cải cách hành chính "
    "của Chính phủ về việc ban hành Kế hoạch tổng kết thực hiện Chương trình tổng thể.",
    "Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành báo cáo kết quả trước ngày 15/4/2020.",
]
SKEWED = Profile("test-skew", skew_max=4.0, blur_sigma=0.4, noise_sigma=5)
UPSIDE_DOWN = Profile("test-180", rotate=180, noise_sigma=4)


def cer(truth: str, text: str) -> float:
    edits, chars, _w, _n = error_counts(truth, text)  # whitespace-normalised, as the OCR bench counts
    return edits / max(1, chars)


def _page(seed: int, header=None, title=(), profile: Profile = PROFILES["clean"]):
    page = render_document(BODY, font="LiberationSerif", size_pt=13, dpi=300, header=header, title=title,
                           max_pages=1)[0]
    return degrade(page.image, profile, seed=seed), page.truth


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("ocr")
    masthead, masthead_truth = _page(1, header=MASTHEAD, title=("KẾ HOẠCH",))
    skewed, skewed_truth = _page(2, profile=SKEWED)
    write_pdf([masthead, skewed], d / "plan.pdf", dpi=300)
    upside, upside_truth = _page(3, profile=UPSIDE_DOWN)
    upside.save(d / "upside.png", dpi=(300, 300))
    frames = [_page(4)[0], _page(5)[0].rotate(90, expand=True)]  # the second one lies on its side
    frames[0].save(d / "two.tif", save_all=True, append_images=frames[1:], dpi=(300, 300))
    # Bad inputs, one of each kind.
    (d / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage, no xref, no trailer\n")
    (d / "empty.pdf").write_bytes(b"")
    with pikepdf.new() as pdf:
        pdf.save(d / "nopages.pdf")
    with pikepdf.open(d / "plan.pdf") as pdf:
        pdf.save(d / "locked.pdf", encryption=pikepdf.Encryption(user="secret", owner="secret"))
    (d / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    inputs = [d / n for n in ("corrupt.pdf", "plan.pdf", "empty.pdf", "upside.png", "nopages.pdf",
                              "locked.pdf", "two.tif", "broken.png")]
    errors: list[str] = []
    report = ocr(inputs, d / "out", OcrOptions(jobs=2, progress=False), on_error=errors.append)
    return {"dir": d, "out": d / "out", "report": report, "errors": errors,
            "truth": {"masthead": masthead_truth, "skewed": skewed_truth, "upside": upside_truth}}


def test_every_output_is_written(run):
    out = run["out"]
    for stem, pages in (("plan", 2), ("upside", 1), ("two", 2)):
        text = (out / f"{stem}.txt").read_text(encoding="utf-8")
        raw = (out / f"{stem}.raw.txt").read_text(encoding="utf-8")
        assert text.count("\f") == pages - 1 and raw.count("\f") == pages - 1
        doc = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        assert [p["number"] for p in doc["pages"]] == list(range(1, pages + 1))
        word = doc["pages"][0]["lines"][0]["words"][0]
        assert set(word) == {"text", "final", "box", "confidence"} and len(word["box"]) == 4
        assert doc["pages"][-1]["final_text"] == text.split("\f")[-1].rstrip("\n")
        with pikepdf.open(out / f"{stem}.pdf") as pdf:
            assert len(pdf.pages) == pages
    # No temp files left behind by the atomic writes.
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_searchable_pdf_text_is_selectable(run):
    layer = subprocess.run(["pdftotext", str(run["out"] / "plan.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert "Quyết định" in layer and "Chính phủ" in layer
    assert cer(run["truth"]["skewed"], layer.split("\f")[1]) < 0.1


def test_word_boxes_are_in_page_image_pixels(run):
    """Tesseract reads a smaller copy of a 300-DPI page; its boxes must come back to full scale."""
    doc = json.loads((run["out"] / "plan.json").read_text(encoding="utf-8"))
    page = doc["pages"][0]  # the clean masthead page: the processed image is the input image
    assert (page["width"], page["dpi"]) == (2480, 300)
    assert any(s.startswith("recognised at ") for s in page["steps"])
    with pikepdf.open(run["dir"] / "plan.pdf") as pdf:
        first = pdf.pages[0]
        # pikepdf 10.18 deprecates Page.images for get_images(), which older releases we allow lack
        images = first.get_images() if hasattr(first, "get_images") else first.images
        image = pikepdf.PdfImage(next(iter(images.values()))).as_pil_image().convert("L")
    ink = np.asarray(image) < 128
    words = [w for ln in page["lines"] for w in ln["words"] if len(w["text"]) >= 3]
    for w in words:
        x0, y0, x1, y1 = w["box"]
        assert ink[y0:y1, x0:x1].mean() > 0.05, w
    assert max(w["box"][2] for w in words) > 0.75 * page["width"]  # the text spans the page


def test_masthead_columns_do_not_interleave(run):
    first = (run["out"] / "plan.txt").read_text(encoding="utf-8").split("\f")[0]
    lines = [ln for ln in first.splitlines() if ln.strip()]
    order = [next(i for i, ln in enumerate(lines) if key in ln)
             for key in ("ỦY BAN NHÂN DÂN", "TỈNH BÌNH ĐỊNH", "CỘNG HÒA XÃ HỘI", "Độc lập", "KẾ HOẠCH")]
    assert order == sorted(order) and len(set(order)) == 5
    assert cer(run["truth"]["masthead"], first) < 0.05


def test_skewed_page_is_straightened(run):
    page = json.loads((run["out"] / "plan.json").read_text(encoding="utf-8"))["pages"][1]
    assert 2.0 <= abs(page["skew"]) <= 4.5
    assert cer(run["truth"]["skewed"], page["final_text"]) < 0.05


def test_upside_down_page_is_turned(run):
    page = json.loads((run["out"] / "upside.json").read_text(encoding="utf-8"))["pages"][0]
    assert page["rotation"] == 180
    assert cer(run["truth"]["upside"], page["final_text"]) < 0.05


def test_sideways_tiff_frame_is_turned(run):
    pages = json.loads((run["out"] / "two.json").read_text(encoding="utf-8"))["pages"]
    assert [p["rotation"] for p in pages] == [0, 90]
    assert "Chính phủ" in pages[1]["final_text"] and "Ủy ban nhân dân" in pages[1]["final_text"]


def test_bad_inputs_get_one_line_each_and_the_rest_complete(run):
    errors, report = run["errors"], run["report"]
    expected = {"corrupt.pdf": "damaged", "empty.pdf": "empty", "nopages.pdf": "no pages",
                "locked.pdf": "password", "broken.png": "cannot read as an image"}
    assert len(errors) == len(expected)
    for name, what in expected.items():
        line = next(e for e in errors if name in e)
        assert what in line and "—" in line and "\n" not in line  # names the file, says the fix
    assert report.exit_code == ExitCode.INPUT_FILE  # the first bad input decides the code
    done = {d.source.name for d in report.documents if d.outputs}
    assert done == {"plan.pdf", "upside.png", "two.tif"}


def test_encrypted_pdf_exit_code(tmp_path, run, capsys):
    code = main(["ocr", str(run["dir"] / "locked.pdf"), "-o", str(tmp_path), "-q"])
    assert code == ExitCode.ENCRYPTED_PDF
    assert "locked.pdf: PDF is password-protected" in capsys.readouterr().err


def test_tesseract_timeout_fails_the_page_not_the_run(tmp_path, run, capsys):
    code = main(["ocr", str(run["dir"] / "upside.png"), "-o", str(tmp_path), "-q", "--page-timeout", "0.01"])
    assert code == ExitCode.CHILD_PROCESS
    err = capsys.readouterr().err
    assert "upside.png page 1: tesseract timed out" in err
    assert (tmp_path / "upside.pdf").exists()  # the document is still written, page image only


def test_missing_language_pack(tmp_path):
    env_dir = tmp_path / "tessdata"
    env_dir.mkdir()
    img = tmp_path / "p.png"
    Image.new("L", (200, 100), 255).save(img)
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "ocr", str(img), "-o", str(tmp_path / "o")],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin",
                                                                 "TESSDATA_PREFIX": str(env_dir)})
    assert proc.returncode == ExitCode.MISSING_DEPENDENCY
    assert "'vie' is missing" in proc.stderr and "apt-get install tesseract-ocr-vie" in proc.stderr


def test_bad_jobs_argument():
    with pytest.raises(SystemExit) as exc:
        main(["ocr", "x.pdf", "-o", "out", "--jobs", "0"])
    assert exc.value.code == ExitCode.BAD_ARGS


def test_missing_poppler_fails_once_up_front(tmp_path, run):
    bin_dir = tmp_path / "bin"  # tesseract on the PATH, poppler not
    bin_dir.mkdir()
    (bin_dir / "tesseract").symlink_to("/usr/bin/tesseract")
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "ocr", str(run["dir"] / "plan.pdf"),
                           "-o", str(tmp_path / "o")], capture_output=True, text=True,
                          env={"PATH": str(bin_dir), "OMP_THREAD_LIMIT": "1"})
    assert proc.returncode == ExitCode.MISSING_DEPENDENCY
    assert proc.stderr.count("pdftoppm") == 1 and "apt-get install poppler-utils" in proc.stderr


def test_pdf_pages_render_grey_at_their_scan_resolution(run):
    from pipeline.errors import CorruptPdfError
    from pipeline.ingest import load_page, open_source

    source = open_source(run["dir"] / "plan.pdf")
    image, dpi = load_page(source, 1)
    assert (image.mode, image.size, dpi) == ("L", (2480, 3508), 300)
    with pytest.raises(CorruptPdfError) as err:
        load_page(source.__class__(source.path, "pdf", source.page_dpis + (300,)), 2)  # no page 3
    assert "page 3 cannot be rendered" in str(err.value)
