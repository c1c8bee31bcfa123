"""Best effort for tables flattened into plain OCR text (seed 003: the English OCR of a scan).

Cells come out one after another with no separators, so only what survives
flattening is read: the appendix label, the period columns named in the header
lines, and the indicator rows (a numbered line starts one, a line starting in
lower case continues it). Text OCR'd with the wrong language is first repaired
by ``diacritics.repair`` when it is installed. The result is a table with no
values: an indicator catalogue, which is what these templates hold.
"""
from __future__ import annotations

import re

from table_extract.model import Row, Table
from table_extract.structure import _HEADER_WORD

_LABEL = re.compile(r"^\W*ph[uụ]\s*l[uụ]c\s*s?\s*(\d+|[IVXL]+)\b", re.I)
_ROW = re.compile(r"^\W{0,3}(?P<stt>[IVX]+|\d{1,2}(?:\.\d{1,2})*)[.)]?\s*\|?\s+(?P<text>\S.*)$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_MARKED = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)


def looks_garbled(text: str) -> bool:
    """Vietnamese with most tone marks gone: what OCR with the wrong language gives."""
    words = re.findall(r"[^\W\d_]{2,}", text)
    if len(words) < 50:
        return False
    return sum(bool(_MARKED.search(w)) for w in words) < 0.35 * len(words)


def _repair(text: str) -> str:
    try:
        from diacritics.repair import repair_text
    except ImportError:
        return text
    return repair_text(text)


def has_flat_tables(lines: list[str]) -> bool:
    return any(_LABEL.match(ln) for ln in lines) and any(re.search(r"\bSTT\b", ln) for ln in lines)


def flat_tables(text: str, source: str = "") -> list[Table]:
    """Catalogue tables from flattened appendix text; [] when there is none."""
    lines = text.split("\n")
    start = next((i for i, ln in enumerate(lines) if _LABEL.match(ln)), None)
    if start is None:
        return []
    part = "\n".join(lines[start:])
    if looks_garbled(part):
        part = _repair(part)
    lines = part.split("\n")
    sections: list[tuple[int, str]] = [(i, m.group(1).upper()) for i, ln in enumerate(lines)
                                       if (m := _LABEL.match(ln))]
    tables = []
    for k, (i, number) in enumerate(sections):
        end = sections[k + 1][0] if k + 1 < len(sections) else len(lines)
        t = _section(lines[i + 1:end], f"Phụ lục {number}", source, i + 1 + start)
        if t is not None:
            tables.append(t)
    return tables


def _section(lines: list[str], appendix: str, source: str, first_line: int) -> Table | None:
    head = next((i for i, ln in enumerate(lines) if re.search(r"\bSTT\b", ln)), None)
    if head is None:
        return None
    title = " ".join(ln.strip() for ln in lines[:head] if ln.strip() and not _YEAR.search(ln)
                     and not re.search(r"kèm theo|/KH-|\bsố\b:", ln, re.I))[:200]
    years = sorted({int(y) for ln in lines[max(0, head - 3):head + 1] for y in _YEAR.findall(ln)})
    periods = [f"Năm {y}" for y in years]
    rows = [Row(["STT", "Chỉ tiêu"] + periods, line=first_line + head)]
    for j, ln in enumerate(lines[head + 1:], start=head + 1):
        s = ln.strip()
        if re.match(r"ghi chú", s, re.I):
            break
        if not s or re.search(r"\bSTT\b", s) or not re.search(r"[^\W\d_]{2,}", s) or \
                (len(s) < 25 and _HEADER_WORD.search(s)):  # a header repeated on the next page
            continue
        m = _ROW.match(s)
        if m:
            rows.append(Row([m.group("stt"), _clean(m.group("text"))] + [""] * len(periods), line=first_line + j))
        elif s[0].islower() and len(rows) > 1:
            rows[-1].cells[1] = f"{rows[-1].cells[1]} {_clean(s)}"
        elif s[0].isupper():
            rows.append(Row(["", _clean(s)] + [""] * len(periods), line=first_line + j))
    if len(rows) < 3 or not periods:
        return None
    return Table(rows, source=source, appendix=appendix, title=title, line=first_line)


def _clean(s: str) -> str:
    return re.sub(r"\s*\|\s*", " ", s).strip(" |!)'\"")
