"""OCR repair candidates: the bounded search gives exactly what scoring every nearby syllable gives."""
import pytest

from diacritics.confusion import lookup_skeleton, skeleton, _source_keys
from diacritics.repair import Repairer, get_repairer

# Words from our own OCR of the bench pages (valid, slipped, foreign) and seed 003's
# wrong-language garbles, with symbols, digits and a long run.
WORDS = ["người", "được", "thủ", "tục", "hành", "chính", "quyết", "định", "biến", "chẩn", "số", "sổ",
         "luậi", "bảo", "hiếm", "tố", "chức", "côte", "giggs", "ubnd", "s6", "nwéc", "ctia", "chwong",
         "trinh", "tong", "thé", "d€", "tha", "duogc", "diing", "pang", "tuwdéng", "qu6c", "nghiêng",
         "théngrké", "x111", "a"]


@pytest.mark.parametrize("channel", ["vie", "eng"])
def test_bounded_candidates_are_the_full_ones(channel):
    bounded = get_repairer(channel)
    full = Repairer(channel)
    full._within = None   # score every syllable near the token
    for w in WORDS:
        assert bounded._candidates(w) == full._candidates(w), w


@pytest.mark.parametrize("channel", ["vie", "eng"])
def test_bound_is_never_below_the_score(channel):
    rep = get_repairer(channel)
    index, model = rep.index, rep.conf
    for obs in ("được", "nwéc", "chwong", "luậi", "tha"):
        skels = []
        for key in {lookup_skeleton(obs), skeleton(obs)} | _source_keys(obs, model):
            skels += [sk for sk, _d in index.skeletons_near(key) if sk not in skels]
        syls = [s for sk in skels for s in index.by_skeleton[sk]]
        bounds = index._upper_bounds(obs, model, skels)
        assert len(bounds) == len(syls) > 20
        for syl, b in zip(syls, bounds):
            assert b >= model.char_logp(obs, syl) - 1e-9, (obs, syl)
