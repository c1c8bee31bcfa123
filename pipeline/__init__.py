"""Ingest, OCR, orchestration and the command line."""
