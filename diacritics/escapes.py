"""Letters an export wrote as escapes rather than put in the file itself.

HTML character references (an old web page: ``C&#7897;ng h&ograve;a``) and JSON or
Python ``\\u`` escapes (``C\\u1ed9ng``) are written out as the letters they stand for,
once a text holds enough of them to be known escaped (``fix_escapes``).
"""
from __future__ import annotations

import re
import unicodedata

# An HTML reference needs its semicolon, so ``S&p``, OCR's ``S&`` and a bare ``&copy`` stay.
_HTML_REF = re.compile(r"&(?:#[0-9]{2,7}|#[xX][0-9a-fA-F]{2,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# (a pair of surrogate escapes is one character beyond the BMP, 😀; a lone one stays as written)
_U_ESCAPE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
                       r"|\\u(?![dD][89a-fA-F])([0-9a-fA-F]{4})")
MIN_ESCAPES = 2   # escapes of non-ASCII letters a text needs before any is read


def _unescape_html(m: re.Match) -> str:
    import html
    return html.unescape(m.group())


def _unescape_u(m: re.Match) -> str:
    if m.group(3):
        return chr(int(m.group(3), 16))
    high, low = int(m.group(1), 16), int(m.group(2), 16)
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def fix_escapes(text: str) -> tuple[str, list[int]]:
    """Text with escaped letters written out, and the (0-based) indexes of the lines that changed.

    Each kind is decoded only when the text holds ``MIN_ESCAPES`` of it that stand for a
    letter outside ASCII (``&#7897;`` ộ, ``\\u00f2`` ò): a clean text has none, while ``&amp;``
    alone is as likely the text's own. Once a text is known to be escaped, every
    reference in it is decoded, ``&amp;`` included.
    """
    def escaped_letters(pattern, decode) -> int:
        return sum(1 for m in pattern.finditer(text)
                   if (ch := decode(m)) and len(ch) == 1 and ch.isalpha() and not ch.isascii())

    kind = next(((pattern, decode) for pattern, decode in ((_HTML_REF, _unescape_html), (_U_ESCAPE, _unescape_u))
                 if escaped_letters(pattern, decode) >= MIN_ESCAPES), None)
    if kind is None:
        return text, []
    pattern, decode = kind
    lines = text.split("\n")
    changed = []
    for i, line in enumerate(lines):
        fixed = pattern.sub(decode, line)
        if fixed != line:
            lines[i] = unicodedata.normalize("NFC", fixed)
            changed.append(i)
    return "\n".join(lines), changed
