"""Suite "repair": OCR-error repair, measured on pages whose truth we know.

(a) wrong-language OCR: devset pages rendered and OCR'd with ``-l eng``;
    word error rate of the raw OCR and after ``sohoa restore`` (auto mode);
(b) our own ``-l vie`` OCR: character error rate on degraded renders before
    and after the ``ocr`` mode, and the errors the repair introduces on clean
    renders (words OCR got right that the repair changed), per 1,000 chars;
(c) the first 75 lines of seed 003 (the Bình Định plan, English OCR) before
    and after.

The devset is never trained on. OCR outputs are cached under
``bench/work/ocr_cache`` keyed by image content, so re-runs skip Tesseract.
"""
from __future__ import annotations

import random
import re
import time
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

TITLE = "OCR repair (issue 4)"
ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT.parent / "shared" / "devset" / "legal_phapdien_dev.txt"
SEED003 = ROOT.parent / "shared" / "seeds" / "003_ac805ce7c85713f0.txt"
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def wer(truth: str, hyp: str) -> tuple[int, int]:
    t = words(truth)
    return Levenshtein.distance(t, words(hyp)), len(t)


LAYOUT_BLOCK = 6  # a gap of more words than this is reading order or a lost block, not a misread


def cer(truth: str, hyp: str) -> tuple[int, int]:
    """Character errors inside the aligned text, and the number of truth characters.

    Words are aligned first; a run of more than ``LAYOUT_BLOCK`` unmatched
    words (a paragraph read in another order, a lost header) is left out:
    it is a layout error no text repair can touch, and it is the same before
    and after repair.
    """
    t, h = words(truth), words(hyp)
    errors = 0
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(t, h).as_list():
        if tag != "equal" and max(i2 - i1, j2 - j1) <= LAYOUT_BLOCK:
            errors += Levenshtein.distance(" ".join(t[i1:i2]), " ".join(h[j1:j2]))
    return errors, len(" ".join(t))


def syllable_errors(truth: str, hyp: str) -> tuple[int, int]:
    """Character errors on Vietnamese words only (what the repair is for), and their length.

    Counts the words aligned one to one whose truth is a Vietnamese syllable:
    numbers, codes, foreign names and layout are left out.
    """
    from diacritics.tone import is_syllable
    t, h = words(truth), words(hyp)
    errors = total = 0
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(t, h).as_list():
        if tag not in ("equal", "replace") or i2 - i1 != j2 - j1:
            continue
        for a, b in zip(t[i1:i2], h[j1:j2]):
            if is_syllable(a):
                errors += Levenshtein.distance(a, b)
                total += len(a)
    return errors, total


def introduced(truth: str, raw: str, fixed: str, seen: Counter | None = None) -> int:
    """Characters of error on words the OCR got right and the repair changed.

    ``seen`` (if given) counts each such change as ``before → after``.
    """
    t, r, f = words(truth), words(raw), words(fixed)
    if len(r) != len(f):
        return Levenshtein.distance(" ".join(r), " ".join(f))
    ok = set()
    for tag, i1, i2, j1, _j2 in Levenshtein.opcodes(t, r).as_list():
        if tag == "equal":
            ok.update(range(j1, j1 + (i2 - i1)))
    bad = [j for j in ok if r[j] != f[j]]
    if seen is not None:
        seen.update(f"{r[j]} → {f[j]}" for j in bad)
    return sum(Levenshtein.distance(r[j], f[j]) for j in bad)


def devset_paragraphs() -> list[str]:
    paras = []
    for line in DEVSET.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#") or not 30 <= len(line) <= 600 or "|" in line \
                or re.search(r"\d{12,}", line):   # table dumps: long digit runs, not prose
            continue
        paras.append(line)
    return paras


def make_pages(n: int, profiles: tuple[str, ...], seed: int, fonts=("LiberationSerif", "NotoSerif",
                                                                   "DejaVuSerif", "FreeSerif")):
    """Deterministic devset pages: [(image, truth, dpi, profile)]."""
    from lexicon.ocr_pairs import make_page

    paras = devset_paragraphs()
    rng = random.Random(seed)
    start = rng.randrange(len(paras) - 20 * n)
    out = []
    for i in range(n):
        chunk = paras[start + 14 * i:start + 14 * (i + 1)]
        prng = random.Random(f"{seed}:{i}")
        img, truth, meta = make_page(chunk, prng, profile_name=profiles[i % len(profiles)],
                                     font=fonts[i % len(fonts)], masthead=False)
        out.append((img, truth, meta["dpi"], meta["profile"]))
    return out


def seed_pages(per_seed: int = 2):
    """Clean renders of the clean seed reports (000, 002, 004): [(image, truth, dpi, profile)]."""
    from bench import scangen
    out = []
    for name in ("000_08936da748c34128.txt", "002_c4bd65532f1752b6.txt", "004_6ba27df1980e2c46.txt"):
        paras = scangen.clean_seed_text((SEED003.parent / name).read_text(encoding="utf-8"))
        paras = [p for p in paras if "\t" not in p and len(p) > 30]
        for page in scangen.render_document(paras, font="LiberationSerif", size_pt=13, dpi=300,
                                            max_pages=per_seed):
            out.append((page.image, page.truth, 300, "clean"))
    return out


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / max(b, 1):.1f} %"


def run(quick: bool = False) -> str:
    from diacritics.repair import repair_document
    from lexicon.ocr_pairs import tesseract

    n = 3 if quick else 10
    lines = []

    # (a) wrong-language OCR
    t0 = time.perf_counter()
    e_before = e_after = e_total = 0
    repair_s = 0.0
    for img, truth, dpi, _prof in make_pages(n, ("clean", "office"), seed=11):
        raw = tesseract(img, "eng", dpi)
        t1 = time.perf_counter()
        fixed = repair_document(raw, mode="auto").text
        repair_s += time.perf_counter() - t1
        b, tot = wer(truth, raw)
        a, _ = wer(truth, fixed)
        e_before, e_after, e_total = e_before + b, e_after + a, e_total + tot
    print(f"[repair] (a) {n} eng pages: WER {_pct(e_before, e_total)} → {_pct(e_after, e_total)} "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
    lines += ["### (a) Wrong-language OCR (`-l eng`) of devset pages, repaired by `sohoa restore` (auto)",
              "",
              "| pages | words | WER raw OCR | WER after repair | repair time |",
              "|---|---|---|---|---|",
              f"| {n} (clean + office scans) | {e_total} | {_pct(e_before, e_total)} | "
              f"**{_pct(e_after, e_total)}** | {repair_s:.1f} s |", ""]

    # (b) our own vie OCR
    rows, notes = [], []
    sets = (("degraded devset", lambda: make_pages(2 * n, ("office", "photocopy", "lowres150", "harsh"),
                                                   seed=23)),
            ("clean devset", lambda: make_pages(n, ("clean",), seed=37)),
            ("clean seed reports", lambda: seed_pages(1 if quick else 2)))
    for label, pages in sets:
        c_before = c_after = c_total = new = s_before = s_after = s_total = 0
        seen: Counter = Counter()
        for img, truth, dpi, _prof in pages():
            raw = tesseract(img, "vie", dpi)
            fixed = repair_document(raw, mode="ocr").text
            b, tot = cer(truth, raw)
            a, _ = cer(truth, fixed)
            c_before, c_after, c_total = c_before + b, c_after + a, c_total + tot
            b, tot = syllable_errors(truth, raw)
            a, _ = syllable_errors(truth, fixed)
            s_before, s_after, s_total = s_before + b, s_after + a, s_total + tot
            new += introduced(truth, raw, fixed, seen)
        removed = (c_before - c_after) / max(c_before, 1)
        s_removed = (s_before - s_after) / max(s_before, 1)
        if seen:
            notes.append(f"Changes counted as new errors on the {label} pages (the truth word, as the OCR "
                         "read it → the repair): " + ", ".join(
                             f"{k} ×{v}" if v > 1 else k for k, v in seen.most_common()) + ".")
        rows.append(f"| {label} | {c_total} | {_pct(c_before, c_total)} → {_pct(c_after, c_total)} "
                    f"({100 * removed:.0f} % removed) | {s_before} → {s_after} "
                    f"({100 * s_removed:.0f} % removed) | {1000.0 * new / max(c_total, 1):.2f} |")
        print(f"[repair] (b) vie {label}: CER {_pct(c_before, c_total)} → {_pct(c_after, c_total)}, "
              f"new errors {1000.0 * new / max(c_total, 1):.2f}/1000", flush=True)
    lines += ["### (b) Our own OCR (`-l vie`), post-corrected by the `ocr` mode", "",
              "| scans | chars | CER, raw OCR → after | char errors in Vietnamese words, raw → after "
              "| new errors per 1,000 chars |",
              "|---|---|---|---|---|", *rows, "",
              "CER counts every character error inside the aligned text (long unmatched runs, i.e. "
              "reading-order and lost-block errors, are left out: no text repair can touch them). "
              "The second column counts only words whose truth is a Vietnamese syllable — what "
              "the repair is for; numbers, codes and foreign names are excluded. *New errors* are "
              "character changes the repair made to words the OCR had right (the devset has typos "
              "of its own, and fixing one counts here as a new error). The clean seed reports are "
              "seeds 000, 002 and 004 rendered clean (LiberationSerif 13 pt, 300 dpi).", "", *notes, ""]

    # (c) seed 003
    seed = SEED003.read_text(encoding="utf-8").split("\n")[:75]
    fixed = repair_document("\n".join(seed), mode="auto").text.split("\n")
    lines += ["### (c) Seed 003 (Bình Định plan, English OCR): first 75 lines", "",
              "| # | before | after |", "|---|---|---|"]
    for i, (b, a) in enumerate(zip(seed, fixed), 1):
        if b.strip():
            lines.append(f"| {i} | {_cell(b)} | {_cell(a)} |")
    return "\n".join(lines)


def _cell(s: str) -> str:
    return s.strip().replace("|", "\\|")
