"""Read the text of table cells with Tesseract, one call per table.

Each non-empty cell is cropped to its ink, and the crops are stacked into one
tall "mosaic" image with blank space between them; Tesseract reads the mosaic
as a uniform block (``--psm 6``) and every word goes back to the cell whose
slot holds it. Cells stay isolated from their neighbours (no text runs across
a column) while the language model is loaded once per table instead of once
per cell. This module is the only place that calls Tesseract for tables.
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from pipeline.errors import ExternalProgramError, MissingDependencyError
from table_extract.grid import components

PSM = 6
TIMEOUT = 120


@dataclass
class CellText:
    text: str
    confidence: float   # 0..1, mean of Tesseract's word confidences
    ink_x: int = 0      # left edge of the ink, page pixels


def _clean_ink(crop: np.ndarray, dpi: int) -> np.ndarray | None:
    """Ink mask (255) of a cell crop with specks removed, or None for an empty cell.

    Tesseract thresholds a noisy, mostly blank crop badly (a crisp '2.1' came
    back as 'ĐÀN:'), so it is given our clean black-on-white version instead.
    """
    if crop.min() > 160:  # nothing dark: an empty cell, whatever the paper's grey
        return None
    blurred = cv2.GaussianBlur(crop, (3, 3), 0)
    t, _b = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _t, binary = cv2.threshold(blurred, min(t, 180), 255, cv2.THRESH_BINARY_INV)
    n, lab, stats, _c = components(binary)
    min_area = max(4, (dpi // 150) ** 2 * 3)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, 4] >= min_area
    if not keep.any():
        return None
    mask = np.where(keep[lab], 255, 0).astype(np.uint8)
    if int(stats[1:, 4][keep[1:]].sum()) < max(12, dpi // 12):
        return None
    return mask


def _ink_box(mask: np.ndarray, dpi: int) -> tuple[int, int, int, int] | None:
    x0, y0, w, h = cv2.boundingRect(mask)  # of the non-zero pixels
    if w == 0:
        return None
    x1, y1 = x0 + w, y0 + h
    if (y1 - y0) < max(3, dpi // 75) and (x1 - x0) < 3 * (y1 - y0):
        return None  # a speck; a dash ('-' sub-item) is short but wide
    return x0, y0, x1, y1


def _word_columns(tsv: str) -> dict[str, list]:
    """Tesseract's TSV as columns, valued as pytesseract's ``Output.DICT`` values them
    (numbers, confidence included, as ``int(float(v))``; text as is), so both paths agree."""
    rows = [row.split("\t") for row in tsv.strip().split("\n")]
    header, rows = rows[0], rows[1:]
    if rows and len(rows[-1]) < len(header):
        rows[-1].append("")  # the strip above took the last word's empty text cell
    text_col = len(header) - 1
    return {head: [row[i] if i == text_col else int(float(row[i])) for row in rows if len(row) > i]
            for i, head in enumerate(header)}


def _tesseract_words(image: Image.Image, lang: str, dpi: int, whitelist: str = "") -> dict:
    from pipeline.tesseract import recognise_words

    # The worker's long-lived engine (model already loaded) when there is one; pytesseract
    # (the program, and ~0.5 s of pandas to import) only without it.
    tsv = recognise_words(np.ascontiguousarray(np.asarray(image.convert("L"))), lang=lang, psm=PSM, dpi=dpi,
                          timeout=TIMEOUT, page="a table",
                          variables={"tessedit_char_whitelist": whitelist} if whitelist else None)
    if tsv is not None:
        return _word_columns(tsv)
    import pytesseract

    os.environ["OMP_THREAD_LIMIT"] = "1"
    extra = f" -c tessedit_char_whitelist={whitelist}" if whitelist else ""
    # Handed over as an uncompressed PGM: pytesseract would write a PNG, whose compression cost
    # ~45 ms of CPU per table page. Tesseract reads the same grey pixels from either.
    fd, path = tempfile.mkstemp(prefix="sohoa-table-", suffix=".pgm")
    os.close(fd)
    try:
        image.save(path, format="PPM")  # an "L" image is written as a binary PGM
        return pytesseract.image_to_data(path, lang=lang, config=f"--psm {PSM} --dpi {dpi}{extra}",
                                         output_type=pytesseract.Output.DICT, timeout=TIMEOUT)
    except pytesseract.TesseractNotFoundError as exc:
        raise MissingDependencyError("tesseract is not installed",
                                     fix="install it with: sudo apt-get install tesseract-ocr tesseract-ocr-vie") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise ExternalProgramError(f"tesseract timed out on a table ({exc})",
                                   fix="check the page image; other pages were still processed") from exc
    except pytesseract.TesseractError as exc:
        raise ExternalProgramError(f"tesseract failed on a table ({exc.message.strip()[:120]})",
                                   fix=f"check the language pack: sudo apt-get install tesseract-ocr-{lang}") from exc
    except OSError as exc:  # after TesseractNotFoundError, which is one too
        raise ExternalProgramError(f"cannot write a table image for tesseract ({exc.strerror})", path=path,
                                   fix="free some space in the temporary folder (TMPDIR)") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


_DIGITISH = re.compile(r"^[\dOolI|.,%]+$")
# a number as Tesseract's Vietnamese model may misread it: 'l'/'I'/'|' for 1, 'ó' for 0, 'S' for 5
_NUMBER_LIKE = re.compile(r"[\dlI|\[\]OoóòSsZzBgT.,%/]{1,14}")
DIGITS = "0123456789.,%"


def _fix_number(text: str) -> str:
    """Letters Tesseract reads for digits inside an otherwise numeric cell: 'O' → 0, 'l' → 1."""
    if text and _DIGITISH.match(text) and any(ch.isdigit() for ch in text) or text in ("O", "o"):
        return text.translate(str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"}))
    return text


def _read_mosaic(pieces: list[tuple[int, np.ndarray]], lang: str, dpi: int, whitelist: str = ""
                 ) -> dict[int, tuple[str, float]]:
    """Read cell crops stacked into one image: {cell index: (text, confidence 0–1)}."""
    line_h = int(np.median([p.shape[0] for _k, p in pieces]))
    gap = max(dpi // 8, int(line_h * 0.8))
    width = max(p.shape[1] for _k, p in pieces) + 2 * gap
    height = sum(p.shape[0] + gap for _k, p in pieces) + gap
    mosaic = np.full((height, width), 255, np.uint8)
    slots = []
    y = gap
    for k, piece in pieces:
        h, w = piece.shape
        mosaic[y:y + h, gap:gap + w] = piece
        slots.append((k, y - gap // 2, y + h + gap // 2))
        y += h + gap
    data = _tesseract_words(Image.fromarray(mosaic), lang, dpi, whitelist)
    words: dict[int, list[tuple[int, int, tuple, str, float]]] = {}
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        if not text:
            continue
        cy = data["top"][i] + data["height"][i] / 2
        slot = next((s for s in slots if s[1] <= cy < s[2]), None)
        if slot is None:
            continue
        line_key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        words.setdefault(slot[0], []).append((data["top"][i], data["left"][i], line_key, text,
                                              float(data["conf"][i])))
    out = {}
    for k, ws in words.items():
        lines: dict[tuple, list] = {}
        for top, left, key, text, _conf in ws:
            lines.setdefault(key, []).append((top, left, text))
        ordered = sorted(lines.values(), key=lambda l: min(t for t, *_ in l))
        text = " ".join(" ".join(w[2] for w in sorted(l, key=lambda w: w[1])) for l in ordered)
        confs = [w[4] for w in ws if w[4] >= 0]
        out[k] = (unicodedata.normalize("NFC", text), (sum(confs) / len(confs) / 100.0) if confs else 0.5)
    return out


def read_cells(gray: np.ndarray, boxes: list[tuple[int, int, int, int]], dpi: int, lang: str = "vie",
               whitelist: str = "") -> list[CellText]:
    """Text of each box (x0, y0, x1, y1) of the page image ``gray``; empty boxes give ''.

    ``whitelist`` restricts the characters Tesseract may read (for STT cells: '1' not 'l').
    Without one, cells that read as numbers are read a second time, digits only, by the
    English model, which confuses fewer digits ('51,3' → '31,3', '552' → '332' with vie).
    """
    out = [CellText("", 1.0) for _ in boxes]
    pieces: list[tuple[int, np.ndarray]] = []
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        mask = _clean_ink(gray[y0:y1, x0:x1], dpi)
        box = _ink_box(mask, dpi) if mask is not None else None
        if box is None:
            continue
        bx0, by0, bx1, by1 = box
        out[k].ink_x = x0 + bx0
        pad = max(4, dpi // 40)
        pieces.append((k, 255 - mask[max(0, by0 - pad):by1 + pad, max(0, bx0 - pad):bx1 + pad]))
        # a lone dash (the "-" sub-item STT): too small for Tesseract to bother with
        if (bx1 - bx0) > 1.8 * (by1 - by0) and (by1 - by0) < dpi / 25 and (bx1 - bx0) < dpi / 6:
            out[k] = CellText("-", 0.9, x0 + bx0)
    if not pieces:
        return out
    for k, (text, conf) in _read_mosaic(pieces, lang, dpi, whitelist).items():
        if out[k].text == "-" and not re.search(r"\w", text):
            continue
        out[k] = CellText(_fix_number(text), conf, out[k].ink_x)
    if not whitelist:
        _reread_numbers(out, pieces, dpi)
    return out


def _reread_numbers(out: list[CellText], pieces: list[tuple[int, np.ndarray]], dpi: int) -> None:
    from table_extract.values import parse_value

    numeric = [(k, p) for k, p in pieces if _NUMBER_LIKE.fullmatch(out[k].text)
               and not re.fullmatch(r"[IVX]+", out[k].text)]  # a Roman STT stays
    if not numeric:
        return
    # digits are the same in every script; the English model reads a lone '1' where vie sees '|'
    again = _read_mosaic(numeric, "eng", dpi, DIGITS)
    for k, _p in numeric:
        text, conf = again.get(k, ("", 0.0))
        v = parse_value(text)
        if not (text and v is not None and v.value_type in ("number", "percent")):
            # a lone '1' is often too thin for a second reading; the usual look-alikes stand for it
            text = re.sub(r"[lI|\[\]]", "1", out[k].text)
            v = parse_value(text)
            if text == out[k].text or v is None or v.value_type not in ("number", "percent"):
                continue
            conf = out[k].confidence * 0.8
        out[k] = CellText(text, conf, out[k].ink_x)


def read_region(gray: np.ndarray, box: tuple[int, int, int, int], dpi: int, lang: str = "vie") -> list[str]:
    """Lines of text in one region of the page (the title block above a table)."""
    x0, y0, x1, y1 = box
    crop = gray[max(0, y0):y1, max(0, x0):x1]
    mask = _clean_ink(crop, dpi) if crop.size else None
    if mask is None:
        return []
    data = _tesseract_words(Image.fromarray(255 - mask), lang, dpi)
    lines: dict[tuple[int, int, int], list[tuple[int, str]]] = {}
    for i, text in enumerate(data["text"]):
        if (text or "").strip() and float(data["conf"][i]) >= 30:
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append((data["left"][i], text.strip()))
    return [unicodedata.normalize("NFC", " ".join(t for _x, t in sorted(ws))) for _k, ws in sorted(lines.items())]
