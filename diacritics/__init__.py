"""Vietnamese diacritic restoration and OCR-error repair.

Public API (imported lazily, so ``import diacritics`` stays cheap and the
model loads on first use):

* ``restore(text, style="new") -> str``
* ``restore_detailed(text, style="new") -> Restoration`` (per-word alternatives and confidence)
* ``from diacritics.decode import decode``: ``decode(lattice) -> DecodeResult``, beam search
  over candidate syllables (a submodule, not re-exported here: its name is the function's)
* ``load_model()``; ``strip_diacritics``, ``to_style``, ``is_syllable``, ``nfc`` (diacritics.tone)
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "restore": "diacritics.restorer",
    "restore_detailed": "diacritics.restorer",
    "Restoration": "diacritics.restorer",
    "RestoredWord": "diacritics.restorer",
    "load_model": "diacritics.model",
    "strip_diacritics": "diacritics.tone",
    "to_style": "diacritics.tone",
    "is_syllable": "diacritics.tone",
    "nfc": "diacritics.tone",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'diacritics' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
