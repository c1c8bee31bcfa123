"""Vietnamese cell values → typed values.

Vietnamese reports write ``9.215`` for nine thousand two hundred fifteen and
``91,41`` for ninety-one point four one; percentages, counts with a unit
(``1 mô hình``), yes/no flags defined in the indicator text
(``Có tổ chức = 1; Không tổ chức = 0``) and pass/fail marks (``Đạt``) sit in
the same columns as free text (``01 KH; 01 QĐ``, ``Zalo OA, Fanpage``), which
is kept as text rather than guessed at.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# value_type values, in the order an analyst would filter on them
NUMBER, PERCENT, FLAG, BOOL, TEXT = "number", "percent", "flag", "bool", "text"

_NUM = r"[+-]?\d[\d.,]*"
_NUMBER_ONLY = re.compile(rf"^({_NUM}|\d{{1,3}}(?: \d{{3}})+)$")
_PERCENT = re.compile(rf"^({_NUM})\s*%$")
# a count followed by a short unit word or two: "1 mô hình", "1KH", "249 phiếu"
_WITH_UNIT = re.compile(rf"^({_NUM})\s*([^\W\d_][^\W\d]*(?:\s+[^\W\d_][^\W\d]*)?)$")
# "(Có tổ chức = 1; Không tổ chức = 0)" inside an indicator: the cell holds a 0/1 flag
_FLAG_DEF = re.compile(r"=\s*[1Il|]\b[^)]*=\s*[0Oo]\b|=\s*[0Oo]\b[^)]*=\s*[1Il|]\b")  # OCR: "= I", "= O"
_TRUE = {"đạt", "có", "✓", "hoàn thành"}
_FALSE = {"không đạt", "chưa đạt", "không", "chưa hoàn thành"}
# cells that mean "nothing to report" rather than a value
_NONE = {"", "-", "--", "—", "–", "…", "...", "x", "x/x", "n/a", "k/c"}  # "x": not applicable


@dataclass(frozen=True)
class Value:
    value: float | int | bool | str
    unit: str
    value_type: str


def clean_cell(text: str) -> str:
    """NFC, markup stripped, runs of whitespace collapsed: how a cell is compared and stored."""
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("**", "").replace("__", "")
    text = text.replace("\u00a0", " ").replace("\u2044", "/").replace("\u2215", "/")
    return re.sub(r"\s+", " ", text).strip()


def parse_number(token: str) -> int | float | None:
    """``9.215`` → 9215, ``91,41`` → 91.41, ``1.234,5`` → 1234.5, ``02`` → 2; None if not a number."""
    s = token.strip()
    s = s.replace(" ", "")  # "9 215": a space as thousands separator
    if not s or not re.fullmatch(r"[+-]?\d[\d.,]*", s) or s[-1] in ".,":
        # "1." is how some tables write a bare count; keep it a number
        if re.fullmatch(r"[+-]?\d+[.,]", s):
            s = s[:-1]
        else:
            return None
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        # whichever comes last is the decimal mark
        if s.rfind(",") > s.rfind("."):
            int_part, frac = s.rsplit(",", 1)
            if not re.fullmatch(r"\d{1,3}(\.\d{3})*", int_part):
                return None
            return sign * float(int_part.replace(".", "") + "." + frac)
        int_part, frac = s.rsplit(".", 1)
        if not re.fullmatch(r"\d{1,3}(,\d{3})*", int_part):
            return None
        return sign * float(int_part.replace(",", "") + "." + frac)
    if dots:
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
            return sign * int(s.replace(".", ""))
        if dots == 1:  # "1.5": an English-style decimal from a converter
            return sign * float(s)
        return None
    if commas:
        if commas == 1:
            return sign * float(s.replace(",", "."))
        if re.fullmatch(r"\d{1,3}(,\d{3})+", s):
            return sign * int(s.replace(",", ""))
        return None
    return sign * int(s)


def is_flag_indicator(indicator: str) -> bool:
    return bool(_FLAG_DEF.search(indicator or ""))


def parse_value(raw: str, indicator: str = "") -> Value | None:
    """The typed value of one cell, or None for an empty / "nothing to report" cell."""
    s = clean_cell(raw)
    if s.lower() in _NONE:
        return None
    low = s.lower().rstrip(".")
    if low in _TRUE:
        return Value(True, "", BOOL)
    if low in _FALSE:
        return Value(False, "", BOOL)
    m = _NUMBER_ONLY.match(s)
    if m:
        n = parse_number(m.group(1))
        if n is not None:
            if is_flag_indicator(indicator) and n in (0, 1):
                return Value(bool(n), "", FLAG)
            return Value(_tidy(n), "", NUMBER)
    m = _PERCENT.match(s)
    if m:
        n = parse_number(m.group(1))
        if n is not None:
            return Value(_tidy(n), "%", PERCENT)
    m = _WITH_UNIT.match(s)
    if m:
        n = parse_number(m.group(1))
        if n is not None:
            return Value(_tidy(n), m.group(2), NUMBER)
    return Value(s, "", TEXT)


def _tidy(n: int | float) -> int | float:
    if isinstance(n, float) and n.is_integer() and abs(n) < 1e15:
        return int(n)
    return n
