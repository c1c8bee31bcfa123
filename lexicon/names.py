"""Where a word that starts with a marked letter is written with a capital (Bình Định, Ủy ban).

Where an export wrote ``?`` for the letters its code page lacks, a word's first
letter may be lost with its case: ``Bình ??nh`` is ``Bình Định`` but ``Quyết ??nh``
is ``Quyết định``. ``diacritics.lost_letters`` capitalises such a word mid-sentence
only where it knows the capital is usual. Built once and shipped:

* ``lexicon/data/names.txt``: names of two syllables or more, one starting with a
  marked letter, from two word lists in ``../shared/lexicons`` (administrative units
  and the capitalised entries of Viet22K, both from the underthesea wheel, Apache-2.0);
* ``lexicon/data/capitals.txt``: word pairs whose first word starts with a marked
  letter and is capitalised mid-sentence in at least 70 % of its 10+ uses in the
  corpora (``Ủy ban``, ``Đảng ủy``), counted from ``../shared/corpus`` (no text kept).

    python -m lexicon.names          # rebuild both
"""
from __future__ import annotations

import functools
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NAMES = ROOT / "data" / "names.txt"
SOURCES = ("underthesea_admin_unit_names.txt", "Viet22K.txt")
CAPITALS = ROOT / "data" / "capitals.txt"
CORPORA = ("legal_phapdien.txt.gz", "legal_vlc.txt.gz", "news_dantri.txt.gz")
CAPITAL_SHARE = 0.7
CAPITAL_MIN = 10


def _useful(name: str) -> bool:
    """A capitalised name of two or more syllables, one starting with a non-ASCII capital."""
    parts = name.split()
    return len(parts) >= 2 and all(p[:1].isupper() for p in parts) and any(not p[:1].isascii() for p in parts)


def build(lexicons: Path) -> list[str]:
    names: set[str] = set()
    for source in SOURCES:
        for line in (lexicons / source).read_text(encoding="utf-8").splitlines():
            name = unicodedata.normalize("NFC", " ".join(line.replace("-", " ").split()))
            if _useful(name):
                names.add(name)
    return sorted(names)


def build_capitals(corpus: Path) -> list[str]:
    """Word pairs (first word starting with a marked letter) the corpora capitalise mid-sentence."""
    import gzip
    import re
    from collections import Counter

    from diacritics.tone import to_style
    token = re.compile(r"[^\W\d_]+|\S")
    upper, lower = Counter(), Counter()
    for name in CORPORA:
        with gzip.open(corpus / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                toks = token.findall(unicodedata.normalize("NFC", line))
                for prev, word, nxt in zip(toks, toks[1:], toks[2:]):
                    # mid-sentence: after a small word, and before a word (Uỷ is Ủy)
                    if not prev[0].islower() or not nxt[0].isalpha():
                        continue
                    word = to_style(word, "new")
                    if word[0].isascii():
                        continue
                    key = (word.lower(), to_style(nxt.lower(), "new"))
                    (upper if word[0].isupper() else lower)[key] += 1
    return sorted(f"{w[:1].upper()}{w[1:]} {n}" for (w, n), k in upper.items()
                  if k >= CAPITAL_MIN and k >= CAPITAL_SHARE * (k + lower[(w, n)]))


@functools.lru_cache(maxsize=1)
def capital_pairs() -> frozenset[tuple[str, str]]:
    """(word, next word) where the word is usually capitalised mid-sentence, lower-case, new style."""
    return _pairs(CAPITALS)


@functools.lru_cache(maxsize=1)
def name_pairs() -> frozenset[tuple[str, str]]:
    """(syllable, next syllable) of the shipped names, lower-case, tones in the new style."""
    return _pairs(NAMES)


def _pairs(path: Path) -> frozenset[tuple[str, str]]:
    """Each line's neighbouring words, lower-case, tones in the new style."""
    from diacritics.tone import to_style
    pairs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = [to_style(p.lower(), "new") for p in line.split()]
        pairs.update(zip(parts, parts[1:]))
    return frozenset(pairs)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    shared = Path(argv[0]) if argv else ROOT.parent.parent / "shared"
    from pipeline.atomic import write_text_atomic
    names = build(shared / "lexicons")
    write_text_atomic(NAMES, "\n".join(names) + "\n")
    print(f"{len(names)} names → {NAMES}")
    capitals = build_capitals(shared / "corpus")
    write_text_atomic(CAPITALS, "\n".join(capitals) + "\n")
    print(f"{len(capitals)} capitalised word pairs → {CAPITALS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
