#!/usr/bin/env bash
# Installs what the ONNX model backend and its tests need, in a git-ignored venv (.venv-models,
# or $MODELS_VENV): ONNX Runtime 1.31.1 (its wheel ships libonnxruntime.so.1.31.1, which
# `onnx.library` defaults to), onnx + onnxconverter-common (tools/models/make_tiny.py writes the
# tiny test model and its fp16 variant; int8 comes from onnxruntime.quantization), numpy, and
# Hugging Face `tokenizers` (the tokenizer parity test's reference). The CLIP BPE vocabulary is
# taken from the open-clip-torch wheel (downloaded without its dependencies: no torch) into
# $VENV/share/bpe_simple_vocab_16e6.txt.gz. Nothing reaches a model hub. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
VENV=${MODELS_VENV:-.venv-models}
ensure_venv "$VENV"
if ! "$VENV/bin/python" -c "import onnxruntime, onnx, onnxconverter_common, numpy, tokenizers; assert onnxruntime.__version__ == '1.31.1'" 2>/dev/null; then
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    onnxruntime==1.31.1 onnx==1.23.2 onnxconverter-common==1.16.0 numpy tokenizers==0.23.3
fi
vocab="$VENV/share/bpe_simple_vocab_16e6.txt.gz"
if [ ! -s "$vocab" ]; then
  tmp=$(mktemp -d)
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps open-clip-torch==3.3.0 -d "$tmp"
  mkdir -p "$VENV/share"
  "$VENV/bin/python" - "$tmp" "$vocab" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("open_clip/bpe_simple_vocab_16e6.txt.gz"))
PY
  rm -rf "$tmp"
fi
