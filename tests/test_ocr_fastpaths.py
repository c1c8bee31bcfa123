"""The page stage's cheaper formulations give exactly what the plain ones give (no Tesseract: fast)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from bench.scangen import PROFILES, degrade, render_document
from pipeline import preprocess
from pipeline.ingest import _grey_png, load_gray, load_page, open_source

TEXT = ["Ủy ban nhân dân tỉnh Bình Định ban hành Kế hoạch cải cách hành chính nhà nước năm 2024 "
        "nhằm nâng cao chất lượng phục vụ người dân và doanh nghiệp trên địa bàn tỉnh."] * 6


@pytest.fixture(scope="module")
def noisy() -> Image.Image:
    page = render_document(TEXT, size_pt=12, dpi=150, max_pages=1)[0].image
    return degrade(page, PROFILES["harsh"], seed=5)


@pytest.mark.parametrize("mode", ["L", "RGB", "I;16", "LA"])
def test_load_gray_is_pillows_pixels(noisy, tmp_path, mode):
    # 8-bit grey PNGs take OpenCV's decoder, every other kind Pillow's: the same array either way.
    image = noisy.convert(mode) if mode != "I;16" else Image.fromarray(np.asarray(noisy).astype(np.uint16) * 200)
    path = tmp_path / f"page-{mode.replace(';', '')}.png"
    image.save(path, dpi=(150, 150))
    source = open_source(path)
    assert (_grey_png(path) is not None) == (mode == "L")   # which path is compared with Pillow's
    gray, dpi = load_gray(source, 0)
    expected = preprocess.to_gray(load_page(source, 0)[0])
    assert dpi == 150 and gray.dtype == np.uint8 and gray.shape == expected.shape
    assert np.array_equal(gray, expected)


def test_blob_stats_are_opencvs(noisy):
    gray = preprocess.to_gray(noisy)
    for img in (gray, gray[:40], np.full((50, 60), 255, np.uint8)):
        _n, _labels, stats, _c = cv2.connectedComponentsWithStats(preprocess._ink_mask(img), connectivity=8)
        assert np.array_equal(preprocess._blob_stats(img), stats[1:])


def test_sideways_check_without_turning_the_mask(noisy):
    # The turned profile comes from the unturned ink points; a page turned a quarter must flip the verdict.
    gray = preprocess.to_gray(noisy)
    assert preprocess.analyse_lines(gray)[1] is False
    assert preprocess.analyse_lines(cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE))[1] is True
