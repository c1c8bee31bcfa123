"""The OCR channel: P(observed token | intended syllable), and candidate generation.

The tables are learned by ``python -m lexicon.build_confusion`` from pages the
project renders and OCRs itself, and ship as ``lexicon/data/ocr_confusion.json.gz``.
There is one channel per Tesseract language:

* ``eng`` — text OCR'd with the wrong (English) language: marks dropped or
  turned into look-alikes (``nước`` → ``nwéc``, ``số`` → ``s6``, ``Đảng`` → ``Pang``);
* ``vie`` — our own Vietnamese OCR: rare, mostly single-mark errors.

Candidates for an observed token come from the valid-syllable list through a
deletion index over diacritic-free skeletons (SymSpell style), so a token is
never scored against the whole lexicon. Scores are natural-log probabilities.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import json
import math
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

TABLE_PATH = Path(__file__).resolve().parent.parent / "lexicon" / "data" / "ocr_confusion.json.gz"
# Candidates of the commonest syllables, precomputed (``python -m diacritics.confusion``)
CANDIDATE_TABLE_PATH = TABLE_PATH.with_name("ocr_candidates.npz")

# Characters OCR engines put at the edges of words that are not part of them.
EDGE_PUNCT = set(".,;:!?()[]{}\"'“”‘’«»…–—-/*•·")

# Look-alikes folded when lining up OCR tokens with their truth and when
# looking up candidates: the learned channel prices them afterwards.
_FOLD = str.maketrans({"w": "u", "6": "o", "0": "o", "ø": "o", "1": "l", "|": "l", "!": "l",
                       "€": "e", "¢": "e", "&": "a", "§": "a", "@": "a", "4": "a", "$": "s",
                       "ß": "b", "©": "c", "®": "e"})


# Symbols wrong-language OCR prints for a marked vowel (``S&`` = ``Sở``, ``K&`` = ``Kế``).
_VOWEL_SYMBOLS = "&¢§€@®©"


def base_char(ch: str) -> str:
    """The letter without any diacritic (``ế`` → ``e``, ``đ`` → ``d``)."""
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    d = unicodedata.normalize("NFD", ch)
    return d[0] if d else ch


@functools.lru_cache(maxsize=1 << 16)
def skeleton(token: str) -> str:
    """Lower-case, diacritic-free form of a syllable (``Nước`` → ``nuoc``)."""
    return "".join(base_char(c) for c in token.lower())


def lookup_skeleton(token: str) -> str:
    """Skeleton of an observed token with OCR look-alikes folded and junk removed."""
    s = skeleton(token).translate(_FOLD)
    return "".join(c for c in s if c.isalpha())


def align_skeleton(token: str) -> str:
    """A looser key used only to line up OCR tokens with the truth."""
    return lookup_skeleton(token).replace("i", "l").replace("y", "l").replace("p", "d")


def split_edge_punct(token: str) -> tuple[str, str, str]:
    """``"(Tinh"`` → ``("(", "Tinh", "")``; inner characters are kept."""
    i, j = 0, len(token)
    while i < j and token[i] in EDGE_PUNCT:
        i += 1
    while j > i and token[j - 1] in EDGE_PUNCT:
        j -= 1
    return token[:i], token[i:j], token[j:]


class ConfusionModel:
    """P(observed | intended) for one channel, from the learned counts.

    Each character operation is its relative frequency in training plus a
    floor for what training did not show, kinder to look-alikes of the same
    base letter (``ế``→``é``) than to other letters. The floors do not
    shrink with the amount of training data: an unseen slip stays possible.
    A whole-token table overrides the character model for garbles seen in
    training (``của`` → ``ctia``).
    """

    SAME_BASE = 1e-3     # floor for a change that keeps the base letter (ố→ổ)
    OTHER = 1e-5         # … for any other change (t→i)
    DELETE = 1e-4
    INSERT = 1e-4
    SYMBOL = 3e-3        # floor for a marked vowel printed as a symbol (``&``, ``¢``)

    def __init__(self, channel: dict, tone_family_lp: float | None = None):
        """``tone_family_lp``: with it, a garble the whole-token table saw for one tone of a
        syllable counts for its other tones too, at this log-cost (see :meth:`logp`)."""
        self.tone_family_lp = tone_family_lp
        self.total = channel.get("char_total", {})
        self.sub = channel.get("sub", {})
        self.ins = channel.get("ins", {})
        self.n_chars = max(1, sum(self.total.values()))
        self.tok = channel.get("tok", {})
        self.tok_total = channel.get("tok_total", {})
        self.sources = self._sources()
        # Scoring memos (the scores themselves are _sub/_ins): a page scores a few
        # hundred syllables per unknown word, always against the same few pairs of
        # letters and the same few thousand syllables.
        self.source: tuple[str, Path] | None = None   # (channel, tables file) when loaded by load_model
        self._costs: dict[tuple[str, str], float] = {}
        self._running: dict[str, list[float]] = {}
        self._right: dict[str, list[float]] = {}   # each letter's cost read right, by syllable

    def _sources(self) -> dict[str, tuple[str, ...]]:
        """Observed char → base letters it is often a misreading of (``é`` → e, o; ``w`` → u)."""
        by_obs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for c, outs in self.sub.items():
            for o, n in outs.items():
                if o:
                    by_obs[o.lower()][base_char(c).lower()] += n
        out = {}
        for o, srcs in by_obs.items():
            total = sum(srcs.values())
            keep = [b for b, n in sorted(srcs.items(), key=lambda kv: -kv[1])
                    if n >= 0.05 * total and n >= 3 and b.isalpha()]
            out[o] = tuple(keep[:3])
        for sym in _VOWEL_SYMBOLS:
            out.setdefault(sym, ("a", "e", "o"))
        out["¢"] = ("c", "e", "o")   # the cent sign is a c as often as a marked vowel
        return out

    @functools.lru_cache(maxsize=200_000)
    def _sub(self, c: str, o: str) -> float:
        n = self.total.get(c, 0)
        k = self.sub.get(c, {}).get(o, 0)
        if o == c:
            return math.log((k + 1.0) / (n + 1.0))
        if o == "":
            prior = self.DELETE
        elif base_char(o).lower() == base_char(c).lower() or (o in _VOWEL_SYMBOLS and
                                                                base_char(c) in "aeiouy"):
            prior = self.SAME_BASE
        else:
            prior = self.OTHER
        p = k / (n + 1.0) + prior
        if o in _VOWEL_SYMBOLS and base_char(c) in "aeiouy":
            p = max(p, self.SYMBOL)  # rare in training, common in real exports
        return math.log(p)

    @functools.lru_cache(maxsize=20_000)
    def _ins(self, o: str) -> float:
        return math.log(self.ins.get(o, 0) / self.n_chars + self.INSERT)

    def char_logp(self, obs: str, intended: str) -> float:
        """Sum over ``intended``'s letters of how each was read, then of the inserted letters.

        The sum runs in that order, letter by letter: the running sum over a
        syllable's letters read right is kept, so a pair is only added up from
        its first edit on.
        """
        ops = Levenshtein.editops(intended, obs).as_list()
        running = self._running.get(intended)
        if running is None:
            running = self._running[intended] = self._running_sums(intended)
        if not ops:
            return running[-1]
        lp, indel = self._ops_logp(obs, intended, ops, running)
        if indel:
            # With an inserted or dropped letter, unit-cost edits tie between alignments
            # and Levenshtein picks one blindly (``duogc`` for ``được``: d inserted, then
            # đ→u, ư→o, ợ→g). Lining up the diacritic-free skeletons instead pairs
            # letters of the same base (đ→d, ư→u, ợ→o, g inserted); the likelier reading counts.
            a, b = skeleton(intended), skeleton(obs)
            if (len(a), len(b)) == (len(intended), len(obs)):
                alt = []   # the skeletons' alignment as edits of the letters themselves
                for tag, i1, i2, j1, j2 in Levenshtein.opcodes(a, b).as_list():
                    if tag == "equal" or tag == "replace":
                        alt += [("replace", i1 + k, j1 + k) for k in range(i2 - i1)
                                if intended[i1 + k] != obs[j1 + k]]
                    elif tag == "delete":
                        alt += [("delete", i, j1) for i in range(i1, i2)]
                    else:
                        alt += [("insert", i1, j) for j in range(j1, j2)]
                if alt != ops:
                    lp = max(lp, self._ops_logp(obs, intended, alt, running)[0])
        return lp

    def _ops_logp(self, obs: str, intended: str, ops: list, running: list[float]) -> tuple[float, bool]:
        """(log-probability of reading ``intended`` as ``obs`` by ``ops``, whether ``ops`` insert or drop)."""
        read_as: dict[int, str] = {}
        inserted = []
        indel = False
        for tag, src, dest in ops:
            if tag == "replace":
                read_as[src] = obs[dest]
            elif tag == "insert":
                inserted.append(obs[dest])
                indel = True
            else:
                read_as[src] = ""
                indel = True
        first = min(read_as) if read_as else len(intended)
        lp = running[first]
        if first < len(intended):
            # the letters read right cost what they cost in ``running``; added one by one, in order
            steps = self._right[intended][first:]
            costs = self._costs
            for pos, o in read_as.items():
                key = (intended[pos], o)
                c = costs.get(key)
                if c is None:
                    c = costs[key] = self._sub(*key)
                steps[pos - first] = c
            for c in steps:
                lp += c
        for o in inserted:
            lp += self._ins(o)
        return lp, indel

    def _running_sums(self, intended: str) -> list[float]:
        """``[0, cost of letter 0 read right, + letter 1 read right, …]``, summed in order."""
        right = self._right[intended] = [self._sub(ch, ch) for ch in intended]
        out, lp = [0.0], 0.0
        for c in right:
            lp += c
            out.append(lp)
        return out

    @functools.cached_property
    def read_as_whole(self) -> dict[str, set[str]]:
        """Observed token → the syllables the whole-token table has seen it read for."""
        out: dict[str, set[str]] = defaultdict(set)
        for intended, seen in self.tok.items():
            for obs in seen:
                out[obs].add(intended)
                if self.tone_family_lp is not None:
                    out[obs].update(_tones_of(intended))
        return dict(out)

    @functools.cached_property
    def _tone_family(self) -> dict[str, list[str]]:
        """Toneless syllable → the syllables of the whole-token table with it (tử, từ → tư)."""
        from diacritics.tone import split_tone
        out: dict[str, list[str]] = defaultdict(list)
        for intended in self.tok:
            out[split_tone(intended)[0]].append(intended)
        return dict(out)

    def _tok_logp(self, obs: str, intended: str) -> float | None:
        seen = self.tok.get(intended)
        if seen and obs in seen:
            return math.log(seen[obs] / (self.tok_total.get(intended, 0) + 1.0))
        return None

    def logp(self, obs: str, intended: str) -> float:
        """log P(obs | intended), both lower-case NFC.

        The whole-token table knows how a syllable was garbled as a whole in
        training; English OCR drops tone marks, so what it printed for one tone
        (``tur`` for ``tử``, ``từ``) it prints for the others (``tự``, as in
        ``số thứ tự``), which the letters alone price as an odd inserted ``r``.
        """
        char = self.char_logp(obs, intended)
        tok = self._tok_logp(obs, intended)
        if tok is None and self.tone_family_lp is not None:
            from diacritics.tone import split_tone
            sibs = [lp for sib in self._tone_family.get(split_tone(intended)[0], ())
                    if (lp := self._tok_logp(obs, sib)) is not None]
            tok = max(sibs) + self.tone_family_lp if sibs else None
        return char if tok is None else max(char, tok)


@functools.lru_cache(maxsize=1 << 14)
def _tones_of(syllable: str) -> tuple[str, ...]:
    """The syllable in each of the six tones (house style)."""
    from diacritics.tone import place_tone, split_tone
    base, _tone = split_tone(syllable)
    return tuple(place_tone(base, t) for t in range(6))


# English OCR prints no tone mark it cannot read: a whole-token garble seen for one tone of a
# syllable is taken for its others at this cost (e^-1 ≈ 0.37 of the seen tone's rate)
ENG_TONE_FAMILY_LP = -1.0


@functools.lru_cache(maxsize=2)
def load_table(path: str | None = None) -> dict:
    """The learned tables (see ``lexicon.build_confusion``), read once."""
    p = Path(path) if path else TABLE_PATH
    try:
        with gzip.open(p, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        from pipeline.errors import MissingDependencyError
        raise MissingDependencyError(f"OCR confusion tables unreadable ({exc})", path=p,
                                     fix="reinstall, or rebuild with `python -m lexicon.build_confusion`") from exc


@functools.lru_cache(maxsize=4)
def load_model(channel: str = "eng", path: str | None = None) -> ConfusionModel:
    table = load_table(path)
    if channel not in table["channels"]:
        raise KeyError(f"no OCR channel {channel!r}; choose one of {sorted(table['channels'])}")
    model = ConfusionModel(table["channels"][channel],
                           tone_family_lp=ENG_TONE_FAMILY_LP if channel == "eng" else None)
    model.source = (channel, Path(path) if path else TABLE_PATH)
    return model


def _deletes(s: str, d: int) -> set[str]:
    out = {s}
    for k in range(1, min(d, len(s)) + 1):
        for idx in combinations(range(len(s)), k):
            out.add("".join(c for i, c in enumerate(s) if i not in idx))
    return out


class CandidateIndex:
    """Valid syllables reachable from an observed token within a few skeleton edits."""

    def __init__(self, syllables: Iterable[str], max_edits: int = 2):
        self.max_edits = max_edits
        self.by_skeleton: dict[str, list[str]] = defaultdict(list)
        for s in syllables:
            self.by_skeleton[skeleton(s)].append(s)
        self.deletes: dict[str, set[str]] = defaultdict(set)
        for sk in self.by_skeleton:
            for v in _deletes(sk, max_edits):
                self.deletes[v].add(sk)
        self._near: dict[str, list[str]] = {}   # skeletons_near of lookup keys: tokens share them
        self._tables: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # precomputed candidates
        # letter codes for the score bounds, built on first use; rows in by_skeleton order
        self._codes: np.ndarray | None = None
        # per channel model (weakly: repair adapts a model per document and drops it)
        self._columns: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def skeletons_near(self, obs_skel: str) -> list[tuple[str, int]]:
        if not obs_skel:
            return []
        d = 1 if len(obs_skel) <= 3 else self.max_edits
        found: dict[str, int] = {}
        for v in _deletes(obs_skel, d):
            for sk in self.deletes.get(v, ()):
                if sk not in found:
                    dist = Levenshtein.distance(obs_skel, sk)
                    if dist <= d:
                        found[sk] = dist
        return sorted(found.items(), key=lambda kv: kv[1])

    def candidates(self, obs: str, model: ConfusionModel, k: int = 12,
                   within: float | None = None) -> list[tuple[str, float]]:
        """Top-``k`` (syllable, log P(obs | syllable)) for a lower-case observed token.

        With ``within``, syllables scoring more than ``within`` nats below the
        best may be left out (the rest are exactly as without it): the few
        hundred syllables near a token are mostly far off, and scoring one
        costs far more than bounding it (:meth:`_upper_bounds`).
        """
        if within is not None:
            known = self._precomputed(model).get(obs)
            if known is not None and within <= known[0]:
                scored = list(known[1])
                scored.sort(key=lambda kv: (-kv[1], kv[0]))
                return scored[:k]
        keys = {lookup_skeleton(obs), skeleton(obs)} | _source_keys(obs, model)
        skels: set[str] = set()
        near = self._near
        for key in keys:
            found = near.get(key)
            if found is None:
                if len(near) >= NEAR_MEMO:
                    near.clear()
                found = near[key] = [sk for sk, _d in self.skeletons_near(key)]
            skels.update(found)
        order = list(skels)
        syls = [syl for sk in order for syl in self.by_skeleton[sk]]
        if within is None or len(syls) < BOUND_FROM:
            scored = [(syl, model.logp(obs, syl)) for syl in syls]
        else:
            scored = self._scored_within(obs, model, order, syls, within)
        scored.sort(key=lambda kv: (-kv[1], kv[0]))
        return scored[:k]

    def _precomputed(self, model: ConfusionModel) -> "CandidateTable | dict":
        """The shipped candidate table for ``model``'s channel, if it was built from exactly
        these tables, this code and this lexicon (else empty: everything is computed)."""
        got = self._tables.get(model)
        if got is None:
            got = self._tables[model] = read_candidate_table(self, model)
        return got

    def fingerprint(self, model: ConfusionModel) -> str | None:
        """What a candidate table for ``model`` depends on: its tables file, this module, the lexicon."""
        if model.source is None:
            return None
        channel, path = model.source
        h = hashlib.sha256()
        for part in (channel.encode(), path.read_bytes(), Path(__file__).read_bytes(),
                     "\n".join(sorted(s for g in self.by_skeleton.values() for s in g)).encode("utf-8")):
            h.update(hashlib.sha256(part).digest())
        return h.hexdigest()

    def _scored_within(self, obs: str, model: ConfusionModel, skels: list[str], syls: list[str],
                       within: float) -> list[tuple[str, float]]:
        """Scores of ``syls`` (those of ``skels``), likeliest bound first, until no bound
        reaches ``within`` of the best score."""
        bound = self._upper_bounds(obs, model, skels)
        seen_as = model.read_as_whole.get(obs)
        if seen_as:   # the whole-token table may beat the letters: scored whatever the bound
            for i, syl in enumerate(syls):
                if syl in seen_as:
                    bound[i] = math.inf
        out = []
        best = -math.inf
        for i in np.argsort(-bound, kind="stable").tolist():
            # BOUND_SLACK: the bound adds in another order than logp, so its last bits differ
            if bound[i] + BOUND_SLACK < best - within:
                break
            lp = model.logp(obs, syls[i])
            out.append((syls[i], lp))
            best = max(best, lp)
        return out

    def _upper_bounds(self, obs: str, model: ConfusionModel, skels: list[str]) -> np.ndarray:
        """For each syllable of the skeletons ``skels`` (in ``by_skeleton`` order), the best score of any alignment with ``obs`` under ``model``'s letter costs.

        ``char_logp`` scores one or two particular alignments with the same
        costs, so this is never below it. One dynamic programme over all the
        syllables at once, a row per letter, vectorised across syllables.
        """
        if self._codes is None:
            self._build_codes()
        rows = np.concatenate([self._rows[sk] for sk in skels])
        sub = np.stack([self._cost_column(model, o) for o in obs], axis=1)   # (letter, obs position)
        dele = self._cost_column(model, "")
        ins = np.array([model._ins(o) for o in obs])
        pre = np.concatenate(([0.0], np.cumsum(ins)))   # inserting obs[:j] before any letter
        lens = self._lens[rows]
        codes = self._codes[rows]
        prev = np.broadcast_to(pre, (len(rows), len(obs) + 1)).copy()
        base = np.empty_like(prev)
        for i in range(int(lens.max())):
            c = codes[:, i]
            d = dele[c]
            base[:, 0] = prev[:, 0] + d
            np.maximum(prev[:, :-1] + sub[c], prev[:, 1:] + d[:, None], out=base[:, 1:])
            # then letters inserted after this one: cur[j] = max(base[j], cur[j-1] + ins[j-1])
            cur = np.maximum.accumulate(base - pre, axis=1) + pre
            prev = np.where((lens > i)[:, None], cur, prev)
        return prev[:, -1].copy()

    def _build_codes(self) -> None:
        syls = [s for group in self.by_skeleton.values() for s in group]
        self._alphabet = sorted({c for s in syls for c in s})
        code = {c: i for i, c in enumerate(self._alphabet)}
        width = max(map(len, syls))
        codes = np.zeros((len(syls), width), dtype=np.intp)
        for r, s in enumerate(syls):
            codes[r, :len(s)] = [code[c] for c in s]
        self._rows: dict[str, np.ndarray] = {}
        start = 0
        for sk, group in self.by_skeleton.items():
            self._rows[sk] = np.arange(start, start + len(group))
            start += len(group)
        self._lens = np.array([len(s) for s in syls], dtype=np.intp)
        self._codes = codes

    def _cost_column(self, model: ConfusionModel, o: str) -> np.ndarray:
        """log P(read as ``o`` | letter) for every letter of the alphabet (``o`` = "": dropped)."""
        cols = self._columns.get(model)
        if cols is None:
            cols = self._columns[model] = {}
        col = cols.get(o)
        if col is None:
            col = cols[o] = np.array([model._sub(c, o) for c in self._alphabet])
        return col


MAX_KEYS = 48
BOUND_FROM = 48       # syllables from which bounding them first pays (one bound pass ≈ 40 scorings)
BOUND_SLACK = 1e-6
NEAR_MEMO = 50_000    # lookup keys whose nearby skeletons are remembered (~1 KB each)


def _source_keys(obs: str, model: ConfusionModel) -> set[str]:
    """Skeletons the observed token may be a misreading of, from the learned sources."""
    keys = [""]
    for ch in obs:
        alts = model.sources.get(ch) or ((skeleton(ch),) if ch.isalpha() else ("",))
        if ch.isalpha() and skeleton(ch) not in alts:
            alts = (skeleton(ch),) + alts
        keys = [k + a for k in keys for a in alts][:MAX_KEYS]
    return set(keys)


# --- the precomputed candidate table ------------------------------------------------------

def build_candidate_table(index: CandidateIndex, model: ConfusionModel, words: Iterable[str],
                          within: float) -> dict[str, np.ndarray]:
    """For each word, every nearby syllable scoring within ``within`` nats of the best, with its score.

    What ``index.candidates(word, model, within=w)`` returns is then a function of
    these entries alone for any ``w <= within``, so they replace the search for the
    commonest words. Keyed by :meth:`CandidateIndex.fingerprint`.
    """
    fingerprint = index.fingerprint(model)
    if fingerprint is None:
        raise ValueError("the candidate table needs a model from load_model (its tables file is part of the key)")
    words = list(dict.fromkeys(words))
    names: dict[str, int] = {}
    starts, ids, lps = [0], [], []
    for w in words:
        scored = index.candidates(w, model, k=1 << 30)   # everything, exactly
        best = scored[0][1] if scored else 0.0
        for syl, lp in scored:
            if lp >= best - within:
                ids.append(names.setdefault(syl, len(names)))
                lps.append(lp)
        starts.append(len(ids))
    meta = {"fingerprint": fingerprint, "within": within, "channel": model.source[0]}
    return {"meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
            "words": np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
            "names": np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8),
            "starts": np.array(starts, dtype=np.int32),
            "ids": np.array(ids, dtype=np.uint16 if len(names) < 1 << 16 else np.int32),
            "lp": np.array(lps, dtype=np.float64)}


def read_candidate_table(index: CandidateIndex, model: ConfusionModel,
                         path: Path | None = None) -> "CandidateTable | dict":
    """The table file's entries for ``model``, or {} when it is missing or was built from
    other tables, other code or another lexicon (a stale table is never used)."""
    path = path or CANDIDATE_TABLE_PATH
    fingerprint = index.fingerprint(model)
    if fingerprint is None or not path.exists():
        return {}
    try:
        with np.load(path) as z:
            meta = json.loads(z["meta"].tobytes().decode("utf-8"))
            if meta.get("fingerprint") != fingerprint:
                return {}
            return CandidateTable(float(meta["within"]), z["words"].tobytes().decode("utf-8").split("\n"),
                                  z["names"].tobytes().decode("utf-8").split("\n"), z["starts"], z["ids"], z["lp"])
    except (OSError, ValueError, KeyError):
        return {}   # unreadable: computed instead, as without a table


class CandidateTable:
    """word → (within, [(syllable, score), …]); each entry is unpacked when first asked for."""

    def __init__(self, within: float, words: list[str], names: list[str], starts: np.ndarray,
                 ids: np.ndarray, lp: np.ndarray):
        self.within = within
        self._at = {w: i for i, w in enumerate(words)}
        self._names, self._starts, self._ids, self._lp = names, starts, ids, lp

    def get(self, word: str) -> tuple[float, list[tuple[str, float]]] | None:
        i = self._at.get(word)
        if i is None:
            return None
        a, b = int(self._starts[i]), int(self._starts[i + 1])
        names = self._names
        return self.within, [(names[k], lp) for k, lp in zip(self._ids[a:b].tolist(), self._lp[a:b].tolist())]


def write_candidate_table(path: Path, arrays: dict[str, np.ndarray]) -> None:
    import io
    from pipeline.atomic import write_bytes_atomic
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    write_bytes_atomic(path, buf.getvalue())


TABLE_WORDS = 3000   # the commonest syllables: nine in ten of the words our OCR pages hold


def main() -> int:
    """Rebuild the candidate table (after the confusion tables, this module or the lexicon change)."""
    from diacritics.repair import get_repairer
    rep = get_repairer("vie")
    words = sorted(rep._count, key=lambda w: (-rep._count[w], w))[:TABLE_WORDS]
    arrays = build_candidate_table(rep.index, rep.conf, words, rep._within)
    write_candidate_table(CANDIDATE_TABLE_PATH, arrays)
    print(f"{CANDIDATE_TABLE_PATH}: {len(words)} words, {len(arrays['lp'])} entries, "
          f"{CANDIDATE_TABLE_PATH.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
