"""Which words keep company: evidence from beyond the 4-gram's three-word history.

The 4-gram decides most words, but where two readings are both good Vietnamese
it sees only the words just before: ``đăng tin nhầm`` (a singleton in the
corpus) beat ``đăng tin nhằm`` although ``tuyên truyền`` follows, and
``Tỉnh từ thực hiện`` beat ``Tỉnh ủy`` in ``Chương trình hành động của Tỉnh ủy``.
The words around a slot say which reading the text is about. This is the
classic bag-of-words context model of context-sensitive spelling correction
(Golding & Roth): a candidate ``w`` earns, for each word ``c`` within
``WINDOW`` words of it,

    log P(c near w) / P(c near anything)

smoothed towards the neighbour's overall share (``SMOOTH`` pseudo-counts) and
clipped to ±``CLIP``, so no one neighbour carries the decision. The counts
come from the corpus (``lexicon.build_context``); the neighbours from the
first decoding pass of the same text.
"""
from __future__ import annotations

import difflib
import functools
import os
import zlib
from pathlib import Path

import numpy as np

from diacritics.tokens import FIRST_WORD_ID, UNK

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "lexicon" / "data" / "context.npz"
ENV_PATH = "SOHOA_CONTEXT_MODEL"
WINDOW = 5      # neighbours on each side, as counted and as decoded (8 in decoding: 500 word errors on the eng sets against 497)
SMOOTH = 1000   # pseudo-counts towards the neighbour's overall share (300: 496)
CLIP = 3.0      # nats one neighbour may add or take (2: 498)
# Weight of the context score against the channel and the 4-gram. English OCR of the seed
# reports, devset documents and devset pages (521 word errors without): 0.15 → 498, 0.2 → 497,
# 0.3 → 506.
WEIGHT = 0.2
NEIGHBOURS = 4096   # the most frequent ids that count as neighbours (see ContextModel)


class ContextModel:
    """Pair counts from ``lexicon.build_context``, held as a table of scores; see :meth:`scores`.

    Neighbours are the ``NEIGHBOURS`` most frequent ids (the ids are frequency-ranked): leaving
    the rarer ones out changed none of 231,414 restored syllables (keeping 2,048: 2 more
    errors), and makes the table a dense int8 array of ``vocab × NEIGHBOURS`` scores (38 MB),
    looked up by index instead of by a search among 2.8 M pairs: restoring 1 MB of devset text
    took 6.6 CPU-s without the context model and 10.2 with the search; the scores now take
    0.19 of it. Built once (0.5–0.6 s) and then memory-mapped from the user's cache, like the
    language model (``diacritics.model_cache``).
    """

    def __init__(self, path: str | os.PathLike):
        from diacritics import model_cache
        kind = f"ctx-n{NEIGHBOURS}-s{SMOOTH:g}-c{CLIP:g}"   # the table depends on these
        arrays = model_cache.load(Path(path), ("table", "meta"), kind)
        if arrays is None:
            arrays = _score_table(path)
            model_cache.store(Path(path), arrays, kind)
        self.table = arrays["table"]
        self.vocab_size, self.checksum = (int(x) for x in arrays["meta"][[0, 3]])
        self.n_neighbours = self.table.shape[1]

    def scores(self, words: np.ndarray, contexts: np.ndarray) -> np.ndarray:
        """Context score of each ``words[i]`` among its neighbours ``contexts[i, :]``.

        Ids that are no syllable of the model (a boundary, a number, ``<unk>``) score 0, as do
        neighbours rarer than the table keeps; pad a short row with 0 (the boundary's id).
        """
        contexts = np.where(contexts < self.n_neighbours, contexts, 0)
        rows = np.where(words < self.vocab_size, words, 0)
        return self.table[rows[:, None], contexts].sum(axis=1, dtype=np.int32) * _STEP


_STEP = CLIP / 127


def _score_table(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The shipped counts as int8 scores: ``table[w, c]`` for every word and each of the
    ``NEIGHBOURS`` most frequent neighbours (0.5 s; then memory-mapped from the user's cache)."""
    with np.load(path) as z:
        pairs = np.cumsum(z["pair_delta"].astype(np.int64))
        count = z["pair_count"].astype(np.float64)
        word_total = z["word_total"].astype(np.float64)
        neighbours = z["neighbour_total"].astype(np.float64)
        meta = z["meta"].astype(np.int64)
    vocab_size = int(meta[0])
    share = neighbours / neighbours.sum()
    n_neighbours = min(NEIGHBOURS, vocab_size)
    # a pair never seen: P(c | w) is the smoothing's alone, SMOOTH·share / (total + SMOOTH)
    unseen = np.log(SMOOTH / (word_total + SMOOTH))
    table = np.repeat(_quantise(unseen)[:, None], n_neighbours, axis=1)
    w, c = pairs // vocab_size, pairs % vocab_size
    near = c < n_neighbours
    w, c, count = w[near], c[near], count[near]
    p = (count + SMOOTH * share[c]) / (word_total[w] + SMOOTH)
    table[w, c] = _quantise(np.log(p / share[c]))
    table[:FIRST_WORD_ID] = 0
    table[:, :FIRST_WORD_ID] = 0
    return {"table": table, "meta": meta}


def _quantise(log_ratio: np.ndarray) -> np.ndarray:
    return np.round(np.clip(log_ratio, -CLIP, CLIP) / _STEP).astype(np.int8)


@functools.lru_cache(maxsize=2)
def _load(path: str) -> ContextModel | None:
    return ContextModel(path) if Path(path).is_file() else None


def load_context_model(path: str | os.PathLike | None = None, model=None) -> ContextModel | None:
    """The shipped table (or ``path``, or ``$SOHOA_CONTEXT_MODEL``), or None where there is none
    or it was built for another vocabulary than ``model``'s."""
    chosen = path or os.environ.get(ENV_PATH) or DEFAULT_PATH
    table = _load(str(Path(chosen).resolve()))
    if table is not None and model is not None and table.checksum != _model_checksum(model):
        return None
    return table


def vocab_checksum(vocab: list[str]) -> int:
    """CRC-32 of the model's vocabulary, which the table's ids index."""
    return zlib.crc32("\n".join(vocab).encode("utf-8"))


@functools.lru_cache(maxsize=4)
def _model_checksum(model) -> int:
    return vocab_checksum(list(model.vocab))


# offsets of a position's neighbours in ``_padded`` choices
_AROUND = np.r_[np.arange(0, WINDOW), np.arange(WINDOW + 1, 2 * WINDOW + 1)]


def _padded(chosen: np.ndarray) -> np.ndarray:
    """Chosen ids with ``WINDOW`` boundaries (id 0, no neighbour) on each side: position ``p``'s
    neighbours are then ``padded[p + _AROUND]``, without a test at the text's ends."""
    return np.r_[np.zeros(WINDOW, np.int64), chosen, np.zeros(WINDOW, np.int64)]


def _signature(lattice: list) -> list[str]:
    return [item if isinstance(item, str) else "\0" for item in lattice]


def _line_spans(sig: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each line's items: a line's last item is the fixed text ending in a line break."""
    spans, start = [], 0
    for i, item in enumerate(sig):
        if "\n" in item:
            spans.append((start, i + 1))
            start = i + 1
    spans.append((start, len(sig)))
    return spans


def _matching_items(first: list, second: list):
    """(index in ``first``, index in ``second``) of the items the two lattices share.

    Line by line (both passes lay out the same lines): a whole-text diff of a long report
    took seconds, as its few distinct items ("\0", " ") repeat thousands of times.
    """
    a, b = _signature(first), _signature(second)
    la, lb = _line_spans(a), _line_spans(b)
    if len(la) != len(lb):
        la, lb = [(0, len(a))], [(0, len(b))]
    for (a0, a1), (b0, b1) in zip(la, lb):
        if a[a0:a1] == b[b0:b1]:
            yield from zip(range(a0, a1), range(b0, b1))
            continue
        matcher = difflib.SequenceMatcher(None, a[a0:a1], b[b0:b1], autojunk=False)
        for i, j, size in matcher.get_matching_blocks():
            yield from ((a0 + i + d, b0 + j + d) for d in range(size))


def context_bonus(first, lattice: list, model, weight: float = WEIGHT) -> dict[int, list[float]]:
    """Per candidate list of ``lattice``: a score to add to each candidate's channel score.

    ``first``: the :class:`~diacritics.decode.DecodeResult` of a first decoding of the same
    text, whose choices are the neighbours. Its lattice may differ a little (a second pass
    with an adapted channel cuts a token here and there differently), so the two are aligned
    on their fixed text. Scores are centred on the mean of the list's known words (``_centred``);
    a word the model does not know (a kept non-word) gets 0.
    """
    ctx_model = load_context_model(model=model)
    if ctx_model is None or first is None or first.search is None or first._ranking is None or weight == 0:
        return {}
    lat, found = first.search
    chosen = _padded(np.asarray(lat.cand_id, dtype=np.int64)[found.choice])
    first_items, starts, _posterior = first._ranking
    pos_start = np.asarray(lat.pos_start)
    slots, word_ids, where = [], [], []
    from diacritics.decode import _house_style
    for i, j in _matching_items(first_items, lattice):
        item = lattice[j]
        if isinstance(item, str) or len(item) < 2:
            continue
        p = int(np.searchsorted(pos_start, starts[i]))
        ids = [model.index.get(_house_style(w), UNK) for w, _ in item]
        word_ids.extend(ids)
        where.extend([p] * len(ids))   # each candidate against the same neighbours
        slots.append((j, len(ids)))
    if not slots:
        return {}
    word_ids = np.asarray(word_ids, dtype=np.int64)
    score = ctx_model.scores(word_ids, chosen[np.asarray(where)[:, None] + _AROUND])
    sizes = np.array([n for _at, n in slots])
    bonus = (weight * _centred(word_ids, score, sizes)).tolist()
    ends = np.cumsum(sizes).tolist()
    return {at: bonus[end - n:end] for (at, n), end in zip(slots, ends)}


def _centred(ids: np.ndarray, score: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``score`` of consecutive candidate lists of ``sizes``, less the mean of its list's known
    words (the model's syllables); 0 for the other candidates and in a list with fewer than two."""
    first_of = np.r_[0, np.cumsum(sizes)[:-1]]
    known = ids >= FIRST_WORD_ID
    n_known = np.add.reduceat(known.astype(np.float64), first_of)
    mean = np.add.reduceat(np.where(known, score, 0.0), first_of) / np.maximum(n_known, 1)
    centred = np.where(known, score - np.repeat(mean, sizes), 0.0)
    centred[np.repeat(n_known, sizes) < 2] = 0.0
    return centred


def lattice_bonus(lat, choice: np.ndarray, model, weight: float = WEIGHT) -> np.ndarray | None:
    """Per flat candidate of the id-level ``lat`` (ids of ``model``): the score to add to its
    channel score, with the neighbours ``choice`` (a first decoding of the same lattice) chose.
    None without a table for the model."""
    ctx_model = load_context_model(model=model)
    if ctx_model is None or weight == 0:
        return None
    cand = np.asarray(lat.cand_id, dtype=np.int64)
    starts = np.asarray(lat.pos_start, dtype=np.int64)
    count = np.diff(np.r_[starts, len(cand)])
    chosen = _padded(cand[np.asarray(choice, dtype=np.int64)])
    amb = np.flatnonzero(count >= 2)
    bonus = np.zeros(len(cand))
    if not len(amb):
        return bonus
    n_amb = count[amb]
    first_of = np.r_[0, np.cumsum(n_amb)[:-1]]   # where each position's candidates begin in ``flat``
    flat = np.repeat(starts[amb] - first_of, n_amb) + np.arange(int(n_amb.sum()))
    pos = np.repeat(amb, n_amb)
    score = ctx_model.scores(cand[flat], chosen[pos[:, None] + _AROUND])
    bonus[flat] = weight * _centred(cand[flat], score, n_amb)
    return bonus
