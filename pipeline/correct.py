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


def correct_page_text(raw: str, lines: list | None = None) -> str:
    """Final text of one OCR'd page: the ``ocr`` mode of the repair (diacritics.repair).

    ``lines``: the page's ``pipeline.layout.Line`` objects that ``raw`` was made
    from (``page_text``); their word confidences let the repair keep the words
    Tesseract was sure of.
    """
    from diacritics.repair import correct_ocr_text
    raw = unicodedata.normalize("NFC", raw)
    return correct_ocr_text(raw, word_confidences(raw, lines) if lines else None)


def word_confidences(raw: str, lines: list) -> list | None:
    """Per line of ``raw``: [(start, end, confidence)] of its words, or None for a blank line.

    None overall when ``raw`` is not the lines' text (the repair then goes by text alone).
    """
    out: list = []
    it = iter(lines)
    for text_line in raw.split("\n"):
        if not text_line:
            out.append(None)
            continue
        ln = next(it, None)
        words = [unicodedata.normalize("NFC", w.text) for w in ln.words] if ln is not None else []
        if " ".join(words) != text_line:
            return None
        spans, pos = [], 0
        for w, word in zip(ln.words, words):
            spans.append((pos, pos + len(word), float(w.confidence)))
            pos += len(word) + 1
        out.append(spans)
    return out
