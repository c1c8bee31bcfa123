"""Candidates the neighbouring words propose for a badly garbled token (``điện tix`` → ``tử``).

The repair offers each token the syllables its letters explain best
(``Repairer.candidates``): a few dozen of the hundreds the channel allows. For a
token English OCR mangled, the intended syllable can lie below that cut: the letters
of ``tix`` explain 51 syllables better than ``tử`` (``tỉ``, ``tít``, ``tìm`` …), and
those of ``cjéi`` in ``định kỳ cjéi vGi`` 143 better than ``đối``.
The words around such a token know what it is: the language model's likeliest
words after its left neighbour and before its right one are offered too, when the
channel still allows them (within the beam of the token's best). The decoder then
weighs them as it weighs every other candidate, so a proposal wins only where the
context outweighs what the letters say.
"""
from __future__ import annotations

import functools
import unicodedata

import numpy as np
from rapidfuzz.distance import Levenshtein

from diacritics.confusion import _source_keys, lookup_skeleton, skeleton
from diacritics.tone import to_style

GARBLED_BELOW = -1.0     # a token whose best channel score is below this was misread, not read
NEIGHBOUR_READINGS = 3   # a neighbour's best readings that propose words …
NEIGHBOUR_SLACK = 3.0    # … within this many nats of its best
# A token this far gone takes proposals from more of a neighbour's readings (qai mai: mới is
# mai's 20th reading, 5.6 nats down); only these few, as each reading costs a bigram lookup
MANGLED_BELOW = -5.0
WIDE_READINGS = 30
WIDE_SLACK = 6.0
PROPOSALS = 100          # the model's likeliest next (or previous) words per reading
MAX_EDITS = 2            # skeleton letters a proposal may differ by from the token

_U16 = np.uint64(16)
_LOW16 = np.uint64(0xFFFF)


def add_context_candidates(lattice: list, tokens: dict[int, str], rep, beam: float, floor: float) -> int:
    """Add to each garbled token's candidate list what its neighbours propose.

    ``lattice``: the decoder's input (candidate lists and the strings between them); a
    list that gains words is replaced by a new one (the old may be the candidate cache's);
    ``tokens``: lattice position → the observed token there; a candidate is kept if it
    scores at least ``max(best - beam, floor)``. Returns how many candidates were added.
    """
    added = 0
    for at, token in tokens.items():
        cands = lattice[at]
        if not cands or cands[0][1] >= GARBLED_BELOW:
            continue
        have = {w for w, _lp in cands}
        proposed: set[int] = set()
        left, right = _neighbour(lattice, at, -1), _neighbour(lattice, at, +1)
        wide = cands[0][1] < MANGLED_BELOW
        for wid in _readings(left, rep, wide):
            proposed.update(_top_bigrams(rep.lm, wid, after=True))
        for wid in _readings(right, rep, wide):
            proposed.update(_top_bigrams(rep.lm, wid, after=False))
        if not proposed:
            continue
        obs = to_style(unicodedata.normalize("NFC", token.lower()), "new")
        lowest = max(cands[0][1] - beam, floor)
        # only syllables a few letters from what the token may stand for (its letters,
        # look-alikes folded, and the letters the channel learnt its symbols come from:
        # ¢ for c or đ): the channel prices the others far below the beam, and scoring
        # them is the whole cost
        keys = {lookup_skeleton(obs), skeleton(obs)} | _source_keys(obs, rep.conf)
        near: dict[str, bool] = {}   # per skeleton: the proposals share a few hundred
        extra = []
        for wid in proposed:
            word = rep.lm.vocab[wid]
            if word in have or word not in rep.valid:
                continue
            sk = skeleton(word)
            ok = near.get(sk)
            if ok is None:
                ok = near[sk] = any(Levenshtein.distance(key, sk, score_cutoff=MAX_EDITS) <= MAX_EDITS
                                    for key in keys)
            if not ok:
                continue
            lp = rep.conf.logp(obs, word)
            if lp >= lowest:
                extra.append((word, lp))
        if extra:
            lattice[at] = sorted(cands + extra, key=lambda kv: -kv[1])
            added += len(extra)
    return added


def _neighbour(lattice: list, at: int, step: int) -> list | None:
    """The candidate list next to ``at`` when only spaces stand between (no sentence break)."""
    gap, other = at + step, at + 2 * step
    if not 0 <= other < len(lattice):
        return None
    between = lattice[gap]
    if isinstance(between, list):
        return between
    if isinstance(between, str) and between.strip(" ") == "" and isinstance(lattice[other], list):
        return lattice[other]
    return None


def _readings(cands: list | None, rep, wide: bool = False) -> list[int]:
    """Ids of a neighbour's likeliest readings: the best few its channel allows."""
    if not cands:
        return []
    best = cands[0][1]
    out = []
    n, slack = (WIDE_READINGS, WIDE_SLACK) if wide else (NEIGHBOUR_READINGS, NEIGHBOUR_SLACK)
    for w, lp in cands[:n]:
        wid = rep.lm.index.get(w)
        if lp >= best - slack and wid is not None and w in rep.valid:
            out.append(wid)
    return out


@functools.lru_cache(maxsize=1 << 14)
def _top_bigrams(lm, wid: int, after: bool) -> tuple[int, ...]:
    """The ``PROPOSALS`` likeliest words stored after (or before) word ``wid``.

    After: by P(next | wid). Before: by P(prev) · P(wid | prev), i.e. P(prev | wid) up to
    a constant, so a common word that often precedes ``wid`` ranks first.
    """
    keys, lp = lm.keys[2], lm.lp[2]
    if after:
        lo, hi = np.searchsorted(keys, [np.uint64(wid) << _U16, np.uint64(wid + 1) << _U16])
        ids = (keys[lo:hi] & _LOW16).astype(np.int64)
        score = lp[lo:hi].astype(np.float32)
    else:
        order, seconds = _by_second(lm)
        lo, hi = np.searchsorted(seconds, [wid, wid + 1])
        at = order[lo:hi]
        ids = (keys[at] >> _U16).astype(np.int64)
        score = lp[at].astype(np.float32) + lm.lp1[ids]
    if len(ids) > PROPOSALS:
        top = np.argpartition(-score, PROPOSALS)[:PROPOSALS]
        ids = ids[top]
    return tuple(int(i) for i in ids)


@functools.lru_cache(maxsize=2)
def _by_second(lm) -> tuple[np.ndarray, np.ndarray]:
    """The bigram table ordered by its second word (built once: ~25 ms for a million bigrams)."""
    seconds = (lm.keys[2] & _LOW16).astype(np.int64)
    order = np.argsort(seconds, kind="stable")
    return order, seconds[order]
