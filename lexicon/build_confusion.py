"""Learn the OCR confusion tables from the aligned pages of ``lexicon.ocr_pairs``.

    python -m lexicon.build_confusion [--pairs bench/work/ocr_pairs] [--out lexicon/data/ocr_confusion.json.gz]

For each Tesseract language (``eng`` = wrong-language OCR, ``vie`` = our own
OCR) it aligns every page's OCR tokens to the truth tokens and counts

* character edit operations (truth char → observed char or deletion, and
  insertions), from which ``diacritics.confusion`` derives P(observed | intended);
* whole-token pairs (``của`` → ``ctia``) seen at least twice, which capture
  multi-character garbles the character model prices too high.

Only raw counts are stored; smoothing lives in ``diacritics.confusion`` so it
can change without rebuilding.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from diacritics.confusion import align_skeleton, split_edge_punct
from diacritics.repair import count_pair
from lexicon.ocr_pairs import CORPUS, DEFAULT_OUT

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TABLE = ROOT / "lexicon" / "data" / "ocr_confusion.json.gz"
MIN_TOKEN_PAIR = 2


def word_tokens(text: str) -> list[str]:
    """Whitespace tokens with edge punctuation removed (inner junk such as ``c;éc`` kept)."""
    out = []
    for raw in text.split():
        core = split_edge_punct(raw)[1]
        if core:
            out.append(core)
    return out


def aligned_pairs(truth: str, ocr: str):
    """Yield (truth_token, ocr_token) for tokens aligned one-to-one.

    Tokens are compared through a loose skeleton (no diacritics, common OCR
    look-alikes folded) so that garbled tokens still line up with their truth.
    """
    t_tok, o_tok = word_tokens(truth), word_tokens(ocr)
    t_sk = [align_skeleton(t) for t in t_tok]
    o_sk = [align_skeleton(o) for o in o_tok]
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(t_sk, o_sk).as_list():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                t, o = t_tok[i1 + k], o_tok[j1 + k]
                # A replace block of equal length can still pair unrelated tokens:
                # keep only pairs that look like the same word.
                if tag == "replace" and Levenshtein.normalized_distance(t_sk[i1 + k], o_sk[j1 + k]) > 0.5:
                    continue
                yield t, o


def count_page(truth: str, ocr: str, chars: dict, tokens: dict) -> None:
    for t, o in aligned_pairs(truth, ocr):
        if not any(ch.isalpha() for ch in t) or any(ch.isdigit() for ch in t):
            continue  # numbers and codes are handled by rules, not the channel
        count_pair(t.lower(), o.lower(), chars, tokens)


def abbreviation_counts(min_count: int = 3) -> dict[str, int]:
    """Upper-case code parts (``QĐ``, ``NĐ``, ``UBND``, ``CCHC``) counted in the corpus.

    Lets the repair tell ``QP``/``QD`` (misread) from a real code by how often
    each spelling occurs in real documents.
    """
    counts: Counter = Counter()
    # a number may follow the letters: the QH of 91/2015/QH13 (Quốc hội) is the corpus's
    # commonest code letters after a slash, and counted alone it looked rarer than OH
    part = re.compile(r"(?<![\w])[A-ZĐ]{2,10}(?![^\W\d_])")
    for path in sorted(CORPUS.glob("*.txt.gz")):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if any(c.isupper() for c in line[:200]) or len(line) > 200:
                    counts.update(part.findall(unicodedata.normalize("NFC", line)))
    return {k: n for k, n in counts.items() if n >= min_count}


_MID_WORD = re.compile(r"(?<=[^\W\d_] )[^\W\d_]+")
MIN_SMALL_COUNT = 200   # a word seen this often after a small-letter word …
MAX_CAPITAL_SHARE = 0.01   # … and capitalised there at most this often is never a name


def small_words(max_lines: int | None = None) -> list[str]:
    """Words the corpus writes small after a small-letter word, practically always (``với``, ``xuất``).

    Lets the repair put back the small letter OCR turned into a capital
    (``phối hợp Với các``) without touching names (``của Chính phủ``, ``Sở``).
    """
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in sorted(CORPUS.glob("*.txt.gz")):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
            for i, line in enumerate(fh):
                if max_lines is not None and i >= max_lines:
                    break
                for m in _MID_WORD.finditer(unicodedata.normalize("NFC", line)):
                    w = m.group(0)
                    before = line[:m.start() - 1].rsplit(" ", 1)[-1]
                    if not (before[:1].islower() and before.isalpha()) or (w[1:] and not w[1:].islower()):
                        continue
                    counts[w.lower()][w[0].isupper()] += 1
    return sorted(w for w, (small, cap) in counts.items()
                  if small + cap >= MIN_SMALL_COUNT and cap <= MAX_CAPITAL_SHARE * (small + cap))


def is_heldout(path: Path) -> bool:
    """Every tenth page is kept out of training, for tuning the repair's weights."""
    return path.stem.endswith("9")


def build(pairs_dir: Path, out: Path) -> dict:
    files = [f for f in sorted(pairs_dir.glob("page_*.json")) if not is_heldout(f)]
    if not files:
        raise SystemExit(f"{pairs_dir}: no pages; run `python -m lexicon.ocr_pairs` first")
    table: dict = {"version": 1, "pages": len(files), "channels": {}}
    for lang in ("eng", "vie"):
        chars = {"total": Counter(), "sub": defaultdict(Counter), "ins": Counter()}
        tokens: dict = defaultdict(Counter)
        for f in files:
            rec = json.loads(f.read_text(encoding="utf-8"))
            if lang in rec:
                count_page(rec["truth"], rec[lang], chars, tokens)
        tok = {t: {o: n for o, n in c.items() if n >= MIN_TOKEN_PAIR or o == t}
               for t, c in tokens.items()}
        tok_total = {t: sum(c.values()) for t, c in tokens.items()}
        table["channels"][lang] = {
            "char_total": dict(chars["total"]),
            "sub": {c: dict(v) for c, v in chars["sub"].items()},
            "ins": dict(chars["ins"]),
            "tok": {t: v for t, v in tok.items() if len(v) > 1 or t not in v},
            "tok_total": {t: n for t, n in tok_total.items() if t in tok and (len(tok[t]) > 1 or t not in tok[t])},
        }
    return _with_corpus_counts(table, out)


def refresh_counts(out: Path) -> dict:
    """The shipped table with only its corpus counts (codes, small words) counted again:
    the OCR pairs its channels were learnt from need hours of rendering to remake."""
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        table = json.load(fh)
    return _with_corpus_counts(table, out)


def _with_corpus_counts(table: dict, out: Path) -> dict:
    table["abbrev"] = abbreviation_counts()
    table["small_words"] = small_words()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        json.dump(table, fh, ensure_ascii=False, sort_keys=True)
    tmp.replace(out)
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lexicon.build_confusion", description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--out", type=Path, default=DEFAULT_TABLE)
    ap.add_argument("--counts-only", action="store_true",
                    help="recount only the corpus counts (codes, small words) of the table at --out")
    args = ap.parse_args(argv)
    table = refresh_counts(args.out) if args.counts_only else build(args.pairs, args.out)
    for lang, ch in table["channels"].items():
        n = sum(ch["char_total"].values())
        print(f"{lang}: {n} truth chars, {len(ch['tok'])} token garbles")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB) from {table['pages']} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
