"""Vietnamese diacritic restoration and OCR-error repair."""
