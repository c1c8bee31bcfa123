"""The post-OCR correction stage: the one place where raw OCR text becomes final text.

``correct_page_text`` is the plug for the diacritics/OCR-repair stage
(``diacritics/``): when that stage exists, this function's body becomes one
call into it. Everything downstream (STEM.txt, the ``final`` fields of
STEM.json) goes through here, so nothing else needs to change.

Contract: one page of text in reading order, lines separated by ``\\n``, in;
the corrected page out, NFC, with the same number of lines (line breaks,
case, numbers, codes and punctuation kept). Lines are mapped back to the JSON
one to one; a line's words are mapped back when its token count is unchanged.
"""
from __future__ import annotations

import unicodedata


def correct_page_text(raw: str) -> str:
    """Final text of one OCR'd page: the ``ocr`` mode of the repair (diacritics.repair)."""
    from diacritics.repair import correct_ocr_text
    return correct_ocr_text(unicodedata.normalize("NFC", raw))
