# The two commands a new user needs (see README): `make run` and `make test`.
.PHONY: setup run test bench lexicon clean

VENV := .venv
PY := $(VENV)/bin/python
SOHOA := $(VENV)/bin/sohoa

setup:
	bash scripts/setup.sh

# The main job: OCR every sample into out/ (text, raw text, JSON, searchable PDF).
run: setup
	$(SOHOA) ocr samples/*.pdf samples/*.jpg -o out
	@echo "outputs written to out/"

test: setup
	$(PY) -m pytest -q

# The bench compares against baselines (pyvi, img2table) that only it needs.
bench: setup
	$(VENV)/bin/pip install -q -e ".[bench]"
	$(PY) -m bench $(SUITES)

lexicon: setup
	$(PY) -m lexicon.build
	$(PY) -m lexicon.build_context
	$(PY) -m lexicon.names
	# the repair's precomputed candidate table is keyed to the lexicon and confusion tables
	$(PY) -m diacritics.confusion

clean:
	rm -rf out .pytest_cache
