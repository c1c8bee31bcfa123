"""Specks read as words (pipeline.specks): dropped on a dirty scan, nothing dropped on a clean one."""
from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from pipeline.layout import Line, Word


def _seed_page(seeds_dir, profile):
    from bench import scangen
    text = scangen.clean_seed_text((seeds_dir / "000_08936da748c34128.txt").read_text(encoding="utf-8"))
    paras = [p for p in text if "\t" not in p and len(p) > 30][:12]
    return scangen.render_document(paras, font="LiberationSerif", size_pt=12, dpi=profile.dpi,
                                   max_pages=1)[0]


def _ocr(img, dpi):
    from lexicon.ocr_pairs import tesseract
    from pipeline.layout import page_text, parse_tsv
    lines = parse_tsv(tesseract(img, "vie", dpi, renderer="tsv"))
    return page_text(lines), lines


def _aligned(truth: str, text: str) -> tuple[int, int]:
    """(tokens of ``text`` not in the truth, tokens matching it), whitespace tokens."""
    extra = same = 0
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(truth.split(), text.split()).as_list():
        extra += (j2 - j1) if tag == "insert" else 0
        same += (j2 - j1) if tag == "equal" else 0
    return extra, same


def test_a_harsh_scan_loses_its_specks_and_keeps_every_word(seeds_dir):
    from bench import scangen
    from pipeline.specks import drop_specks
    profile = scangen.PROFILES["harsh"]   # 150 dpi, speckled, blurred
    page = _seed_page(seeds_dir, profile)
    raw, lines = _ocr(scangen.degrade(page.image, profile, seed=0), profile.dpi)
    text, kept = drop_specks(raw, lines)
    extra_before, same_before = _aligned(page.truth, raw)
    extra_after, same_after = _aligned(page.truth, text)
    assert extra_before >= 15                      # the scan did put dirt in the OCR text
    assert extra_after <= extra_before // 3        # most of it is gone …
    assert same_after == same_before               # … and no word that was read right went with it
    assert text.count("\n") == raw.count("\n")     # line breaks are the page's
    assert [" ".join(w.text for w in ws) for ws in kept if ws] == [ln for ln in text.split("\n") if ln]


def test_a_clean_scan_keeps_every_token(seeds_dir):
    from bench import scangen
    from pipeline.specks import find_specks
    page = _seed_page(seeds_dir, scangen.PROFILES["clean"])
    _raw, lines = _ocr(page.image, 300)
    dropped = [w.text for ln, marks in zip(lines, find_specks(lines)) for w, m in zip(ln.words, marks) if m]
    assert dropped == []


def _line(*words):
    return Line([Word(t, box, c) for t, box, c in words])


def _body(y, n=6):
    """A line of ordinary 40-px-high words starting at x=300."""
    return [(f"từ{i}" if i else "Người", (300 + 150 * i, y, 420 + 150 * i, y + 40), 95.0) for i in range(n)]


def test_what_stays_and_what_goes():
    from pipeline.correct import correct_page_text
    from pipeline.specks import drop_specks
    lines = [
        _line(*_body(100)),
        # a dash between words, a list marker, a number: thin or short, but the document's
        _line(("a)", (300, 200, 330, 240), 40.0), ("Hà", (345, 200, 400, 240), 90.0),
              ("-", (415, 218, 440, 222), 93.0), ("Nội", (455, 200, 520, 240), 90.0),
              ("5", (535, 202, 555, 240), 30.0), *_body(200)[3:]),
        # a dot of dirt read as ":" and a smear read as "vn" far right of the text
        _line(*_body(300)[:4], (":", (900, 310, 905, 315), 80.0), ("vn", (1500, 305, 1580, 340), 12.0)),
        # a paragraph's last word on a row of its own, read unsurely: still text
        _line(("gồm:", (300, 400, 400, 440), 25.0)),
        # a row of dirt under the text
        _line(("ˆ", (700, 520, 706, 526), 60.0), ("__", (1100, 530, 1160, 540), 20.0)),
        # a period set off by a space, read surely and on the baseline: the document's
        _line(*_body(700, 4), (".", (882, 732, 888, 740), 95.0)),
        # half of a code Tesseract split and doubted, in a box taller than text (a real contract scan)
        _line(*_body(600, 3), ("GUQ-SA", (750, 600, 900, 640), 90.0), ("VN", (890, 590, 940, 662), 34.0)),
    ]
    raw = "\n".join(ln.text for ln in lines)
    text, _kept = drop_specks(raw, lines)
    assert text.split("\n") == [lines[0].text, lines[1].text, " ".join(w.text for w in lines[2].words[:4]),
                                "gồm:", "", lines[5].text, lines[6].text]
    # the correction stage drops them before the repair reads the page, and keeps the line count
    final = correct_page_text(raw, lines)
    assert len(final.split("\n")) == len(raw.split("\n"))
    assert final.split("\n")[4] == "" and "vn" not in final and ":" not in final.split("\n")[2]
    assert "Hà - Nội 5" in final and final.startswith("Người")


def test_too_little_text_to_measure_keeps_everything():
    from pipeline.specks import find_specks
    lines = [_line(*_body(100, 3)), _line((".", (900, 110, 903, 113), 10.0))]
    assert find_specks(lines) == [[False] * 3, [False]]
    lines.append(_line(*_body(200, 6)))   # enough words now to know the text's size
    assert find_specks(lines)[1] == [True]
