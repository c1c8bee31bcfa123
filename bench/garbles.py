"""Vietnamese text garbled the ways archives garble it, for measuring the repair (bench only).

Each function takes clean Unicode text and returns what a system of that kind
would have left: UTF-8 read as Windows-1252 (once or twice) or Windows-1258, and
copied with the bytes a copy loses, Windows-1258 read as Windows-1252, an export to
a code page that writes ``?`` for what it cannot hold, VIQR, Telex and VNI typing,
text typed in the legacy TCVN3 and VNI fonts read without them, UTF-8 read on a Mac
or in a DOS console, Đ typed as the eth Ð, letters lost to U+FFFD, to a PDF font's
private-use codes or dropped outright, marks lost from some words, and letters or bytes
written as escapes (HTML, percent, quoted-printable, e-mail headers, Python 2, C). None of this is
used by the pipeline: the repair must undo them without knowing how they were made.
"""
from __future__ import annotations

import random
import re
import unicodedata

_TONE_VIQR = {"\u0301": "'", "\u0300": "`", "\u0309": "?", "\u0303": "~", "\u0323": "."}
_SHAPE_VIQR = {"\u0302": "^", "\u0306": "(", "\u031b": "+"}
_TONE_TELEX = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_SHAPE_TELEX = {("a", "\u0302"): "aa", ("e", "\u0302"): "ee", ("o", "\u0302"): "oo",
                ("a", "\u0306"): "aw", ("o", "\u031b"): "ow", ("u", "\u031b"): "uw"}


def mojibake(text: str, times: int = 1, code_page: str = "cp1252") -> str:
    """UTF-8 read as ``code_page`` (``times`` over)."""
    for _ in range(times):
        text = text.encode("utf-8").decode(code_page, errors="replace")
    return text


def mojibake_copied(text: str, code_page: str = "cp1252") -> str:
    """UTF-8 read as ``code_page`` and copied from where it was shown: the decoder ignored the
    bytes that page leaves undefined (five in Windows-1252, nine in Windows-1258), the page made
    the no-break space (à is C3 A0) plain and the copy lost the invisible soft hyphen (í is C3 AD)
    and the control characters (Latin-1 shows bytes 80–9F as such: ộ is E1 BB 99, ``á»``)."""
    shown = text.encode("utf-8").decode(code_page, errors="ignore")
    return re.sub("[\x80-\x9f]", "", shown.replace("\xa0", " ").replace("\xad", ""))


def eth_for_d_stroke(text: str) -> str:
    """Đ and đ typed or converted as the Latin-1 eth look-alikes Ð and ð."""
    return text.replace("Đ", "Ð").replace("đ", "ð")


def cp1258_as_cp1252(text: str) -> str:
    """Windows-1258 keeps the tone a byte of its own after the letter."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in _TONE_VIQR)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_VIQR))
        out.append(base.encode("cp1258", errors="replace") + tone.encode("cp1258"))
    return b"".join(out).decode("cp1252", errors="replace")


def lossy(text: str, code_page: str, mark: str = "?") -> str:
    """An export that writes ``mark`` for every letter ``code_page`` lacks (a decoder's U+FFFD)."""
    from diacritics.lost_letters import _lost
    return "".join(mark if _lost(ch, code_page) else ch for ch in text)


def dropped(text: str, code_page: str) -> str:
    """A conversion told to skip what ``code_page`` cannot hold (``iconv -c``): those letters go."""
    return lossy(text, code_page, "")


def private_use(text: str) -> str:
    """A PDF whose embedded font maps its glyphs to no Unicode: text extraction gives each
    non-ASCII letter a private-use code of its own (``C\ue0d9ng h\ue0f2a``)."""
    codes: dict[str, str] = {}
    return "".join(codes.setdefault(ch, chr(0xE000 + len(codes))) if not ch.isascii() and ch.isalpha()
                   else ch for ch in unicodedata.normalize("NFC", text))


def _letters(word: str):
    """(base letter, shape mark, tone mark) for each letter of ``word``."""
    for ch in word:
        parts = unicodedata.normalize("NFD", ch)
        base = parts[0]
        shape = next((c for c in parts[1:] if c in _SHAPE_VIQR), "")
        tone = next((c for c in parts[1:] if c in _TONE_VIQR), "")
        yield base, shape, tone


def viqr(text: str, horn: str = "+", acute: str = "'") -> str:
    """RFC 1456: shape then tone after the vowel, dd for đ, a backslash before punctuation
    that would read as a mark. The convention also writes the horn ``*`` and the acute ``/``."""
    shapes = {**_SHAPE_VIQR, "\u031b": horn}
    tones = {**_TONE_VIQR, "\u0301": acute}
    marks = "?.'`~(^+" + horn + acute
    out = []
    prev_vowel = False
    for ch in text:
        if ch in "đĐ":
            out.append("dd" if ch == "đ" else "DD")
            prev_vowel = False
            continue
        if ch in marks and prev_vowel:
            out.append("\\" + ch)
            prev_vowel = False
            continue
        (base, shape, tone), = _letters(ch) if ch.isalpha() else ((ch, "", ""),)
        out.append(base + shapes.get(shape, "") + tones.get(tone, ""))
        prev_vowel = base.lower() in "aeiouy"
    return "".join(out)


def telex(text: str) -> str:
    """Telex keys: aa aw ee oo ow uw dd for the letters, the tone key after the word."""
    def word(m: re.Match) -> str:
        keys, tone = [], ""
        caps = m.group(0).isupper() and len(m.group(0)) > 1   # typed with caps lock on
        for base, shape, mark in _letters(m.group(0)):
            if base in "đĐ":
                keys.append("dd" if base == "đ" else "DD" if caps else "Dd")
                continue
            key = _SHAPE_TELEX.get((base.lower(), shape), base.lower()) if shape else base.lower()
            keys.append(key.upper() if caps else key[:1].upper() + key[1:] if base.isupper() else key)
            tone = tone or _TONE_TELEX.get(mark, "")
        return "".join(keys) + (tone.upper() if caps else tone)
    return re.sub(r"[^\W\d_]+", word, unicodedata.normalize("NFC", text))


def telex_as_typed(text: str, seed: int = 11) -> str:
    """Telex as people type it with the input method off: Unikey takes a tone key anywhere
    after the vowel, so half the words carry theirs right after the letter it marks
    (``Vieejt``, ``thuwjc``, ``Baso``: báo); and a third of the words with ơ or ư get their one
    ``w`` after the whole word (``nguoiwf``, ``truongwf``). The rest as :func:`telex`."""
    rng = random.Random(seed)

    def word(m: re.Match) -> str:
        caps = m.group(0).isupper() and len(m.group(0)) > 1
        letters = list(_letters(m.group(0)))
        tone_after_letter = rng.random() < 0.5
        horn_last = any(shape == "\u031b" for _b, shape, _t in letters) and rng.random() < 1 / 3
        keys, tone, horn = [], "", False
        for base, shape, mark in letters:
            if base in "đĐ":
                keys.append("dd" if base == "đ" else "DD" if caps else "Dd")
                continue
            if shape == "\u031b" and horn_last:
                key, horn = base.lower(), True
            else:
                key = _SHAPE_TELEX.get((base.lower(), shape), base.lower()) if shape else base.lower()
            keys.append(key.upper() if caps else key[:1].upper() + key[1:] if base.isupper() else key)
            if mark and tone_after_letter:
                keys.append(_TONE_TELEX[mark].upper() if caps else _TONE_TELEX[mark])
            elif mark:
                tone = _TONE_TELEX[mark]
        end = ("w" if horn else "") + tone
        return "".join(keys) + (end.upper() if caps else end)
    return re.sub(r"[^\W\d_]+", word, unicodedata.normalize("NFC", text))


def strip_some(text: str, share: float, seed: int = 5) -> str:
    """Marks lost from a random ``share`` of the words."""
    from diacritics.tone import strip_diacritics
    rng = random.Random(seed)
    return re.sub(r"[^\W\d_]+", lambda m: strip_diacritics(m.group()) if rng.random() < share else m.group(), text)


def no_stroke(text: str) -> str:
    """A font or converter without đ: d for đ, every other mark kept."""
    return text.replace("đ", "d").replace("Đ", "D")


def cut_at_marks(text: str, chance: float = 0.5, seed: int = 7) -> str:
    """A PDF extractor that draws Vietnamese marks as glyphs of their own: a space on either
    side of a letter from the Vietnamese block (U+1EA0–U+1EF9), each with ``chance``, never at a
    word's edge (docling issue #3170: ``ĐIỀ U KHO ẢN``, ``Áp dụ ng t ừ ngày``; the Latin-1
    letters, ``à`` and ``Á`` there, are left whole)."""
    rng = random.Random(seed)

    def word(m: re.Match) -> str:
        w = unicodedata.normalize("NFC", m.group())
        out = []
        for i, ch in enumerate(w):
            if "\u1ea0" <= ch <= "\u1ef9":
                if i > 0 and out[-1] != " " and rng.random() < chance:
                    out.append(" ")
                out.append(ch)
                if i < len(w) - 1 and rng.random() < chance:
                    out.append(" ")
            else:
                out.append(ch)
        return "".join(out)
    return re.sub(r"[^\W\d_]+", word, text)


def letter_spaced(text: str) -> str:
    """An extractor that writes a letter-spaced PDF as it is set: a space after every character
    of a word, three between words (``B Á O   C Á O``)."""
    return "\n".join("   ".join(" ".join(w) for w in line.split(" ")) for line in text.split("\n"))


def spaces_lost(text: str) -> str:
    """An extractor that lost the spaces of a PDF whose words are placed one by one."""
    return text.replace(" ", "")


def html_references(text: str) -> str:
    """An old web page saved as text: Latin-1 letters as named references (``&ograve;``),
    the rest of Vietnamese as numeric ones (``&#7897;``)."""
    from html.entities import codepoint2name
    return "".join(ch if ord(ch) < 128 else f"&{codepoint2name[ord(ch)]};" if ord(ch) in codepoint2name
                   else f"&#{ord(ch)};" for ch in unicodedata.normalize("NFC", text))


def html_references_twice(text: str) -> str:
    """Those references escaped once more by a second export (``C&amp;#7897;ng``)."""
    return html_references(text).replace("&", "&amp;")


def quoted_printable(text: str) -> str:
    """An e-mail body in UTF-8 as quoted-printable (``C=E1=BB=99ng``), lines longer than 76
    characters broken with a soft ``=`` at the end, inside a word if need be."""
    import quopri
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def percent_encoded(text: str) -> str:
    """Each line as a web form sends it (``C%E1%BB%99ng+h%C3%B2a``): spaces as ``+``,
    everything but letters, digits and ``-_.~`` as ``%`` and its UTF-8 bytes."""
    from urllib.parse import quote_plus
    return "\n".join(quote_plus(line) for line in text.split("\n"))


def byte_escapes(text: str) -> str:
    """UTF-8 bytes printed the way Python 2 printed a string in a list (``C\\xe1\\xbb\\x99ng``)."""
    return text.encode("utf-8").decode("ascii", errors="backslashreplace")


def octal_escapes(text: str) -> str:
    """UTF-8 bytes as C and ``git`` quote them (``C\\341\\273\\231ng``)."""
    return "".join(ch if ch.isascii() else "".join(f"\\{b:03o}" for b in ch.encode("utf-8")) for ch in text)


def mime_words(text: str) -> str:
    """Each line as an e-mail subject's encoded words (``=?utf-8?b?Q+G7mW5n?=``)."""
    from email.header import Header
    return "\n".join(Header(line, "utf-8").encode() if not line.isascii() else line
                     for line in text.split("\n"))


_TONE_VNI = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_SHAPE_VNI = {"\u0302": "6", "\u031b": "7", "\u0306": "8"}


def _per_letter(text: str, d_stroke: str, letter) -> str:
    """``text`` with each letter rewritten by ``letter(ch, its NFD parts)``; đ/Đ become ``d_stroke``
    after a d/D."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in "đĐ":
            out.append(("d" if ch == "đ" else "D") + d_stroke)
        else:
            out.append(letter(ch, unicodedata.normalize("NFD", ch)))
    return "".join(out)


def vni_typed(text: str) -> str:
    """VNI typing with the input method off: each mark's digit key after its letter
    (``Co65ng ho2a``), 9 after d for đ."""
    def letter(ch: str, parts: str) -> str:
        if len(parts) == 1 or not parts[0].isalpha():
            return ch
        return (parts[0] + "".join(_SHAPE_VNI.get(c, "") for c in parts[1:])
                + "".join(_TONE_VNI.get(c, "") for c in parts[1:]))
    return _per_letter(text, "9", letter)


def best_fit(text: str, code_page: str = "cp1252") -> str:
    """An export through a Western code page with a best-fit mapping: each letter the page lacks
    loses marks until it fits (ộ → o, ư → u, đ → d); the Latin-1 ones stay (hòa, xã, tháng)."""
    from diacritics.lost_letters import _lost

    def letter(_ch: str, parts: str) -> str:
        fitting = (unicodedata.normalize("NFC", parts[:k]) for k in range(len(parts), 0, -1))
        return next((c for c in fitting if not _lost(c, code_page)), parts[0])
    return _per_letter(text, "", letter)


def tcvn3_font(text: str) -> str:
    """A document typed in the .VnTime fonts (TCVN3/ABC), read without them: each marked letter
    is its font code (``Céng hoµ x· héi``); a capital with a tone, which TCVN3 lacks, was
    typed with the lower-case code in the capitals font (.VnTimeH), as headings were."""
    from diacritics.repair_encoding import _TCVN3
    encode = {uni: code for code, uni in _TCVN3.items()}
    return "".join(encode.get(ch, encode.get(ch.lower(), ch)) for ch in unicodedata.normalize("NFC", text))


def viscii_bytes(text: str) -> bytes:
    """Text saved in VISCII (RFC 1456): each marked letter one byte."""
    from diacritics.repair_encoding import _VISCII
    encode = {uni: bytes([code]) for code, uni in _VISCII.items()}
    return b"".join(encode.get(ch) or ch.encode("ascii", errors="replace")
                    for ch in unicodedata.normalize("NFC", text))


def viscii(text: str) -> str:
    """A VISCII file read as Windows-1252 (``Cµng hòa xã hµi``)."""
    from diacritics.repair_encoding import windows_1252_text
    return windows_1252_text(viscii_bytes(text))


def vni_font(text: str) -> str:
    """A document typed in the VNI-Windows fonts, read without them: a base letter, then its
    marks as Latin-1 letters (``Coäng hoøa xaõ hoäi``); đ, ơ, ư and the i's tones have codes of their own."""
    from diacritics.repair_encoding import _VNI_BREVE, _VNI_CIRC, _VNI_SINGLE, _VNI_TONE
    single = {uni: code for code, uni in _VNI_SINGLE.items()}
    # each decoding table turned round: (tone, capital?) → the mark character
    circ, breve, tones = ({(tone, code.isupper()): code for code, tone in table.items()}
                          for table in (_VNI_CIRC, _VNI_BREVE, _VNI_TONE))
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in single or ch in "íìÍÌ":
            out.append(single.get(ch, ch))
            continue
        parts = unicodedata.normalize("NFD", ch)
        if len(parts) == 1 or not parts[0].isalpha():
            out.append(ch)
            continue
        up = parts[0].isupper()
        shape = next((c for c in parts[1:] if c in _SHAPE_VIQR), "")
        tone = next((c for c in parts[1:] if c in _TONE_VIQR), "")
        if shape == "\u031b":   # ơ ư: a code of their own, then the tone
            out.append(single[unicodedata.normalize("NFC", parts[0] + shape)] + (tones[(tone, up)] if tone else ""))
        elif shape == "\u0302":
            out.append(parts[0] + circ[(tone, up)])
        elif shape == "\u0306":
            out.append(parts[0] + breve[(tone, up)])
        else:
            out.append(parts[0] + tones[(tone, up)])
    return "".join(out)
