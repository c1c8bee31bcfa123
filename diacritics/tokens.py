"""The token alphabet the syllable language model is trained and queried on.

Training (``lexicon.build``) and decoding share this one definition, so the
context the decoder sees for a number, a code or a comma is exactly what the
model was counted on.

Text is lowercased; each token is a letter run, a number, a line break or one
punctuation character. Letter runs that are Vietnamese syllables get their own
id (in the "new" tone-placement style); everything else falls into a few
classes. Sentence ends and line breaks become the boundary ``<s>``, which the
model treats as both end and start of a sentence.
"""
from __future__ import annotations

import re

from diacritics.tone import is_syllable, to_style

# Fixed ids; syllables follow from FIRST_WORD_ID, most frequent first.
BOUND, UNK, NUM, PUNCT = 0, 1, 2, 3
PUNCT_IDS = {",": 4, "(": 5, ")": 6, "-": 7, "/": 8, '"': 9, "%": 10}
SPECIAL_NAMES = ["<s>", "<unk>", "<num>", "<p>", ",", "(", ")", "-", "/", '"', "%"]
FIRST_WORD_ID = len(SPECIAL_NAMES)
# Ids are packed 16 bits each into one 64-bit key per 4-gram; NONE marks
# "no context here" and never occurs in a stored n-gram.
NONE = 0xFFFF
MAX_VOCAB = NONE

LM_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[\n\t]|[^\w\s]")
# Sentence ends, line breaks and table-cell separators (tab, "|") end a
# sentence for the model: a table row is a list of cells, not a sentence.
_BOUNDARY_CHARS = set(".!?;:…\n\t|")
_QUOTES = set("\"“”„«»")
_DASHES = set("-–—")


def lm_class(token: str) -> int | str:
    """Map one lowercased LM token to a fixed id, or to the syllable it stands for.

    Returns an int for the classes (boundary, number, punctuation) and a
    string for a word — a syllable in the "new" tone style, anything else as
    it is; the caller maps the string to its vocabulary id, or ``UNK``.
    """
    c = token[0]
    if c.isdigit():
        return NUM
    if c.isalpha():
        # Syllables in one spelling; any other word as it is — the vocabulary
        # decides whether it has an id (frequent acronyms do: "ubnd", "tthc").
        return to_style(token, "new") if is_syllable(token) else token
    if c in _BOUNDARY_CHARS:
        return BOUND
    if c in _QUOTES:
        return PUNCT_IDS['"']
    if c in _DASHES:
        return PUNCT_IDS["-"]
    return PUNCT_IDS.get(c, PUNCT)


def lm_ids(text: str, vocab: dict[str, int]) -> list[int]:
    """LM ids of a (fixed, not-to-be-restored) piece of text."""
    out = []
    for tok in LM_TOKEN_RE.findall(text.lower()):
        k = lm_class(tok)
        out.append(vocab.get(k, UNK) if isinstance(k, str) else k)
    return out
