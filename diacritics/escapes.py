"""Letters an export wrote as escapes rather than put in the file itself.

Some escape a letter: HTML character references (an old web page: ``C&#7897;ng h&ograve;a``,
or escaped once more, ``C&amp;#7897;ng``) and JSON or Python ``\\u`` escapes (``C\\u1ed9ng``).
Others escape the bytes of its UTF-8: a URL's or a web form's percent escapes
(``C%E1%BB%99ng+h%C3%B2a``), quoted-printable e-mail (``C=E1=BB=99ng``, lines broken with a
soft ``=``), e-mail headers' encoded words (``=?utf-8?b?Q+G7mW5n?=``), and strings as Python 2
(``C\\xe1\\xbb\\x99ng``) or C and ``git`` (``C\\341\\273\\231ng``) print them.

``fix_escapes`` writes each kind out once a text holds enough of it to be known escaped;
``unfold`` first joins the lines that quoted-printable and e-mail headers break.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from email.errors import HeaderParseError
from email.header import decode_header
from typing import NamedTuple

# An HTML reference needs its semicolon, so ``S&p``, OCR's ``S&`` and a bare ``&copy`` stay.
# A reference escaped again by a second export (``&amp;#7897;``) is read through.
_HTML_REF = re.compile(r"&(?:amp;)*(?:#[0-9]{2,7}|#[xX][0-9a-fA-F]{2,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# (a pair of surrogate escapes is one character beyond the BMP, 😀; a lone one stays as written)
_U_ESCAPE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
                       r"|\\u(?![dD][89a-fA-F])([0-9a-fA-F]{4})")
MIN_ESCAPES = 2   # escapes of non-ASCII letters a text needs before any is read


def _unescape_html(m: re.Match) -> str:
    ref = m.group()
    while ref.startswith("&amp;") and len(ref) > 5:
        ref = "&" + ref[5:]
    return html.unescape(ref)


def _unescape_u(m: re.Match) -> str:
    if m.group(3):
        return chr(int(m.group(3), 16))
    high, low = int(m.group(1), 16), int(m.group(2), 16)
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


# Runs of escaped bytes, and how to read each run's bytes. An e-mail client may have sent
# quoted-printable in lower case; Python 2 and C wrote a byte per escape.
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_QUOTED_PRINTABLE = re.compile(r"(?:=[0-9A-Fa-f]{2})+")
_HEX = re.compile(r"(?:\\x[0-9A-Fa-f]{2})+")
_OCTAL = re.compile(r"(?:\\[0-3][0-7]{2})+")
# An e-mail header's encoded words (RFC 2047); those one space apart are read as one, so a
# letter whose bytes two words share comes out whole.
_MIME_WORD = r"=\?[A-Za-z0-9_.:-]+(?:\*[A-Za-z-]+)?\?[BbQq]\?[^?\s]*\?="
_MIME_WORDS = re.compile(rf"{_MIME_WORD}(?:[ \t]+{_MIME_WORD})*")


def _run_bytes(run: str) -> bytes:
    """The bytes a run of ``%E1``, ``=E1``, ``\\xe1`` or ``\\341`` escapes stands for."""
    if run[0] == "\\" and run[1] != "x":
        return bytes(int(code, 8) for code in run.split("\\")[1:])
    return bytes.fromhex(re.sub(r"\\x|[%=]", "", run))


def _unescape_bytes(m: re.Match) -> str:
    """A run of escaped bytes as the text they encode: UTF-8, or, from an old Vietnamese mail
    client, Windows-1258 (whose tone marks follow their letter: NFC joins them); a run that
    is neither stays as written."""
    raw = _run_bytes(m.group())
    for code in ("utf-8", "cp1258"):
        try:
            return unicodedata.normalize("NFC", raw.decode(code))
        except UnicodeDecodeError:
            continue
    return m.group()


def _unescape_mime(m: re.Match) -> str:
    try:
        return "".join(part.decode(charset or "ascii") if isinstance(part, bytes) else part
                       for part, charset in decode_header(m.group()))
    except (HeaderParseError, LookupError, UnicodeDecodeError):
        return m.group()   # a charset Python does not know, or a word cut short


class _Kind(NamedTuple):
    pattern: re.Pattern
    decode: Callable[[re.Match], str]
    # a text where escapes stand for fewer letters than it writes out is one that quotes an
    # escaped URL (wiki/C%E1%BB%99ng_h%C3%B2a) or a string, not one its export escaped
    whole_text: bool = False


_QP = _Kind(_QUOTED_PRINTABLE, _unescape_bytes, True)
_KINDS = (_Kind(_HTML_REF, _unescape_html), _Kind(_U_ESCAPE, _unescape_u), _Kind(_MIME_WORDS, _unescape_mime),
          _Kind(_PERCENT, _unescape_bytes, True), _QP, _Kind(_HEX, _unescape_bytes, True),
          _Kind(_OCTAL, _unescape_bytes, True))
_ROUNDS = 3   # a text escaped again and again (percent escapes of HTML references) is read through


def _escaped_letters(text: str, kind: _Kind) -> int:
    """How many letters outside ASCII the escapes of ``kind`` in ``text`` stand for."""
    return sum(1 for m in kind.pattern.finditer(text) for ch in kind.decode(m)
               if ch.isalpha() and not ch.isascii())


def _is_escaped(text: str, kind: _Kind) -> bool:
    n = _escaped_letters(text, kind)
    if n < MIN_ESCAPES:
        return False
    return not kind.whole_text or n > sum(1 for ch in text if ch.isalpha() and not ch.isascii())


def _unescape_line(line: str, kind: _Kind) -> str:
    if kind.pattern is _PERCENT and " " not in line and "%20" not in line:
        line = line.replace("+", " ")   # a web form's space (its own + is %2B; a URL's space is %20)
    return kind.pattern.sub(kind.decode, line)


def fix_escapes(text: str) -> tuple[str, list[int]]:
    """Text with escaped letters written out, and the (0-based) indexes of the lines that changed.

    Each kind is decoded only when the text holds ``MIN_ESCAPES`` of it that stand for a
    letter outside ASCII (``&#7897;`` ộ, ``\\u00f2`` ò, ``%C3%B2`` ò): a clean text has none,
    while ``&amp;`` alone is as likely the text's own. Once a text is known to be escaped, every
    escape of that kind in it is decoded, ``&amp;`` and ``%2C`` included. Lines must already be
    whole (``unfold``).
    """
    lines = text.split("\n")
    changed: set[int] = set()
    for _round in range(_ROUNDS):
        found = False
        for kind in _KINDS:
            if not _is_escaped(text, kind):
                continue
            found = True
            for i, line in enumerate(lines):
                fixed = _unescape_line(line, kind)
                if fixed != line:
                    lines[i] = unicodedata.normalize("NFC", fixed)
                    changed.add(i)
            text = "\n".join(lines)
        if not found:
            break
    return text, sorted(changed)


# Quoted-printable breaks lines longer than 76 characters with a soft ``=`` at the end (inside
# a word, even between the escaped bytes of one letter); a header folds its encoded words.
_SOFT_BREAK = re.compile(r"=\r?\n")
_FOLDED_WORDS = re.compile(r"(?<=\?=)\r?\n[ \t]+(?==\?)")


def unfold(text: str) -> str:
    """``text`` with the line breaks an e-mail's encoding made removed: quoted-printable's soft
    breaks (where the text is quoted-printable) and the folds between a header's encoded words.
    Lines change number, so this comes before anything that counts them."""
    text = _FOLDED_WORDS.sub(" ", text)
    joined = _SOFT_BREAK.sub("", text)
    # (a header's encoded words may end a line in ``=`` and hold ``=C4`` in their base64)
    if joined != text and _is_escaped(_SOFT_BREAK.sub("", _MIME_WORDS.sub(" ", text)), _QP):
        text = joined
    return text
