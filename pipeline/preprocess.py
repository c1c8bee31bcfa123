"""Image clean-up before recognition (OpenCV).

Each step is a small function on a greyscale ``uint8`` array and is switched
by ``OcrOptions``; the defaults are the steps the OCR bench showed to lower
the character error rate (see BENCHMARKS.md). Orientation needs Tesseract's
OSD and lives in ``pipeline.page``.
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image


def to_gray(image: Image.Image | np.ndarray) -> np.ndarray:
    """An 8-bit grey array of ``image``; one already in that form (pipeline.ingest.load_gray) as is."""
    if isinstance(image, np.ndarray):
        if image.ndim == 2 and image.dtype == np.uint8:
            return image
        image = Image.fromarray(image)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        # 16-bit and float scans: Pillow's convert("L") clips everything above 255 to white.
        a = np.asarray(image, dtype=np.float64)
        top = a.max() or 1.0
        return np.clip(a * (255.0 / top), 0, 255).astype(np.uint8)
    if image.mode in ("RGBA", "LA", "P"):
        # Transparent areas of a scan are paper, not ink.
        bg = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(bg, image.convert("RGBA"))
    if image.mode == "L":  # convert("L") would copy the page for nothing
        return np.asarray(image, dtype=np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def resample(gray: np.ndarray, dpi: int, *, target: int, low: int, high: int) -> tuple[np.ndarray, int]:
    """Bring a page to ``target`` DPI when it is below ``low`` or above ``high``.

    Tesseract's LSTM reads strokes best at ~300 DPI: 150-DPI office scans lose
    diacritics, and very high resolutions only cost time.
    """
    if low <= dpi <= high or dpi <= 0:
        return gray, dpi
    scale = target / dpi
    interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
    out = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp)
    return out, target


def _ink_mask(gray: np.ndarray) -> np.ndarray:
    _t, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return mask


MAX_PROFILE_POINTS = 80_000  # ink pixels turned per angle (bounds time and memory)


def _ink_points(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the mask's ink pixels, at most MAX_PROFILE_POINTS of them."""
    ys, xs = np.nonzero(mask)
    if len(ys) > MAX_PROFILE_POINTS:  # a dark or photographic page: a regular sample is as sharp
        step = -(-len(ys) // MAX_PROFILE_POINTS)
        ys, xs = ys[::step], xs[::step]
    return ys, xs


def _profile_scores(points: tuple[np.ndarray, np.ndarray], shape: tuple[int, int],
                    angles: np.ndarray) -> np.ndarray:
    """Sharpness of the row profile of ink ``points`` (``_ink_points``) in a mask of
    ``shape`` after turning it by each angle.

    Text lines aligned with the rows give sharp peaks and gaps between them.
    Only the ink pixels are turned (the row each one lands in, as
    ``cv2.warpAffine`` about the centre would put it), all angles in one
    pass: a few times cheaper than rotating the whole mask per angle.
    """
    ys, xs = points
    h, w = shape
    yc, xc = ys.astype(np.float32) - h / 2, xs.astype(np.float32) - w / 2
    t = np.deg2rad(np.asarray(angles, dtype=np.float64))
    sin, cos = np.sin(t).astype(np.float32), np.cos(t).astype(np.float32)
    rows = np.rint(np.outer(-sin, xc) + np.outer(cos, yc) + h / 2).astype(np.int32)
    # Angle k's rows go to bins k*(h+2)+1 ... k*(h+2)+h; ink turned out of the frame lands in
    # the guard bins either side and is dropped, as warpAffine would crop it.
    rows = np.clip(rows, -1, h) + (np.arange(len(t), dtype=np.int32) * (h + 2) + 1)[:, None]
    hist = np.bincount(rows.ravel(), minlength=len(t) * (h + 2)).reshape(len(t), h + 2)[:, 1:-1]
    return np.sum(np.diff(hist.astype(np.float64), axis=1) ** 2, axis=1)


def _small_mask(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    scale = min(1.0, 900.0 / max(w, h, 1))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    return _ink_mask(small)


def _skew_search(points: np.ndarray, shape: tuple[int, int], max_angle: float) -> tuple[float, float]:
    """(angle, profile score) of the rotation that makes the sharpest row profile of the ink
    ``points`` (``_ink_points``) of a mask of ``shape``."""
    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    best = float(coarse[int(np.argmax(_profile_scores(points, shape, coarse)))])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1)
    scores = _profile_scores(points, shape, fine)
    k = int(np.argmax(scores))
    return round(float(fine[k]), 2), float(scores[k])


def estimate_skew(gray: np.ndarray, max_angle: float = 8.0) -> float:
    """Angle in degrees (counter-clockwise) that levels the text lines; 0 if unsure."""
    return analyse_lines(gray, max_angle, sideways=False)[0]


def analyse_lines(gray: np.ndarray, max_angle: float = 8.0, *, sideways: bool = True,
                  margin: float = 2.0) -> tuple[float, bool]:
    """(skew angle, whether the text lines run up/down the page).

    Level text lines give a far sharper row profile than column profile at
    whatever small skew; on a page turned 90° or 270° it is the other way
    round. Both come from one downscaled ink mask.
    """
    mask = _small_mask(gray)
    if mask.mean() < 0.5:  # (out of 255) an almost blank page
        return 0.0, False
    points = _ink_points(mask)
    angle, rows = _skew_search(points, mask.shape, max_angle)
    if not sideways:
        return angle, False
    h, w = mask.shape
    if np.count_nonzero(mask) <= MAX_PROFILE_POINTS:
        # Every ink pixel, so order does not matter (a profile is a histogram): the mask
        # turned 90° counter-clockwise has pixel (y, x) at (w - 1 - x, y).
        turned = (w - 1 - points[1], points[0])
    else:  # the sample must be the one taken from the turned mask itself
        turned = _ink_points(np.ascontiguousarray(np.rot90(mask)))
    cols = float(_profile_scores(turned, (w, h), np.arange(-max_angle, max_angle + 1e-9, 1.0)).max())
    return angle, cols > margin * rows


def background_level(gray: np.ndarray) -> int:
    """Paper grey level (90th percentile), so rotated-in corners match the page.

    From the histogram: np.percentile sorts the whole page, ten times slower.
    """
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().cumsum()
    return int(np.searchsorted(hist, 0.9 * hist[-1]))


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=background_level(gray))


def rotate_quarter(gray: np.ndarray, degrees_clockwise: int) -> np.ndarray:
    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    code = turns.get(degrees_clockwise % 360)
    return gray if code is None else cv2.rotate(gray, code)


def clear_borders(gray: np.ndarray) -> np.ndarray:
    """Whiten dark scanner/photocopier edges: ink blobs touching the page edge that are
    much larger than any glyph (shadows, punch holes, folded corners)."""
    mask = _ink_mask(gray)
    h, w = gray.shape
    n, labels, stats, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
    big = max(h, w) * 0.05
    out = gray
    for i in range(1, n):
        x, y, bw, bh, _area = stats[i]
        touches = x == 0 or y == 0 or x + bw >= w or y + bh >= h
        if touches and (bw > big or bh > big):
            if out is gray:
                out = gray.copy()
            out[labels == i] = background_level(gray)
    return out


def speckle_density(gray: np.ndarray) -> float:
    """Isolated dark specks (1-3 px ink blobs) per megapixel.

    Glyphs at any usable resolution are far bigger, so clean scans score ~0 and
    photocopies/noisy faxes score in the thousands. Measured at the scan's own
    resolution, before any resampling smears the specks.
    """
    band = _middle_third(gray)  # a third of the page is plenty and three times cheaper
    n, labels, xs, ys = _ink_labels(band)
    tiny = int((np.bincount(labels[ys, xs], minlength=n)[1:] <= 3).sum())
    return tiny / max(1e-6, band.size / 1e6)


def x_height(gray: np.ndarray, min_glyphs: int = 80) -> float | None:
    """Typical height of lowercase letters in pixels, or None on a page with too few glyphs.

    The most common height of glyph-shaped ink blobs in the middle third of
    the page: lowercase letters without ascenders (a, c, e, m, n, o, u, ...)
    outnumber every other shape in running text, so the mode is the body
    text's x-height even when a title or a table uses other sizes.
    """
    heights = _glyph_heights(_middle_third(gray))
    if len(heights) < min_glyphs:  # a short text: look at the whole page
        heights = _glyph_heights(gray)
        if len(heights) < min_glyphs:
            return None
    counts = np.bincount(heights, minlength=302).astype(np.float64)
    smooth = np.convolve(counts, [1.0, 2.0, 1.0], mode="same")  # a mode robust to ±1 px
    return float(np.argmax(smooth))


def _middle_third(gray: np.ndarray) -> np.ndarray:
    h = gray.shape[0]
    return gray[h // 3: 2 * h // 3]


def _blob_stats(gray: np.ndarray) -> np.ndarray:
    """OpenCV's stats row for each ink blob (8-connected; the background row dropped).

    The rows ``cv2.connectedComponentsWithStats`` gives, in its order, measured
    from the labels at the ink pixels only: OpenCV updates its stats at every
    pixel, paper included, which costs three times the labelling itself.
    """
    n, labels, xs, ys = _ink_labels(gray)
    lab = labels[ys, xs]
    left, top = np.full(n, gray.shape[1], np.int32), np.full(n, gray.shape[0], np.int32)
    right, bottom = np.zeros(n, np.int32), np.zeros(n, np.int32)
    np.minimum.at(left, lab, xs)
    np.minimum.at(top, lab, ys)
    np.maximum.at(right, lab, xs)
    np.maximum.at(bottom, lab, ys)
    area = np.bincount(lab, minlength=n).astype(np.int32)
    stats = np.stack([left, top, right - left + 1, bottom - top + 1, area], axis=1)
    return stats[1:]


def _ink_labels(gray: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """(label count, 8-connected labels of the ink blobs, x and y of every ink pixel)."""
    mask = _ink_mask(gray)
    n, labels = cv2.connectedComponents(mask, connectivity=8, ltype=cv2.CV_32S)
    points = cv2.findNonZero(mask)
    if points is None:
        none = np.zeros(0, dtype=np.int32)
        return n, labels, none, none
    points = points.reshape(-1, 2)  # (x, y) in raster order; OpenCV versions differ in the shape
    return n, labels, points[:, 0], points[:, 1]


def _glyph_heights(gray: np.ndarray) -> np.ndarray:
    stats = _blob_stats(gray)
    hs, ws, area = (stats[:, k] for k in (cv2.CC_STAT_HEIGHT, cv2.CC_STAT_WIDTH, cv2.CC_STAT_AREA))
    return hs[(hs >= 4) & (hs <= 300) & (area >= 8) & (ws <= 3 * hs)]


def recognition_dpi(dpi: int, xh: float | None, *, target: float, floor: int, reduce_above: int = 250) -> int:
    """The resolution to hand Tesseract: ``dpi`` lowered until the x-height is ``target`` px.

    Tesseract's line recogniser scales every text line to a fixed height of
    36 px, so pixels beyond that only feed its layout analysis, which costs
    time in proportion to the page area. Never raises the resolution, never
    goes below ``floor``, and leaves pages scanned at ``reduce_above`` DPI or
    less as they are: a 200-DPI office scan read at 178 DPI lost accuracy
    (the samples' plan: CER 0.35 % -> 0.74 %), a 300-DPI one at 150-200 did not.
    """
    if not xh or not target or dpi <= reduce_above or xh <= target:
        return dpi
    return max(floor, int(round(dpi * target / xh)))


def denoise(gray: np.ndarray) -> np.ndarray:
    """Remove salt-and-pepper specks (photocopy toner, scanner dust) without thinning strokes."""
    return cv2.medianBlur(gray, 3)


def binarize(gray: np.ndarray) -> np.ndarray:
    """Local threshold for uneven paper (shadows, faded toner)."""
    blur = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.adaptiveThreshold(blur, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 41, 15)


def upright_ratio(gray: np.ndarray) -> float:
    """Ink just above text lines' x-height band over ink just below it.

    Latin script, and Vietnamese far more (tone marks, circumflexes, breves),
    puts more ink above the x-height than below it: upright pages score well
    over 1, pages turned 180° well under 1. Lines are the peaks of the
    horizontal ink profile, so the page must already be level. Returns 1.0
    (undecided) when there are too few lines.
    """
    # Ink pixels per row (the mask is 0/255): a sum in int32, exact, without a boolean copy.
    rows = cv2.reduce(_ink_mask(gray), 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel() // 255
    rows = rows.astype(np.float64)
    if rows.max() <= 0:
        return 1.0
    smooth = np.convolve(rows, np.ones(3) / 3, mode="same")
    peak = smooth.max()
    level = smooth.tolist()  # the row scan compares Python floats: same values, no numpy scalars
    above = below = 0.0
    lines = 0
    y, h = 0, len(smooth)
    while y < h:
        if level[y] < 0.5 * peak * 0.2:
            y += 1
            continue
        # A run of inked rows: one text line with its ascenders and descenders.
        start = y
        while y < h and level[y] >= 0.02 * peak:
            y += 1
        run = smooth[start:y]
        if len(run) < 6:
            continue
        core = np.nonzero(run >= 0.5 * run.max())[0]
        c0, c1 = core[0], core[-1]
        above += run[:c0].sum()
        below += run[c1 + 1:].sum()
        lines += 1
    if lines < 5 or above + below <= 0:
        return 1.0
    return float((above + 1.0) / (below + 1.0))
