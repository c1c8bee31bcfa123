#!/usr/bin/env bash
# One-shot, idempotent setup for a fresh Debian/Ubuntu machine:
# system packages (only when missing), a .venv, and the project in editable mode.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v tesseract >/dev/null 2>&1 || need_pkgs+=(tesseract-ocr)
if command -v tesseract >/dev/null 2>&1; then
    langs=$(tesseract --list-langs 2>/dev/null || true)
    grep -qx vie <<<"$langs" || need_pkgs+=(tesseract-ocr-vie)
    grep -qx eng <<<"$langs" || need_pkgs+=(tesseract-ocr-eng)
    grep -qx osd <<<"$langs" || need_pkgs+=(tesseract-ocr-osd)
else
    need_pkgs+=(tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd)
fi
command -v pdftoppm >/dev/null 2>&1 || need_pkgs+=(poppler-utils)
# Fonts with full Vietnamese coverage: the synthetic-scan generator and tests render with them.
# (fonts-liberation v1 lacks Vietnamese glyphs; liberation2 has them)
[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || need_pkgs+=(fonts-liberation2)
[ -f /usr/share/fonts/truetype/freefont/FreeSerif.ttf ] || need_pkgs+=(fonts-freefont-ttf)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_pkgs+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf ] || need_pkgs+=(fonts-noto-core)

if [ ${#need_pkgs[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${need_pkgs[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.sohoa-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "setup: installing Python packages into .venv"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e ".[dev]"
    touch "$stamp"
fi
