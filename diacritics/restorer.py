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
from diacritics.tone import STYLES, has_diacritics, nfc, strip_diacritics, to_style

EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_WEB = (r"(?P<url>(?:https?://|ftp://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]']"
        r"|(?<![\w.@])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov|com|org|net|edu|vn)(?![\w@])"
        r"(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]'])?)"   # binhdinh.gov.vn, dichvucong.gov.vn/p/home
        rf"|(?P<email>{EMAIL})")
_WEB_ADDRESS_RE = re.compile(_WEB, re.IGNORECASE)
# a substring test first: searching every line with the pattern cost restoration 3 %
_WEB_HINTS = ("@", "//", "www", ".vn", ".gov", ".com", ".org", ".net", ".edu")


def web_address_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has web addresses and e-mails, kept as they are by restoration and repair alike."""
    low = text.lower()
    if not any(h in low for h in _WEB_HINTS):
        return []
    return [m.span() for m in _WEB_ADDRESS_RE.finditer(text)]


_TOKEN_RE = re.compile(_WEB + r"|(?P<word>[^\W_]+(?:[-/.][^\W_]+)*)")
_FIRST_WORD_RE = re.compile(r"[^\W\d_]")
_WORDISH_RE = re.compile(r"[^\W_]+(?:[-/.][^\W_]+)*")   # lines without URLs or e-mails
_PART_RE = re.compile(r"[^\W_]+|[-/.]")
_WORD_RE = re.compile(r"[^\W\d_]+")
LABEL_RE = re.compile(r"[ \t]*([^\W\d_])[).]")
_CAPS_LINE_SHARE = 0.6   # a line whose words are this much ALL-CAPS is a heading
_MARKED_MIN = 3          # a line with at least 3 marked words, and marks on
_MARKED_SHARE = 0.7      # 70% of its words, is taken as already restored
_CONTEXT_MIN = 4         # sentences this long (positions) decide a word by context
_LONE_SHARE = 0.75       # a lone word follows the document's spelling used this often
# Each candidate also gets PRIOR_WEIGHT × log(its share of the corpus's
# spellings of those letters): a typo copied into many documents ("chính quyên
# địa phương", 10 times) otherwise wins on its own 4-grams. 0.1 was neutral on
# the devset and removed 6 of 205 errors on the seed reports.
PRIOR_WEIGHT = 0.1
CACHE_MIN_WORDS = 400    # words to restore from which a text is read with its own usage (see restore)


@dataclass
class RestoredWord:
    """One word the restorer decided on."""

    start: int                 # span in the NFC input
    end: int
    source: str                # the word as it came in
    text: str                  # the word as it goes out
    confidence: float          # posterior of ``text`` given the rest of the best path
    # every candidate with its posterior, best first; a word alone in a table
    # cell may take the document's spelling rather than the first one
    alternatives: list[tuple[str, float]] = field(default_factory=list)


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


def _is_acronym(part: str) -> bool:
    """KH, UBND, TTg: two or more capitals, or a capital after the first letter."""
    return (len(part) >= 2 and part.isupper()) or any(c.isupper() for c in part[1:])


def _is_code_part(part: str) -> bool:
    """Inside a code, acronyms and single letters (V/v) are code; other words are words."""
    return len(part) == 1 or _is_acronym(part)


def _is_file_part(part: str, before: str) -> bool:
    """Lowercase right after a dot is a name suffix (file.doc, gov.vn), not a word."""
    return before == "." and part[0].islower()


def _is_code(token: str, parts: list[str], caps_line: bool) -> bool:
    """A compound that is a document code / number rather than hyphenated words."""
    if any(c.isdigit() for c in token):
        return True
    if caps_line:
        return False
    return any(map(_is_acronym, parts))


class Restorer:
    """Holds the model; :meth:`restore` is the work. Use :func:`restore` for one-off calls."""

    def __init__(self, model, beam: int = DEFAULT_BEAM, margin: float = DEFAULT_MARGIN):
        self.model = model
        self.beam = beam
        self.margin = margin
        self._styled: dict[tuple[int, str], str] = {}
        self._case_cache: dict[tuple[int, str, int], str] = {}
        self._words: dict[tuple[str, bool], tuple] = {}
        self._acronyms = {strip_diacritics(a) for a in model.meta.get("acronyms", ())}
        self._gaps: dict[str, tuple[int, ...]] = {}

    def _form(self, wid: int, style: str) -> str:
        key = (wid, style)
        got = self._styled.get(key)
        if got is None:
            got = self._styled[key] = to_style(self.model.vocab[wid], style)
        return got

    def _word(self, w: str, caps_line: bool):
        """How one unmarked letters-only word enters the lattice: (fixed text, ids, None), or
        (None, candidate ids, their priors)."""
        key = (w, caps_line)
        got = self._words.get(key)
        if got is None:
            m = self.model
            if len(w) == 1 and w.isupper():
                # a list label or Roman numeral ("Phụ lục A", "I."), not a word
                got = (w, tuple(lm_ids(w, m.index)), None)
            elif w.isupper() and len(w) >= 2 and (not caps_line or w in m.codes):
                fixed = self._acronym(w)
                got = (fixed, tuple(lm_ids(fixed, m.index)), None)
            else:
                ids = m.candidates.get(w.lower())
                if ids is None:
                    got = (w, (UNK,), None)
                else:
                    counts = m.counts[ids]
                    prior = PRIOR_WEIGHT * np.log(counts / counts.sum())
                    got = (None, tuple(int(i) for i in ids), tuple(prior.tolist()))
            self._words[key] = got
        return got

    def _acronym(self, w: str) -> str:
        """An ALL-CAPS acronym with its Đ back where the lexicon knows it."""
        return self.model.codes.get(w) or self._split_acronym(w) or w

    def _split_acronym(self, w: str) -> str | None:
        """Two known acronyms run together, one hiding a Đ: BCDCCHC → BCĐCCHC."""
        codes, known = self.model.codes, self._acronyms
        for i in range(2, len(w) - 1):
            a, b = w[:i], w[i:]
            fa, fb = codes.get(a, a if a in known else None), codes.get(b, b if b in known else None)
            if fa and fb and (fa != a or fb != b):
                return fa + fb
        return None

    def _split_compound(self, tok: str, start: int, caps_line: bool) -> list[tuple[str, int]]:
        """Pieces of ``04/KH-UBND``, ``HIV/AIDS.Dieu``, ``Ria-Vung``: (text, offset in line).

        Code parts come back final (Đ restored) with offset -1; words and
        separators keep their offset and go through the normal word rules.
        """
        parts = _PART_RE.findall(tok)
        code = _is_code(tok, [p for p in parts if p.isalpha()], caps_line)
        pieces, off, prev = [], start, ""
        for p in parts:
            if p.isalpha() and (code and _is_code_part(p) or _is_file_part(p, prev)):
                pieces.append((self._acronym(p) if p.isupper() else self.model.codes.get(p, p), -1))
            else:
                # words inside a code-like run are still words: HIV/AIDS.Dieu, m2/nguoi
                pieces.append((p, off))
            off += len(p)
            prev = p
        return pieces

    def _fixed_ids(self, piece: str) -> tuple[int, ...]:
        got = self._gaps.get(piece)
        if got is None:
            got = tuple(lm_ids(piece, self.model.index))
            if len(self._gaps) < 100_000:
                self._gaps[piece] = got
        return got

    def restore(self, text: str, style: str = "new", detail: bool = False,
                marked_lines: bool = False) -> Restoration:
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, not {style!r}")
        text = nfc(text)
        m = self.model
        lat = Lattice()
        add_fixed, add_choice = lat.add_fixed, lat.add_choice
        fixed_ids, word = self._fixed_ids, self._word
        out: list[str] = []          # output pieces; decoded words are filled in later
        slots: list[tuple[int, int, str, int]] = []  # (out index, position, word, start)
        pos = 0
        prev_label = ""
        for line in text.splitlines(keepends=True):
            caps_line = _is_caps_line(line)
            # In a line that already has its marks, an unmarked word is meant
            # that way ("cho", "theo", "khi"): only stripped lines are decoded.
            has_marks = has_diacritics(line)
            marked_line = has_marks and not marked_lines and _is_marked_line(line)
            base = pos
            last = 0
            label_at, label = -1, ""
            lm = LABEL_RE.match(line)
            if lm:
                # list labels run a b c d đ e …: a bare "d)" right after "d)" is "đ)"
                label_at, label = lm.start(1), lm.group(1)
                if label in "dD":
                    label = _apply_case("đ", label) if prev_label == "d" else label
                prev_label = label.lower()
            token_re = _TOKEN_RE if web_address_spans(line) else _WORDISH_RE
            first = _FIRST_WORD_RE.search(line)
            first_word = first.start() if first else -1
            for mt in token_re.finditer(line):
                start = mt.start()
                if start > last:
                    gap = line[last:start]
                    out.append(gap)
                    add_fixed(fixed_ids(gap))
                last = mt.end()
                tok = mt.group()
                if mt.lastgroup in ("url", "email"):
                    out.append(tok)
                    add_fixed((UNK,))
                    continue
                pieces = ((tok, start),) if tok.isalpha() else self._split_compound(tok, start, caps_line)
                for w, start in pieces:
                    if start < 0:
                        out.append(w)
                        add_fixed(fixed_ids(w))
                        continue
                    if start == label_at:
                        out.append(label)
                        add_fixed(fixed_ids(label))
                        continue
                    if not w.isalpha() or marked_line or (has_marks and has_diacritics(w)):
                        out.append(w)
                        add_fixed(fixed_ids(w))
                        continue
                    if len(w) == 1 and w.isupper() and start == first_word and line[start + 1:start + 2] == " " \
                            and line[start + 2:start + 3].islower():
                        # a capital letter opening a sentence is a word ("O day" → "Ở đây")
                        fixed, ids, prior = word(w.lower(), caps_line)
                        fixed = None if fixed is None else w
                    else:
                        fixed, ids, prior = word(w, caps_line)
                    if fixed is None:
                        slots.append((len(out), add_choice(ids, prior), w, base + start))
                        out.append(w)
                    else:
                        out.append(fixed)
                        add_fixed(ids)
            if last < len(line):
                out.append(line[last:])
                add_fixed(fixed_ids(line[last:]))
            lat.end_sentence()
            pos += len(line)

        if len(slots) >= CACHE_MIN_WORDS:
            # A long text is decoded twice, the second time with its own first reading mixed
            # into the model (diacritics.cache_lm): a report's usage settles what the corpus
            # cannot. Every first choice counts here (only the sure ones did 1,504 errors
            # against 1,484 on the bench's texts, and cost the posteriors: 24k syl/s, not 36k).
            from diacritics.cache_lm import DocumentCache, settled_ids
            from diacritics.context_model import lattice_bonus
            first = decode_lattice(m, lat, beam=self.beam, posteriors=False, margin=self.margin)
            bonus = lattice_bonus(lat, first.choice, m)
            m = DocumentCache(m, settled_ids(lat, first.choice))
            # … and with the company each reading keeps there (diacritics.context_model):
            # 1,477 → 1,373 errors of 231,414 syllables (weights 0.1/0.2/0.3/0.5: 1,395/1,375/
            # 1,404/1,491 with the table before it was quantised)
            if bonus is not None:
                lat.cand_ch = (np.asarray(lat.cand_ch) + bonus).tolist()
        res = decode_lattice(m, lat, beam=self.beam, posteriors=detail, margin=self.margin)
        cid = lat.cand_id
        self._settle_lone_words(lat, res.choice, slots)
        cased = self._cased
        for oi, p, w, _ in slots:
            out[oi] = cased(cid[int(res.choice[p])], style, w)
        words = self._details(lat, res, slots, out, style) if detail else []
        return Restoration("".join(out), words)

    def _cased(self, wid: int, style: str, like: str) -> str:
        """Vocabulary form ``wid`` in ``style``, with the letter case of ``like``."""
        kind = 0 if like.islower() else 1 if like.isupper() else 2 if like[1:].islower() else -1
        if kind < 0:
            return _apply_case(self._form(wid, style), like)
        key = (wid, style, kind)
        got = self._case_cache.get(key)
        if got is None:
            got = self._case_cache[key] = _apply_case(self._form(wid, style), like)
        return got

    def _details(self, lat: Lattice, res, slots, out, style) -> list[RestoredWord]:
        cid, post, cased = lat.cand_id, res.posterior, self._cased
        words = []
        for oi, p, w, start in slots:
            rng = lat.candidates_of(p)
            probs = post[rng.start:rng.stop]
            order = np.argsort(-probs, kind="stable")
            alts = [(cased(cid[rng.start + i], style, w), float(probs[i])) for i in order.tolist()]
            words.append(RestoredWord(start, start + len(w), w, out[oi],
                                      float(post[int(res.choice[p])]), alts))
        return words

    @staticmethod
    def _settle_lone_words(lat: Lattice, choice, slots) -> None:
        """A word alone in its sentence (a table cell: ``Đạt``, ``Năm``) has no
        context to decide by; give it the spelling the same document used
        where context did decide (sentences of 4+ positions)."""
        pseg, _, seg_len = lat.segments()
        n_of = seg_len[pseg[[p for _, p, _, _ in slots]]] if slots else []
        lone = {w.lower() for (_, _, w, _), n in zip(slots, n_of) if n == 1}
        if not lone:
            return
        cid = lat.cand_id
        seen: dict[str, Counter] = {}
        for (_, p, w, _), n in zip(slots, n_of):
            if n >= _CONTEXT_MIN and w.lower() in lone:
                seen.setdefault(w.lower(), Counter())[cid[int(choice[p])]] += 1
        for (_, p, w, _), n in zip(slots, n_of):
            if n != 1:
                continue
            votes = seen.get(w.lower())
            best, count = votes.most_common(1)[0] if votes else (None, 0)
            if count >= 2 and count >= _LONE_SHARE * sum(votes.values()):
                choice[p] = next(i for i in lat.candidates_of(p) if cid[i] == best)
            else:
                # no clear house spelling: the corpus's most frequent one (the
                # model's "<s> w <s>" favours headings and names: Tần over tấn)
                choice[p] = lat.pos_start[p]


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


def restore_detailed(text: str, style: str = "new", marked_lines: bool = False) -> Restoration:
    """Like :func:`restore`, plus one :class:`RestoredWord` per decoded word.

    Each has its span in the NFC input, the output form, a confidence (the
    posterior of that form given the rest of the sentence) and every
    candidate with its posterior, best first. Words that were kept as they
    are (accented, acronyms, codes, unknown words) are not listed.
    ``marked_lines``: restore the unmarked words of mostly marked lines too
    (the caller knows they lost some marks: ``Các co quan, đơn vị``).
    """
    return _restorer().restore(text, style, detail=True, marked_lines=marked_lines)
