"""Preprocessing measurements on pages our generator renders (no Tesseract: fast)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bench.scangen import PROFILES, degrade, render_document
from pipeline import preprocess

TEXT = ["Ủy ban nhân dân tỉnh Bình Định ban hành Kế hoạch cải cách hành chính nhà nước năm 2024 "
        "nhằm nâng cao chất lượng phục vụ người dân và doanh nghiệp trên địa bàn tỉnh."] * 6


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return render_document(TEXT, size_pt=12, dpi=150, max_pages=1)[0].image


def test_skew_is_measured_and_undone(page):
    turned = page.rotate(3.0, expand=False, fillcolor=255)  # counter-clockwise, like cv2
    gray = preprocess.to_gray(turned)
    angle = preprocess.estimate_skew(gray)
    assert -3.3 <= angle <= -2.7
    assert abs(preprocess.estimate_skew(preprocess.rotate(gray, angle))) <= 0.3


def test_orientation_measures(page):
    gray = preprocess.to_gray(page)
    assert preprocess.upright_ratio(gray) > 1.2
    assert preprocess.upright_ratio(preprocess.rotate_quarter(gray, 180)) < 0.5
    assert preprocess.analyse_lines(gray)[1] is False
    assert preprocess.analyse_lines(preprocess.rotate_quarter(gray, 90))[1] is True


def test_speckle_density_separates_photocopies_from_clean_scans(page):
    clean = preprocess.to_gray(page)
    speckled = preprocess.to_gray(degrade(page, PROFILES["harsh"], seed=3))
    assert preprocess.speckle_density(clean) < 10
    assert preprocess.speckle_density(speckled) > 500
    assert preprocess.speckle_density(preprocess.denoise(speckled)) < preprocess.speckle_density(speckled) / 2


def test_sixteen_bit_scans_are_not_washed_out(page):
    deep = Image.fromarray(np.asarray(page, dtype=np.uint16) * 257)
    assert deep.mode == "I;16"
    gray = preprocess.to_gray(deep)
    assert gray.dtype == np.uint8 and gray.min() == 0 and gray.max() == 255


def test_x_height_is_the_lowercase_letter_height():
    # LiberationSerif's x-height is 0.46 em: 12 pt is 50 px at 300 DPI, so ~23 px; half that at 150 DPI.
    for dpi, expected in ((300, 23), (150, 11.5)):
        page = render_document(TEXT * 3, font="LiberationSerif", size_pt=12, dpi=dpi, max_pages=1)[0].image
        assert abs(preprocess.x_height(preprocess.to_gray(page)) - expected) <= 2
    assert preprocess.x_height(np.full((3000, 2000), 255, np.uint8)) is None  # blank: no guess


def test_recognition_dpi_only_lowers_and_keeps_a_floor():
    assert preprocess.recognition_dpi(300, 24.0, target=16, floor=150) == 200
    assert preprocess.recognition_dpi(300, 12.0, target=16, floor=150) == 300   # small print stays
    assert preprocess.recognition_dpi(300, 60.0, target=16, floor=150) == 150   # a poster page
    assert preprocess.recognition_dpi(150, 20.0, target=16, floor=150) == 150
    assert preprocess.recognition_dpi(200, 24.0, target=16, floor=150) == 200   # 200-DPI scans stay
    assert preprocess.recognition_dpi(400, 24.0, target=16, floor=150) == 267
    assert preprocess.recognition_dpi(300, None, target=16, floor=150) == 300
    assert preprocess.recognition_dpi(300, 24.0, target=0, floor=150) == 300    # switched off
