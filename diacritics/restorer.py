"""Put tone and vowel marks back on Vietnamese text that lost them.

Only letters-only words without any mark are ever changed; everything else is
kept byte for byte: spacing, line breaks, numbers, dates, punctuation, URLs,
e-mail addresses, words that already carry marks. Document codes keep their
shape and regain ``Đ`` where the lexicon knows it (``15/2020/ND-CP`` →
``15/2020/NĐ-CP``). Case is carried over letter by letter, so ``HA NOI`` →
``HÀ NỘI`` and ``Binh Dinh`` → ``Bình Định``. An ALL-CAPS word inside an
ordinary line is read as an acronym and left alone (``UBND``), but in a heading
line that is mostly capitals it is restored (``KE HOACH`` → ``KẾ HOẠCH``).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from diacritics.decode import DEFAULT_BEAM, DEFAULT_MARGIN, Lattice, decode_lattice
from diacritics.tokens import UNK, lm_ids
from diacritics.tone import STYLES, has_diacritics, nfc, to_style

_TOKEN_RE = re.compile(
    r"(?P<url>(?:https?://|ftp://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]'])"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<word>[^\W_]+(?:[-/.][^\W_]+)*)")
_PART_RE = re.compile(r"[^\W_]+|[-/.]")
_CAPS_LINE_SHARE = 0.6
_CONTEXT_MIN = 4
_WORD_RE = re.compile(r"[^\W\d_]+")
_MARKED_MIN = 3          # a line with at least 3 marked words, and marks on
_MARKED_SHARE = 0.7      # on 70% of its words, is taken as already restored
_LABEL_RE = re.compile(r"[ \t]*([^\W\d_])[).]")


@dataclass
class RestoredWord:
    """One word the restorer decided on."""

    start: int                 # span in the NFC input
    end: int
    source: str                # the word as it came in
    text: str                  # the word as it goes out
    confidence: float          # posterior of ``text`` given the rest of the best path
    alternatives: list[tuple[str, float]] = field(default_factory=list)  # best first


@dataclass
class Restoration:
    text: str
    words: list[RestoredWord]


def _apply_case(form: str, like: str) -> str:
    if like.islower():
        return form
    if like.isupper():
        return form.upper()
    if like[0].isupper() and like[1:].islower():
        return form[0].upper() + form[1:]
    return "".join(f.upper() if c.isupper() else f for f, c in zip(form, like))


def _is_caps_line(line: str) -> bool:
    words = [w for w in _WORD_RE.findall(line) if len(w) >= 2]
    if not words:
        return False
    return sum(w.isupper() for w in words) >= _CAPS_LINE_SHARE * len(words)


def _is_marked_line(line: str) -> bool:
    words = _WORD_RE.findall(line)
    marked = sum(map(has_diacritics, words))
    return marked >= _MARKED_MIN and marked >= _MARKED_SHARE * len(words)


def _is_code(token: str, parts: list[str], caps_line: bool) -> bool:
    """A compound that is a document code / number rather than hyphenated words."""
    if any(c.isdigit() for c in token):
        return True
    if caps_line:
        return False
    return any((len(p) >= 2 and p.isupper()) or any(c.isupper() for c in p[1:]) for p in parts)


class Restorer:
    """Holds the model; :meth:`restore` is the work. Use :func:`restore` for one-off calls."""

    def __init__(self, model, beam: int = DEFAULT_BEAM, margin: float = DEFAULT_MARGIN):
        self.model = model
        self.beam = beam
        self.margin = margin
        self._styled: dict[tuple[int, str], str] = {}

    def _form(self, wid: int, style: str) -> str:
        key = (wid, style)
        got = self._styled.get(key)
        if got is None:
            got = self._styled[key] = to_style(self.model.vocab[wid], style)
        return got

    def restore(self, text: str, style: str = "new", detail: bool = False) -> Restoration:
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, not {style!r}")
        text = nfc(text)
        m = self.model
        index, codes, cands = m.index, m.codes, m.candidates
        lat = Lattice()
        out: list[str] = []          # output pieces; decoded words are filled in later
        slots: list[tuple[int, int, str, int, int]] = []  # (out index, position, word, start, end)
        pos = 0
        prev_label = ""
        for line in text.splitlines(keepends=True):
            caps_line = _is_caps_line(line)
            # In a line that already has its marks, an unmarked word is meant
            # that way ("cho", "theo", "khi"): only stripped lines are decoded.
            marked_line = _is_marked_line(line)
            base = pos
            last = 0
            label_at, label = -1, ""
            lm = _LABEL_RE.match(line)
            if lm:
                # list labels run a b c d đ e …: a bare "d)" right after "d)" is "đ)"
                label_at, label = lm.start(1), lm.group(1)
                if label in "dD":
                    label = _apply_case("đ", label) if prev_label == "d" else label
                prev_label = label.lower()
            for mt in _TOKEN_RE.finditer(line):
                if mt.start() > last:
                    gap = line[last:mt.start()]
                    out.append(gap)
                    lat.add_fixed(lm_ids(gap, index))
                last = mt.end()
                tok = mt.group()
                if mt.lastgroup != "word":
                    out.append(tok)
                    lat.add_fixed([UNK])
                    continue
                if tok.isalpha():
                    pieces = [(tok, base + mt.start())]
                else:
                    parts = _PART_RE.findall(tok)
                    if _is_code(tok, [p for p in parts if p.isalpha()], caps_line):
                        fixed = "".join(codes.get(p, p) for p in parts)
                        out.append(fixed)
                        lat.add_fixed(lm_ids(fixed, index))
                        continue
                    pieces, off = [], base + mt.start()
                    for p in parts:
                        pieces.append((p, off))
                        off += len(p)
                for w, start in pieces:
                    if start - base == label_at:
                        out.append(label)
                        lat.add_fixed(lm_ids(label, index))
                        continue
                    if not w.isalpha() or marked_line or has_diacritics(w):
                        out.append(w)
                        lat.add_fixed(lm_ids(w, index))
                        continue
                    if len(w) == 1 and w.isupper():
                        # a list label or Roman numeral ("Phụ lục A", "I."), not a word
                        out.append(w)
                        lat.add_fixed(lm_ids(w, index))
                        continue
                    if w.isupper() and len(w) >= 2 and (not caps_line or w in codes):
                        fixed = codes.get(w, w)
                        out.append(fixed)
                        lat.add_fixed(lm_ids(fixed, index))
                        continue
                    ids = cands.get(w.lower())
                    if ids is None:
                        out.append(w)
                        lat.add_fixed([UNK])
                        continue
                    p = lat.add_choice(ids, [0.0] * len(ids))
                    slots.append((len(out), p, w, start, start + len(w)))
                    out.append(w)
            if last < len(line):
                out.append(line[last:])
                lat.add_fixed(lm_ids(line[last:], index))
            lat.end_sentence()
            pos += len(line)

        res = decode_lattice(m, lat, beam=self.beam, posteriors=detail, margin=self.margin)
        cid = lat.cand_id
        self._settle_lone_words(lat, res.choice, slots)
        words = []
        for oi, p, w, start, end in slots:
            c = int(res.choice[p])
            form = _apply_case(self._form(cid[c], style), w)
            out[oi] = form
            if detail:
                s = lat.pos_start[p]
                n = (lat.pos_start[p + 1] if p + 1 < len(lat) else len(cid)) - s
                alts = sorted(((_apply_case(self._form(cid[s + i], style), w), float(res.posterior[s + i]))
                               for i in range(n)), key=lambda x: -x[1])
                words.append(RestoredWord(start, end, w, form, float(res.posterior[c]), alts))
        return Restoration("".join(out), words)


    @staticmethod
    def _settle_lone_words(lat: Lattice, choice, slots) -> None:
        """A word alone in its sentence (a table cell: ``Đạt``, ``Năm``) has no
        context to decide by; give it the spelling the same document used
        where context did decide (sentences of 4+ positions)."""
        seg_len = np.bincount(np.asarray(lat.pos_seg, dtype=np.int64))
        cid = lat.cand_id
        seen: dict[str, Counter] = {}
        lone = []
        for _, p, w, _, _ in slots:
            n = seg_len[lat.pos_seg[p]]
            if n >= _CONTEXT_MIN:
                seen.setdefault(w.lower(), Counter())[cid[int(choice[p])]] += 1
            elif n == 1:
                lone.append((p, w.lower()))
        for p, key in lone:
            votes = seen.get(key)
            if votes:
                best, n = votes.most_common(1)[0]
                if n >= 2:
                    start = lat.pos_start[p]
                    stop = lat.pos_start[p + 1] if p + 1 < len(lat) else len(cid)
                    choice[p] = start + cid[start:stop].index(best)


_RESTORERS: dict[int, Restorer] = {}


def _restorer() -> Restorer:
    from diacritics.model import load_model
    model = load_model()
    r = _RESTORERS.get(id(model))
    if r is None:
        r = _RESTORERS[id(model)] = Restorer(model)
    return r


def restore(text: str, style: str = "new") -> str:
    """Restore diacritics: ``restore("Ke hoach so 04/KH-UBND")`` → ``"Kế hoạch số 04/KH-UBND"``.

    ``style`` is the tone placement of restored words: ``"new"`` (``hòa``,
    default) or ``"old"`` (``hoà``). Words that already carry marks are kept
    as they are, in whichever style they use.
    """
    return _restorer().restore(text, style).text


def restore_detailed(text: str, style: str = "new") -> Restoration:
    """Like :func:`restore`, plus one :class:`RestoredWord` per decoded word.

    Each has its span in the NFC input, the output form, a confidence (the
    posterior of that form given the rest of the sentence) and every
    candidate with its posterior, best first. Words that were kept as they
    are (accented, acronyms, codes, unknown words) are not listed.
    """
    return _restorer().restore(text, style, detail=True)
