"""Beam search over a lattice of candidate syllables, scored by the 4-gram model.

Two entry points:

* :func:`decode` — the public, string-level call (used by OCR repair):
  a lattice of fixed tokens and candidate lists in, best path, confidences
  and alternatives out.
* :class:`Lattice` + :func:`decode_lattice` — the id-level form the restorer
  builds directly, without strings per candidate.

All sentences of a text are searched together, one time step at a time, so
each step is a handful of numpy calls over every sentence's beams at once —
that, not a Python loop per candidate, is what makes it fast.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from diacritics.tokens import BOUND, NONE, UNK, lm_ids

DEFAULT_BEAM = 10
# Hypotheses this many nats behind the best one of their sentence are dropped:
# with the beam this keeps easy stretches to one or two live hypotheses.
DEFAULT_MARGIN = 10.0


class Lattice:
    """Sentences of positions; each position holds candidate ids with channel scores.

    A fixed token is a position with one candidate. A boundary id (``BOUND``)
    passed to :meth:`add_fixed` ends the sentence: the model scores the
    sentence end and starts afresh, exactly as it was trained.
    """

    def __init__(self) -> None:
        self.cand_id: list[int] = []      # flat candidates
        self.cand_ch: list[float] = []
        self.pos_start: list[int] = []    # per position: index of its first candidate
        self.seg_start: list[int] = [0]   # per sentence: index of its first position

    def add_fixed(self, ids) -> list[int]:
        """Append fixed ids; return the position index of each (-1 for a boundary)."""
        out = []
        for i in ids:
            if i == BOUND:
                self.end_sentence()
                out.append(-1)
            else:
                out.append(len(self.pos_start))
                self.pos_start.append(len(self.cand_id))
                self.cand_id.append(i)
                self.cand_ch.append(0.0)
        return out

    def add_choice(self, ids, channel) -> int:
        """Append one position with candidates ``ids`` (channel log-probs ``channel``)."""
        self.pos_start.append(len(self.cand_id))
        self.cand_id.extend(ids)
        self.cand_ch.extend(channel)
        return len(self.pos_start) - 1

    def end_sentence(self) -> None:
        if len(self.pos_start) > self.seg_start[-1]:
            self.seg_start.append(len(self.pos_start))

    def candidates_of(self, p: int) -> range:
        """Flat indices of position ``p``'s candidates."""
        stop = self.pos_start[p + 1] if p + 1 < len(self.pos_start) else len(self.cand_id)
        return range(self.pos_start[p], stop)

    def segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sentence of each position, index within it, length of each sentence)."""
        starts = np.asarray(self.seg_start, dtype=np.int64)
        n = len(self.pos_start)
        starts = starts[starts < n]
        seg_len = np.diff(np.r_[starts, n])
        pseg = np.repeat(np.arange(len(starts)), seg_len)
        pt = np.arange(n) - starts[pseg]
        return pseg, pt, seg_len

    def __len__(self) -> int:
        return len(self.pos_start)


@dataclass
class Decoded:
    """Id-level result: per position the chosen flat candidate, and per candidate its posterior."""

    choice: np.ndarray            # flat candidate index chosen at each position
    posterior: np.ndarray         # per flat candidate: P(candidate | rest of best path)


def decode_lattice(model, lat: Lattice, beam: int = DEFAULT_BEAM, lm_weight: float = 1.0,
                   posteriors: bool = True, margin: float = DEFAULT_MARGIN) -> Decoded:
    """Best path through ``lat`` under ``lm_weight`` × LM + channel, and (optionally) posteriors.

    Without ``posteriors`` the returned ``posterior`` array is empty; the
    search alone is about a quarter cheaper.
    """
    n_pos = len(lat)
    if n_pos == 0:
        return Decoded(np.zeros(0, np.int64), np.zeros(0))
    cid = np.asarray(lat.cand_id, dtype=np.uint64)
    cch = np.asarray(lat.cand_ch, dtype=np.float64)
    pstart = np.asarray(lat.pos_start, dtype=np.int64)
    pcount = np.diff(np.r_[pstart, len(cid)])
    pseg, pt, seg_len = lat.segments()
    seg_first = np.r_[0, np.cumsum(seg_len)[:-1]]
    bind = getattr(model, "bind", None)
    if bind is not None:
        model = bind(lat)   # a document cache matches this lattice to the one it was built from

    choice = _beam_search(model, cid, cch, pstart, pcount, seg_len, seg_first, beam, lm_weight, margin)
    if not posteriors:
        return Decoded(choice, np.zeros(0))
    posterior = _posteriors(model, cid, cch, pstart, pcount, pseg, pt, seg_len, choice, lm_weight)
    for _ in range(ICM_ROUNDS):
        better = _better_choices(choice, posterior, pstart, pcount, pseg, pt)
        if better is None:
            break
        choice = better
        posterior = _posteriors(model, cid, cch, pstart, pcount, pseg, pt, seg_len, choice, lm_weight)
    return Decoded(choice, posterior)


# The beam can drop the best path's word before the words that vouch for it come (after
# "phụ lục 4", "thông" beats "thống" by 8.6 nats; "kê" then gives 10.5 back). The posteriors show
# it: a candidate likelier than the chosen one given the rest of the path. Switching to it can
# only raise the path's score (iterated conditional modes); a switch may make a neighbour's
# worth another, so up to this many rounds. On the repair's eval sets (the seed reports and
# devset pages OCR'd in twelve languages) it changed two lines, one right and one wrong.
ICM_ROUNDS = 3


def _better_choices(choice, posterior, pstart, pcount, pseg, pt):
    """``choice`` with each position whose likeliest candidate (given the rest of the path) is
    not the chosen one switched to it, where no other switch within the model's reach interacts;
    None if no position would switch."""
    amb = np.flatnonzero(pcount > 1)
    if len(amb) == 0:
        return None
    n = pcount[amb]
    rep = np.repeat(np.arange(len(amb)), n)
    cand = pstart[amb][rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(n) - n, n))
    p = posterior[cand]
    firsts = np.cumsum(n) - n
    top = np.maximum.reduceat(p, firsts)
    best = np.minimum.reduceat(np.where(p == top[rep], cand, len(posterior)), firsts)
    gain = np.log(posterior[best]) - np.log(np.maximum(posterior[choice[amb]], 1e-300))
    switch = np.flatnonzero((best != choice[amb]) & (gain > 1e-9))   # not a tie
    if len(switch) == 0:
        return None
    new = choice.copy()
    taken: dict[int, list[int]] = {}
    for k in switch[np.argsort(-gain[switch])]:
        seg, t = int(pseg[amb[k]]), int(pt[amb[k]])
        if any(abs(t - u) < 4 for u in taken.get(seg, ())):
            continue
        taken.setdefault(seg, []).append(t)
        new[amb[k]] = best[k]
    return new


def _beam_search(model, cid, cch, pstart, pcount, seg_len, seg_first, beam, lm_weight, margin):
    n_seg = len(seg_len)
    # live beams: segment, history, score, and a global id for backtracking
    b_seg = np.arange(n_seg)
    b_h1 = np.full(n_seg, NONE, np.uint64)
    b_h2 = np.full(n_seg, NONE, np.uint64)
    b_h3 = np.full(n_seg, BOUND, np.uint64)
    b_score = np.zeros(n_seg)
    b_gid = np.full(n_seg, -1, np.int64)
    parents: list[np.ndarray] = []
    cands: list[np.ndarray] = []
    n_hist = 0
    final_gid = np.full(n_seg, -1, np.int64)

    for t in range(int(seg_len.max())):
        live = seg_len[b_seg] > t
        if not live.all():
            b_seg, b_h1, b_h2, b_h3, b_score, b_gid = (
                a[live] for a in (b_seg, b_h1, b_h2, b_h3, b_score, b_gid))
        pos = seg_first[b_seg] + t                     # position of each beam's next step
        nc = pcount[pos]
        rep = np.repeat(np.arange(len(b_seg)), nc)     # beam of each expansion
        first = np.repeat(np.cumsum(nc) - nc, nc)
        cand = pstart[pos][rep] + (np.arange(len(rep)) - first)
        w = cid[cand]
        h1, h2, h3 = b_h2[rep], b_h3[rep], w
        score = b_score[rep] + cch[cand]
        score += lm_weight * model.logprob(b_h1, b_h2, b_h3, w, rep=rep, at=pos[rep])
        seg = b_seg[rep]
        # recombine expansions that reach the same (sentence, history) …
        state = (h1 << np.uint64(32)) | (h2 << np.uint64(16)) | h3
        order = np.lexsort((-score, state, seg))
        s_seg, s_state = seg[order], state[order]
        head = np.r_[True, (s_seg[1:] != s_seg[:-1]) | (s_state[1:] != s_state[:-1])]
        order = order[head]
        # … then keep the best `beam` per sentence
        order = order[np.lexsort((-score[order], seg[order]))]
        s_seg = seg[order]
        starts = np.r_[True, s_seg[1:] != s_seg[:-1]]
        head = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
        rank = np.arange(len(order)) - head
        # … and, of those, only the ones within `margin` of the sentence's best
        s_score = score[order]
        order = order[(rank < beam) & (s_score >= s_score[head] - margin)]

        parents.append(b_gid[rep[order]])
        cands.append(cand[order])
        b_seg, b_h1, b_h2, b_h3, b_score = seg[order], h1[order], h2[order], h3[order], score[order]
        b_gid = np.arange(n_hist, n_hist + len(order))
        n_hist += len(order)

        ending = seg_len[b_seg] == t + 1
        if ending.any():
            e = np.flatnonzero(ending)
            end = b_score[e] + lm_weight * model.logprob(
                b_h1[e], b_h2[e], b_h3[e], np.full(len(e), BOUND, np.uint64))
            es = b_seg[e]
            o = np.lexsort((-end, es))
            keep = np.r_[True, es[o][1:] != es[o][:-1]]
            final_gid[es[o][keep]] = b_gid[e][o][keep]

    parent = np.concatenate(parents)
    candidx = np.concatenate(cands)
    choice = np.empty(len(pstart), np.int64)
    cur = final_gid.copy()
    while True:
        alive = cur >= 0
        if not alive.any():
            break
        g = cur[alive]
        c = candidx[g]
        choice[_pos_of(c, pstart)] = c
        cur[alive] = parent[g]
    return choice


def _pos_of(cand: np.ndarray, pstart: np.ndarray) -> np.ndarray:
    return np.searchsorted(pstart, cand, side="right") - 1


def _posteriors(model, cid, cch, pstart, pcount, pseg, pt, seg_len, choice, lm_weight):
    """P(candidate | the best path everywhere else): the terms it touches, softmaxed per position."""
    # padded best path per sentence: NONE NONE <s> w0 … w(L-1) <s>
    plen = seg_len + 4
    pad_first = np.r_[0, np.cumsum(plen)[:-1]]
    path = np.full(int(plen.sum()), NONE, np.uint64)
    path[pad_first + 2] = BOUND
    path[pad_first + 3 + seg_len] = BOUND
    path[pad_first[pseg] + 3 + pt] = cid[choice]

    post = np.ones(len(cid))
    amb = np.flatnonzero(pcount > 1)
    if len(amb) == 0:
        return post
    rep = np.repeat(amb, pcount[amb])
    first = np.repeat(np.cumsum(pcount[amb]) - pcount[amb], pcount[amb])
    cand = pstart[rep] + (np.arange(len(rep)) - first)
    at = pad_first[pseg[rep]] + 3 + pt[rep]             # index of the position in `path`
    last = pad_first[pseg[rep]] + 3 + seg_len[pseg[rep]]  # the closing <s>
    total = cch[cand].copy()
    oks, grams, where = [], [[], [], [], []], []
    for j in range(4):                                    # n-grams ending at at+j
        q = at + j
        ok = q <= last
        for i in range(4):
            grams[i].append(cid[cand[ok]] if i == 3 - j else path[q[ok] - 3 + i])
        where.append(np.minimum(rep[ok] + j, len(pstart) - 1))   # lattice position of each word
        oks.append(ok)
    # scored in one call: the four sets share many lookups (a candidate's n-gram
    # ending at at+j has the history of the one ending at at+j+1), which the
    # model looks up once
    lp = model.logprob(*(np.concatenate(g) for g in grams), at=np.concatenate(where))
    end = 0
    for ok in oks:
        n = int(np.count_nonzero(ok))
        total[ok] += lm_weight * lp[end:end + n]
        end += n
    # softmax per position
    starts = np.cumsum(pcount[amb]) - pcount[amb]
    mx = np.maximum.reduceat(total, starts)
    e = np.exp(total - np.repeat(mx, pcount[amb]))
    z = np.add.reduceat(e, starts)
    post[cand] = e / np.repeat(z, pcount[amb])
    return post


# --- the public, string-level call ------------------------------------------------

@dataclass
class DecodeResult:
    """Result of :func:`decode`, one entry per lattice position."""

    best: list[str]
    confidence: list[float]
    # (lattice, position of each item or None, posteriors): what ``alternatives`` are ranked from
    _ranking: tuple | None = field(default=None, repr=False, compare=False)
    # the id-level lattice and search behind the result, for a caller that builds on the
    # decoding (a document cache: ``diacritics.cache_lm.settled_ids``)
    search: tuple[Lattice, Decoded] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def alternatives(self) -> list[list[tuple[str, float]]]:
        """Per position ``[(syllable, posterior), …]`` best first; ``[]`` for fixed items.

        Ranked on first use: OCR repair reads only ``best`` and ``confidence``,
        and sorting every candidate list cost it a tenth of the decode.
        """
        if self._ranking is None:
            return [[] for _ in self.best]
        lattice, starts, posterior = self._ranking
        out = []
        for item, s in zip(lattice, starts):
            if s is None:
                out.append([])
            else:
                probs = posterior[s:s + len(item)].tolist()
                out.append(sorted(zip([syl for syl, _ in item], probs), key=lambda x: -x[1]))
        return out


def decode(lattice, *, lm_weight: float = 1.0, beam: int = DEFAULT_BEAM, model=None) -> DecodeResult:
    """Best sequence through a lattice of candidate syllables.

    ``lattice`` is a list; each item is either

    * a ``str``: a fixed token (word, number, code, punctuation, ``"\\n"``).
      It is context only and comes back unchanged. Sentence punctuation and
      line breaks inside it (``"."``, ``";"``, ``"\\n"``) end the sentence for
      the model, as in training; or
    * a list of ``(syllable, channel_logprob)`` pairs: the candidates for one
      word. Syllables are lowercase NFC (``"hòa"``, either tone style);
      ``channel_logprob`` is the natural-log probability of the observed text
      given that candidate (0.0 for all when there is no channel model). A
      syllable the model does not know scores as ``<unk>``.

    Each candidate's total is ``channel_logprob + lm_weight * log P_LM``; the
    search is a beam search over the 4-gram model, and a word of its path that
    another candidate beats, given the rest of the path, is then switched to it.

    Returns :class:`DecodeResult`: ``best[i]`` (the chosen syllable, or the
    fixed string), ``confidence[i]`` (posterior of the chosen candidate given
    the rest of the best path; 1.0 for fixed items and single candidates),
    ``alternatives[i]`` (``[(syllable, posterior), …]`` best first; ``[]`` for
    fixed items).
    """
    from diacritics.model import load_model
    model = model or load_model()
    lat = Lattice()
    where: list[int | None] = []
    ids_of = _candidate_ids(model)
    for item in lattice:
        if isinstance(item, str):
            lat.add_fixed(lm_ids(item, model.index))
            where.append(None)
        else:
            if not item:
                raise ValueError("a lattice position needs at least one candidate")
            ids = [ids_of.get(s) for s, _ in item]
            if None in ids:
                ids = [model.index.get(_house_style(s), UNK) if i is None else i for (s, _), i in zip(item, ids)]
                ids_of.update((s, i) for (s, _), i in zip(item, ids))
            where.append(lat.add_choice(ids, [float(c) for _, c in item]))
    res = decode_lattice(model, lat, beam=beam, lm_weight=lm_weight)
    chosen = res.choice.tolist()
    conf_of = res.posterior[res.choice].tolist()
    best, conf, starts = [], [], []
    for item, p in zip(lattice, where):
        if p is None:
            best.append(item)
            conf.append(1.0)
            starts.append(None)
            continue
        s = lat.pos_start[p]
        best.append(item[chosen[p] - s][0])
        conf.append(conf_of[p])
        starts.append(s)
    return DecodeResult(best, conf, (lattice, starts, res.posterior), (lat, res))


@functools.lru_cache(maxsize=4)
def _candidate_ids(model) -> dict[str, int]:
    """Candidate spelling → model id (``_house_style`` then the vocabulary), filled as met.

    Bounded like ``_house_style``'s memo: an archive meets an endless stream of rare words.
    """
    return _BoundedDict(1 << 16)


class _BoundedDict(dict):
    """A dict that forgets everything once it holds ``limit`` entries (cheap, and rarely hit)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def update(self, *args, **kwargs) -> None:
        if len(self) >= self.limit:
            self.clear()
        super().update(*args, **kwargs)


@functools.lru_cache(maxsize=1 << 16)
def _house_style(syllable: str) -> str:
    """The model's spelling of a candidate; memoised, as repair offers the same few thousand again and again."""
    from diacritics.tone import to_style
    return to_style(syllable.lower(), "new")
