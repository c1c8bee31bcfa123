"""The post-OCR correction stage: the one place where raw OCR text becomes final text.

``correct_page_text`` is the plug for the diacritics/OCR-repair stage
(``diacritics/``). Everything downstream (STEM.txt, the ``final`` fields of
STEM.json) goes through here, so nothing else needs to change.

Contract: one page of text in reading order, lines separated by ``\\n``, in;
the corrected page out, NFC, with the same number of lines (line breaks,
case, numbers, codes and punctuation kept). Lines are mapped back to the JSON
one to one; a line's words are mapped back when its token count is unchanged.
"""
from __future__ import annotations

import unicodedata


def correct_page_text(raw: str, lines: list | None = None, specks: list | None = None) -> str:
    """Final text of one OCR'd page: specks dropped, then the ``ocr`` mode of the repair.

    ``lines``: the page's ``pipeline.layout.Line`` objects that ``raw`` was made
    from (``page_text``). Their word boxes show which "words" are dirt on the
    page (``pipeline.specks``), dropped before the repair could read them as
    words; their confidences let the repair keep the words Tesseract was sure of.
    ``specks``: ``find_specks(lines)``, if the caller has it already.
    """
    from diacritics.repair import correct_ocr_text
    raw = unicodedata.normalize("NFC", raw)
    if not lines:
        return correct_ocr_text(raw, None)
    from pipeline.specks import drop_specks
    dropped = drop_specks(raw, lines, specks)
    if dropped is None:   # not these lines' text: the repair goes by text alone
        return correct_ocr_text(raw, None)
    text, kept = dropped
    return correct_ocr_text(text, word_spans(kept))


def word_spans(kept: list) -> list:
    """Per text line, [(start, end, confidence)] of its words (``drop_specks``'s kept
    words, joined by single spaces), or None for a blank line: what the repair reads."""
    out: list = []
    for words in kept:
        if not words:
            out.append(None)
            continue
        spans, pos = [], 0
        for w in words:
            n = len(unicodedata.normalize("NFC", w.text))
            spans.append((pos, pos + n, float(w.confidence)))
            pos += n + 1
        out.append(spans)
    return out
