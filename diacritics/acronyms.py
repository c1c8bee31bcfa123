"""Administrative acronyms followed by the words they stand for, for the language model's sake.

The corpus the model is counted on spells most administrative acronyms out: TTHC is in
it 97 times, ``thủ tục hành chính`` 3,134 times, so TTHC has no id of its own and
is an unknown word to the model, and the words after it lose their context. Read as the
acronym followed by its words, it gives that context back: ``TTHC`` then ``thủ tục hành
chính`` before the next word. The acronym itself stays in front, so the word before it
is scored as before an unknown word: put in its place, the words also reach back (``hồ
sơ thủ tục hành chính`` made ``Số TTHC`` into ``Sơ TTHC``). Only the model sees the words;
the text keeps the acronym.

On English OCR of the seed reports and devset documents: 474 word errors before, 471
followed by its words, 476 followed by its last two, 477 put in its place.
The list is hand-kept in ``lexicon/acronym_expansions.txt``.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

EXPANSIONS_PATH = Path(__file__).resolve().parent.parent / "lexicon" / "acronym_expansions.txt"

# an acronym standing alone: not part of a code (04/KH-UBND, QĐ-BCĐCCHC) or a longer word
_ALONE = re.compile(r"(?<![\w/-])[A-ZĐ][A-Za-zĐ]+(?![\w/-])")


@functools.lru_cache(maxsize=1)
def expansions() -> dict[str, str]:
    """Acronym → the words it stands for (lower-case, space-separated)."""
    out = {}
    for line in EXPANSIONS_PATH.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            acronym, words = line.split("\t", 1)
            out[acronym] = words.strip()
    return out


def spelt_out(text: str, vocab: dict[str, int]) -> str:
    """``text`` with its words for each acronym standing alone in it that ``vocab`` has no
    id for and the list has words for, put after the acronym."""
    table = expansions()

    def with_words(m: re.Match) -> str:
        acronym = m.group(0)
        words = table.get(acronym)
        return f"{acronym} {words}" if words and acronym.lower() not in vocab else acronym
    return _ALONE.sub(with_words, text)
