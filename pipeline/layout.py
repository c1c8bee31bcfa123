"""Words and lines from Tesseract's TSV, put in reading order.

Vietnamese administrative documents open with a two-column masthead (issuing
body on the left, national motto on the right) and close with a two-column
signature block. Tesseract's page segmentation often joins the two columns
into one text line ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI …", then "TỈNH BÌNH ĐỊNH
Độc lập - …"), interleaving them. We split such lines at the wide gutter and
emit each column whole: left column top to bottom, then the right one.

Not every wide gap is a gutter. A form aligns its values after a colon
(``Chức vụ          : Tổng giám đốc``) and a table leaves room before its
figures (``Tổng cộng          28.500.000``); read column by column, the labels
would come out first and the values after them, each cut from its own.
Such lines stay whole, as Tesseract read them.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in page-image pixels

# a table's value cell: an amount, a count, a share, a date (28.500.000, 01, 10%, 20/01/2020)
_FIGURE_RE = re.compile(r"[-+(]?\d[\d.,/%)]*")


@dataclass
class Word:
    text: str
    box: Box
    confidence: float
    final: str | None = None

    def to_json(self) -> dict:
        return {"text": self.text, "final": self.final if self.final is not None else self.text,
                "box": list(self.box), "confidence": round(self.confidence, 2)}


@dataclass
class Line:
    words: list[Word]
    key: tuple[int, int] = (0, 0)   # Tesseract (block, paragraph): a change starts a new paragraph
    final: str | None = None

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def box(self) -> Box:
        return (min(w.box[0] for w in self.words), min(w.box[1] for w in self.words),
                max(w.box[2] for w in self.words), max(w.box[3] for w in self.words))

    @property
    def height(self) -> int:
        return max(1, self.box[3] - self.box[1])

    @property
    def confidence(self) -> float:
        return statistics.fmean(w.confidence for w in self.words) if self.words else 0.0

    def to_json(self) -> dict:
        return {"text": self.text, "final": self.final if self.final is not None else self.text,
                "box": list(self.box), "confidence": round(self.confidence, 2),
                "words": [w.to_json() for w in self.words]}


def parse_tsv(tsv: str, scale: float = 1.0) -> list[Line]:
    """Lines in Tesseract's order; empty words (layout rows) are dropped.

    ``scale`` maps Tesseract's pixels to the page image's when Tesseract read
    a resized copy of it.
    """
    lines: dict[tuple[int, int, int], Line] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text:
            continue
        block, par, ln = int(cols[2]), int(cols[3]), int(cols[4])
        x, y, w, h = (int(c) for c in cols[6:10])
        box = (x, y, x + w, y + h)
        if scale != 1.0:
            box = tuple(int(round(v * scale)) for v in box)
        word = Word(text, box, float(cols[10]))
        lines.setdefault((block, par, ln), Line([], key=(block, par))).words.append(word)
    return list(lines.values())


def split_at_gutters(line: Line, page_width: int) -> list[Line]:
    """Cut a line where the gap between words is far wider than any word space.

    A gap before a colon is a form's, between a label and its value, not a gutter: no
    column starts with a colon. (A gap after one may be: ``Nơi nhận:`` beside ``KT. CHỦ TỊCH``.)
    """
    words = sorted(line.words, key=lambda w: w.box[0])
    gap_min = max(1.5 * line.height, 0.03 * page_width)
    parts: list[list[Word]] = [[words[0]]]
    for prev, cur in zip(words, words[1:]):
        if cur.box[0] - prev.box[2] > gap_min and not cur.text.startswith(":"):
            parts.append([])
        parts[-1].append(cur)
    return [Line(p, key=line.key) for p in parts]


def _core(seg: Line) -> tuple[float, float]:
    """The band most of a segment's words occupy; a noise speck or a stray tall
    mark can stretch the line's box into the next line, the median band can't."""
    tops = sorted(w.box[1] for w in seg.words)
    bottoms = sorted(w.box[3] for w in seg.words)
    return float(tops[len(tops) // 2]), float(bottoms[len(bottoms) // 2])


def _rows(segments: list[Line]) -> list[list[Line]]:
    """Group segments that share a baseline band into rows, top to bottom."""
    rows: list[list[Line]] = []
    bands: list[tuple[float, float]] = []
    for seg in sorted(segments, key=lambda s: sum(_core(s)) / 2):
        y0, y1 = _core(seg)
        cy = (y0 + y1) / 2
        if rows:
            b0, b1 = bands[-1]
            if b0 <= cy <= b1:
                rows[-1].append(seg)
                continue
        rows.append([seg])
        bands.append((y0, y1))
    return [sorted(r, key=lambda s: s.box[0]) for r in rows]


def _gutter(row: list[Line]) -> tuple[int, int] | None:
    """The gap between a row's two columns; None unless the row has two text columns.

    A right-hand segment of figures only is a table's value cell (``Tổng cộng   28.500.000``):
    its row reads across, label then value, not column by column.
    """
    if len(row) != 2 or all(_FIGURE_RE.fullmatch(w.text) for w in row[1].words):
        return None
    return row[0].box[2], row[1].box[0]


def _side(row: list[Line], gutter: tuple[int, int], page_width: int) -> str | None:
    """'L' or 'R' if the one-segment row lies wholly on one side of the gutter.

    A column of a two-column zone is narrower than half the page; a wider line is body
    text below or above the zone, however close to the gutter it happens to end.
    """
    if len(row) != 1:
        return None
    x0, _y0, x1, _y1 = row[0].box
    if x1 - x0 > page_width / 2:
        return None
    if x1 <= gutter[1] and x0 < gutter[0]:
        return "L"
    if x0 >= gutter[0] and x1 > gutter[1]:
        return "R"
    return None


def reading_order(lines: list[Line], page_width: int) -> list[Line]:
    """Lines top to bottom, with two-column zones emitted column by column."""
    source: dict[int, tuple[Line, int]] = {}   # id(segment) -> (Tesseract line, its segment count)
    segments: list[Line] = []
    for ln in lines:
        if ln.words:
            parts = split_at_gutters(ln, page_width)
            source.update((id(seg), (ln, len(parts))) for seg in parts)
            segments += parts
    if not segments:
        return []
    rows = _rows(segments)
    heights = [max(s.height for s in r) for r in rows]
    med_h = statistics.median(heights)
    out: list[list[Line]] = []   # what each row, or each two-column zone, puts out
    free = 0                     # rows before this one are in a zone already
    i = 0
    while i < len(rows):
        gutter = _gutter(rows[i])
        if gutter is None:
            out.append(_whole_lines(rows[i], source))
            i += 1
            continue
        # Grow the zone over neighbouring rows that keep to the same two columns.
        zone_start = i
        while zone_start > free and _fits(rows[zone_start - 1], rows[zone_start], gutter, med_h, page_width):
            zone_start -= 1
        # Rows between zone_start and i were already put out in row order: take them back.
        del out[len(out) - (i - zone_start):]
        j = i + 1
        while j < len(rows) and _fits(rows[j], rows[j - 1], gutter, med_h, page_width):
            g = _gutter(rows[j])
            if g is not None:
                gutter = (max(gutter[0], g[0]), min(gutter[1], g[1]))
            j += 1
        zone = rows[zone_start:j]
        left = [s for r in zone for s in r if s.box[2] <= gutter[1] and s.box[0] < gutter[0]]
        right = [s for r in zone for s in r if not (s.box[2] <= gutter[1] and s.box[0] < gutter[0])]
        out.append(left + right)
        i = free = j
    return [ln for group in out for ln in group]


def _whole_lines(row: list[Line], source: dict[int, tuple[Line, int]]) -> list[Line]:
    """A row read across: a Tesseract line cut at gaps that led to no column zone is whole again."""
    out: list[Line] = []
    for seg in row:
        line, parts = source[id(seg)]
        whole = sum(source[id(s)][0] is line for s in row) == parts
        if not whole:
            out.append(seg)
        elif not any(o is line for o in out):
            out.append(line)
    return out


def _fits(row: list[Line], neighbour: list[Line], gutter: tuple[int, int], med_h: float,
          page_width: int) -> bool:
    """Does ``row`` belong to the two-column zone next to ``neighbour``?"""
    above, below = sorted((row, neighbour), key=lambda r: min(s.box[1] for s in r))
    gap = min(s.box[1] for s in below) - max(s.box[3] for s in above)
    if gap > 1.5 * med_h:
        return False
    g = _gutter(row)
    if g is not None:
        return max(gutter[0], g[0]) < min(gutter[1], g[1])
    return _side(row, gutter, page_width) is not None


def page_text(lines: list[Line]) -> str:
    """Lines joined by newlines, a blank line between Tesseract paragraphs."""
    out: list[str] = []
    prev_key = None
    for ln in lines:
        if prev_key is not None and ln.key != prev_key:
            out.append("")
        out.append(ln.text)
        prev_key = ln.key
    return "\n".join(out)


def apply_final(lines: list[Line], raw: str, final: str, specks: list | None = None) -> bool:
    """Attach corrected text to lines (and to words where the token count allows).

    ``raw`` is ``page_text(lines)`` and ``final`` its correction. A line's words
    get their final text when its token count is unchanged, or when it is
    short by exactly the words the correction stage dropped as specks
    (``pipeline.specks``): those get ``""``, so the searchable PDF leaves them out
    and every other word keeps its own box. Returns False, leaving lines
    untouched, when the correction changed the number of lines. ``specks``:
    ``find_specks(lines)``, if the caller has it already (else found when needed).
    """
    raw_rows, final_rows = raw.split("\n"), final.split("\n")
    if len(raw_rows) != len(final_rows):
        return False
    fixed = [f for r, f in zip(raw_rows, final_rows) if r != "" or f != ""]
    if len(fixed) != len(lines):
        return False
    for i, (ln, text) in enumerate(zip(lines, fixed)):
        ln.final = text
        tokens = text.split()
        if len(tokens) == len(ln.words):
            for w, t in zip(ln.words, tokens):
                w.final = t
            continue
        if specks is None:
            from pipeline.specks import find_specks
            specks = find_specks(lines)
        kept = [w for w, speck in zip(ln.words, specks[i]) if not speck]
        if len(kept) != len(tokens) or len(kept) == len(ln.words):
            continue
        for w, speck in zip(ln.words, specks[i]):
            if speck:
                w.final = ""
        for w, t in zip(kept, tokens):
            w.final = t
    return True
