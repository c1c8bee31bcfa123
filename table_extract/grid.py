"""Ruled tables in a page image: skew, line masks, grid lines, merged cells.

The lines are found with morphological opening (a long thin kernel keeps
only runs of ink longer than any letter stroke), the grid is the set of line
positions, and two neighbouring grid cells belong to one merged cell when no
ruling separates them. Geometry only: text is read elsewhere (``scan``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

MAX_SKEW = 5.0  # degrees; scans beyond that are re-fed by hand, not tables we can trust


@dataclass
class Cell:
    r0: int
    c0: int
    r1: int   # inclusive
    c1: int
    box: tuple[int, int, int, int]   # x0, y0, x1, y1 of the interior, in page pixels


@dataclass
class Grid:
    xs: list[int]          # column boundaries, left to right (len = columns + 1)
    ys: list[int]          # row boundaries, top to bottom (len = rows + 1)
    cells: list[Cell]      # merged cells, each once, row-major by top-left
    bbox: tuple[int, int, int, int]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink = 255. Adaptive, so photocopy grey backgrounds and faded toner both work."""
    block = max(15, (min(gray.shape) // 60) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)


def estimate_skew(binary: np.ndarray) -> float:
    """Angle (degrees, counter-clockwise positive as cv2 rotates) of the long near-horizontal rulings."""
    h, w = binary.shape
    scale = 1000.0 / max(h, w)
    small = cv2.resize(binary, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    small = (small > 60).astype(np.uint8) * 255
    lines = cv2.HoughLinesP(small, 1, math.pi / 1800, threshold=80, minLineLength=int(small.shape[1] * 0.25),
                            maxLineGap=6)
    if lines is None:
        return 0.0
    angles, weights = [], []
    for x0, y0, x1, y1 in lines.reshape(-1, 4):
        length = math.hypot(x1 - x0, y1 - y0)
        a = math.degrees(math.atan2(y1 - y0, x1 - x0))
        if abs(a) <= MAX_SKEW:
            angles.append(a)
            weights.append(length)
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    return float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def _kernels(dpi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(horizontal, vertical) opening kernels, then the (horizontal, vertical) bridging ones."""
    hk = max(20, dpi // 5)      # ~5 mm: longer than any letter stroke
    vk = max(15, dpi // 7)
    rect = cv2.MORPH_RECT
    return (cv2.getStructuringElement(rect, (hk, 1)), cv2.getStructuringElement(rect, (1, vk)),
            cv2.getStructuringElement(rect, (dpi // 20, 3)), cv2.getStructuringElement(rect, (3, dpi // 20)))


def line_masks(binary: np.ndarray, dpi: int, eroded: tuple[np.ndarray, np.ndarray] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) ruling masks.

    ``eroded``: ``binary`` already eroded by the two opening kernels (:func:`_long_runs`); an
    opening is that erosion dilated by the same kernel, so it is not computed twice.
    """
    kh, kv, bh, bv = _kernels(dpi)
    eh, ev = eroded if eroded is not None else _long_runs(binary, dpi)
    horiz, vert = cv2.dilate(eh, kh), cv2.dilate(ev, kv)
    # bridge breaks left by noise or faded toner
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_CLOSE, bh)
    vert = cv2.morphologyEx(vert, cv2.MORPH_CLOSE, bv)
    return horiz, vert


def _long_runs(binary: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    """``binary`` eroded by the horizontal and the vertical opening kernel: where runs of ink
    longer than any letter stroke start. Empty on most pages of prose."""
    kh, kv, _bh, _bv = _kernels(dpi)
    return cv2.erode(binary, kh), cv2.erode(binary, kv)


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """``cv2.connectedComponentsWithStats(mask, connectivity=8)``: the same count, labels (as
    uint16) and stats, with 16-bit labels while they fit. The 32-bit path costs ~60 ms on an A4
    page whatever it holds, the 16-bit one under a third of that."""
    try:
        return cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_16U)
    except cv2.error:  # more than 65535 components: OpenCV refuses rather than wraps
        return cv2.connectedComponentsWithStats(mask, connectivity=8)


def _segments(mask: np.ndarray, horizontal: bool, min_len: int) -> list[tuple[float, int, int]]:
    """(position across, start, end along) of each ruling segment."""
    n, _lab, stats, _cent = components(mask)
    out = []
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if horizontal and w >= min_len:
            out.append((y + h / 2, x, x + w))
        elif not horizontal and h >= min_len:
            out.append((x + w / 2, y, y + h))
    return out


def _cluster(values: list[float], tol: float) -> list[int]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [int(round(sum(g) / len(g))) for g in out]


def _coverage(mask: np.ndarray, x0: int, y0: int, x1: int, y1: int, horizontal: bool, tol: int) -> float:
    """Share of the segment (x0,y0)-(x1,y1) that has ruling ink within ``tol`` pixels."""
    h, w = mask.shape
    if horizontal:
        band = mask[max(0, y0 - tol):min(h, y0 + tol + 1), max(0, x0):min(w, x1)]
        return float((band.max(axis=0) > 0).mean()) if band.size else 0.0
    band = mask[max(0, y0):min(h, y1), max(0, x0 - tol):min(w, x0 + tol + 1)]
    return float((band.max(axis=1) > 0).mean()) if band.size else 0.0


def find_grids(gray: np.ndarray, dpi: int, binary: np.ndarray | None = None) -> list[Grid]:
    """Every ruled table on a (deskewed) page, top to bottom. ``binary``: :func:`binarize` of
    ``gray`` when the caller has it already."""
    binary = binarize(gray) if binary is None else binary
    page_h, page_w = gray.shape
    min_w, min_h = page_w * 0.25, dpi * 0.3  # a table's smallest extent
    eroded = _long_runs(binary, dpi)
    if not _runs_may_hold_grid(*eroded, dpi, min_w, min_h):
        return []
    horiz, vert = line_masks(binary, dpi, eroded)
    both = cv2.dilate(horiz | vert, np.ones((5, 5), np.uint8))
    n, _lab, stats, _c = components(both)
    grids = []
    for i in range(1, n):
        x, y, w, h, _a = stats[i]
        if w < min_w or h < min_h:
            continue
        g = _grid_in(horiz, vert, (x, y, x + w, y + h), dpi)
        if g is not None:
            grids.append(g)
    grids.sort(key=lambda g: g.bbox[1])
    return grids


# Block size (pixels) of the coarse test that rules a page out before any full-size morphology.
RUN_BLOCK = 8


def _runs_may_hold_grid(eh: np.ndarray, ev: np.ndarray, dpi: int, min_w: float, min_h: float) -> bool:
    """False only when the ruling mask built from these erosions (:func:`line_masks`, then the
    5×5 dilation of :func:`find_grids`) can have no component ``min_w`` wide and ``min_h`` high.

    Every pixel of that mask lies within a fixed reach of a pixel of ``eh`` or ``ev`` (the
    opening's dilation, the bridging close — which never grows past its own dilation — and the
    5×5 dilation, each adding half its kernel). So the start points are marked on a grid of
    ``RUN_BLOCK``-pixel blocks and dilated there by that reach rounded up to whole blocks: each
    component of the real mask then falls inside one component here, which is at least as
    large. A page of prose has no start points at all, or a few short rules (the masthead's
    underline) that stay far too small; it is ruled out in a few milliseconds.
    """
    f = RUN_BLOCK
    kh, kv, bh, bv = (k.shape for k in _kernels(dpi))  # (rows, cols) of each kernel
    h, w = eh.shape
    grid = np.zeros(((h + f - 1) // f, (w + f - 1) // f), np.uint8)
    for eroded, (open_r, open_c), (close_r, close_c) in ((eh, kh, bh), (ev, kv, bv)):
        rows = np.flatnonzero(eroded.any(axis=1))  # far cheaper than listing the points of the whole page
        if not rows.size:
            continue
        ys, xs = np.nonzero(eroded[rows])
        marks = np.zeros_like(grid)
        marks[rows[ys] // f, xs // f] = 1
        # reach in pixels on each side: half of each kernel along the way, the last 2 the 5×5 dilation
        rx = -(-(open_c // 2 + close_c // 2 + 2) // f)  # in whole blocks, rounded up
        ry = -(-(open_r // 2 + close_r // 2 + 2) // f)
        grid |= cv2.dilate(marks, np.ones((2 * ry + 1, 2 * rx + 1), np.uint8))
    if not grid.any():
        return False
    _n, _lab, stats, _c = components(grid)
    return bool(((stats[1:, 2] * f >= min_w) & (stats[1:, 3] * f >= min_h)).any())


def _grid_in(horiz: np.ndarray, vert: np.ndarray, bbox: tuple[int, int, int, int], dpi: int) -> Grid | None:
    x0, y0, x1, y1 = bbox
    hm = horiz[y0:y1, x0:x1]
    vm = vert[y0:y1, x0:x1]
    tol = max(4, dpi // 40)
    min_cell = max(10, dpi // 12)
    hs = _segments(hm, True, min_cell)
    vs = _segments(vm, False, min_cell // 2)
    ys = _cluster([s[0] for s in hs], tol)
    xs = _cluster([s[0] for s in vs], tol)
    xs = _merge_close(xs, min_cell // 2)
    ys = _merge_close(ys, min_cell // 3)
    # open tables (no outer verticals, or no top/bottom rule): the long rulings of the
    # other direction show where the table really ends
    long_h = [s for s in hs if s[2] - s[1] >= 0.5 * (x1 - x0)]
    long_v = [s for s in vs if s[2] - s[1] >= 0.5 * (y1 - y0)]
    if long_h and xs:
        if min(s[1] for s in long_h) < xs[0] - min_cell:
            xs.insert(0, min(s[1] for s in long_h))
        if max(s[2] for s in long_h) > xs[-1] + min_cell:
            xs.append(max(s[2] for s in long_h))
    if long_v and ys:
        if min(s[1] for s in long_v) < ys[0] - min_cell:
            ys.insert(0, min(s[1] for s in long_v))
        if max(s[2] for s in long_v) > ys[-1] + min_cell:
            ys.append(max(s[2] for s in long_v))
    # a ruling must cross at least one whole cell; shorter runs are ink (a long '=' or a
    # speckled underline inside the text), not a boundary
    ys = [y for y in ys if _spans_a_cell(y, hs, xs, tol) or (long_v and y in (ys[0], ys[-1]))]
    xs = [x for x in xs if _spans_a_cell(x, vs, ys, tol) or (long_h and x in (xs[0], xs[-1]))]
    if len(xs) < 3 or len(ys) < 3:
        return None
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a, b):
        parent[find(a)] = find(b)

    m = max(2, tol // 2)
    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols:
                cov = _coverage(vm, xs[c + 1], ys[r] + m, xs[c + 1], ys[r + 1] - m, False, tol)
                if cov < 0.5:
                    union(r * cols + c, r * cols + c + 1)
            if r + 1 < rows:
                cov = _coverage(hm, xs[c] + m, ys[r + 1], xs[c + 1] - m, ys[r + 1], True, tol)
                if cov < 0.5:
                    union(r * cols + c, (r + 1) * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    cells = []
    inset = max(3, dpi // 60)
    for members in groups.values():
        r0 = min(r for r, _ in members)
        r1 = max(r for r, _ in members)
        c0 = min(c for _, c in members)
        c1 = max(c for _, c in members)
        box = (x0 + xs[c0] + inset, y0 + ys[r0] + inset, x0 + xs[c1 + 1] - inset, y0 + ys[r1 + 1] - inset)
        cells.append(Cell(r0, c0, r1, c1, box))
    cells.sort(key=lambda c: (c.r0, c.c0))
    return Grid([x0 + x for x in xs], [y0 + y for y in ys], cells, bbox)


def _spans_a_cell(pos: int, segs: list[tuple[float, int, int]], cuts: list[int], tol: int) -> bool:
    for across, a, b in segs:
        if abs(across - pos) > tol:
            continue
        for lo, hi in zip(cuts, cuts[1:]):
            if min(b, hi) - max(a, lo) >= 0.8 * (hi - lo):
                return True
    return False


def _merge_close(vals: list[int], gap: int) -> list[int]:
    out: list[int] = []
    for v in vals:
        if out and v - out[-1] < gap:
            out[-1] = (out[-1] + v) // 2
        else:
            out.append(v)
    return out
