"""The context model (``diacritics.context_model``, built by ``lexicon.build_context``): which
words keep company, as evidence for the second decoding pass of wrong-language OCR."""
from __future__ import annotations

import numpy as np
import pytest

from diacritics.context_model import CLIP, SMOOTH, ContextModel, load_context_model
from diacritics.model import load_model
from diacritics.repair import repair_text
from diacritics.tokens import BOUND, FIRST_WORD_ID
from lexicon.build_context import MIN_PAIR, count_pairs, save

SEED003 = "003_ac805ce7c85713f0.txt"


def test_pairs_are_counted_both_ways_within_the_window():
    a, b, c = FIRST_WORD_ID, FIRST_WORD_ID + 1, FIRST_WORD_ID + 2
    ids = np.array([BOUND, a, b, c, BOUND, a])
    counts = count_pairs(ids, FIRST_WORD_ID + 3, window=2)
    assert counts[a, b] == counts[b, a] == 1     # the last a is three from b: too far
    assert counts[b, c] == counts[c, b] == 1
    # c is two from the first a, and two from the last across a boundary (which takes a place)
    assert counts[a, c] == counts[c, a] == 2
    assert counts[a, a] == 0
    assert counts[BOUND].sum() == 0 and counts[:, BOUND].sum() == 0   # a boundary pairs with nothing


def test_the_saved_table_scores_as_its_counts_say(tmp_path, monkeypatch):
    monkeypatch.setenv("SOHOA_CACHE_DIR", str(tmp_path / "cache"))   # its score table, not the user's
    rng = np.random.default_rng(4)
    size = FIRST_WORD_ID + 30
    counts = rng.integers(0, 12, (size, size))
    counts[:FIRST_WORD_ID] = 0
    counts[:, :FIRST_WORD_ID] = 0
    path = tmp_path / "context.npz"
    save(path, counts, [f"w{i}" for i in range(size)])
    cm = ContextModel(path)
    words = np.arange(FIRST_WORD_ID, size).repeat(size - FIRST_WORD_ID)
    ctx = np.tile(np.arange(FIRST_WORD_ID, size), size - FIRST_WORD_ID)
    got = cm.scores(words, ctx[:, None])
    # a row of neighbours is their sum
    assert np.isclose(cm.scores(words[:1], ctx[None, :3])[0], got[:3].sum())
    # by hand: pairs seen less than MIN_PAIR times count as unseen
    kept = np.where(counts >= MIN_PAIR, counts, 0)
    share = counts.sum(0) / counts.sum()
    p = (kept[words, ctx] + SMOOTH * share[ctx]) / (counts.sum(1)[words] + SMOOTH)
    # … held as int8 steps of CLIP / 127
    assert np.allclose(got, np.clip(np.log(p / share[ctx]), -CLIP, CLIP), atol=CLIP / 254 + 1e-9)
    # numbers, <unk> and the like have no neighbours to speak of
    assert cm.scores(np.array([1]), np.array([[FIRST_WORD_ID]]))[0] == 0
    assert cm.scores(np.array([FIRST_WORD_ID]), np.array([[0, 1, 2]]))[0] == 0
    # its ids are another vocabulary's than the shipped model's: not used with that model
    assert load_context_model(path) is not None
    assert load_context_model(path, model=load_model()) is None


def _score(cm, lm, word: str, around: str) -> float:
    ctx = np.array([lm.index[w] for w in around.split()])
    return cm.scores(np.array([lm.index[word]]), ctx[None, :])[0]


def test_the_shipped_table_knows_which_reading_the_neighbours_support():
    lm = load_model()
    cm = load_context_model(model=lm)
    assert cm is not None
    # đăng tin nhằm tuyên truyền: the 4-gram had "tin nhầm" (a corpus singleton) ahead
    around = "phát sóng đăng tin tuyên truyền cho chuỗi hoạt động"
    assert _score(cm, lm, "nhằm", around) > _score(cm, lm, "nhầm", around) + 5
    around = "chương trình hành động của tỉnh thực hiện nghị quyết đại hội"
    assert _score(cm, lm, "ủy", around) > _score(cm, lm, "từ", around) + 5
    around = "số lượng văn bản trên trục liên thông"
    assert _score(cm, lm, "nhận", around) > _score(cm, lm, "nhân", around)


def test_the_second_pass_reads_by_the_company_words_keep(seeds_dir, monkeypatch):
    """``Chương trình hành động của Tinh ty thực hiện Nghị quyết``: the 4-gram, the channel and
    the document all ranked ``Tỉnh tự`` first; the neighbours say ``Tỉnh ủy``."""
    head = "\n".join((seeds_dir / SEED003).read_text(encoding="utf-8").split("\n")[:40])
    line = "thực hiện Chương trình hành động của Tỉnh {} thực hiện Nghị quyết Đại hội của"
    assert repair_text(head).split("\n")[29] == line.format("ủy")
    monkeypatch.setenv("SOHOA_CONTEXT_MODEL", "/nonexistent/context.npz")   # no table: no context
    assert repair_text(head).split("\n")[29] == line.format("tự")


def test_restoration_reads_by_the_company_words_keep(seeds_dir, monkeypatch):
    """Stripped text long enough to be read twice (``CACHE_MIN_WORDS``) gets the same evidence.
    Seed 002 stripped: the words the context model puts right outnumber those it puts wrong."""
    from diacritics.restorer import Restorer
    from diacritics.tone import strip_diacritics, to_style
    truth = to_style(next(seeds_dir.glob("002_*.txt")).read_text(encoding="utf-8"), "new")
    stripped = strip_diacritics(truth)

    def errors() -> int:
        out = to_style(Restorer(load_model()).restore(stripped).text, "new")
        assert len(out.split()) == len(truth.split())
        return sum(a.lower() != b.lower() for a, b in zip(out.split(), truth.split()))

    with_context = errors()
    monkeypatch.setenv("SOHOA_CONTEXT_MODEL", "/nonexistent/context.npz")
    assert with_context < errors()
