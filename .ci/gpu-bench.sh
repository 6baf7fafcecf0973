#!/usr/bin/env bash
# The GPU check of the batched path (issue 20), as one call on a machine with one GPU and network
# access to PyPI (or a wheel cache): install with CUDA's libraries, check that TensorFlow sees the
# GPU, run the batched tests there, then the pan-Arctic day on the GPU against the CPU
# (`python -m icegp.bench --scale seed --device gpu`, a few minutes). Logs go to ${OUT:-results/bench/gpu}.
set -euo pipefail
out="${OUT:-results/bench/gpu}"
mkdir -p "$out"
python3 -m pip install -q -e ".[test,gpu]"
python3 -c "import tensorflow as tf; g = tf.config.list_physical_devices('GPU'); print('GPUs:', g); assert g, 'TensorFlow sees no GPU'"
python3 -m pytest -q -m "" tests/gp/test_batched.py 2>&1 | tee "$out/batched-tests.log"
python3 -m icegp.bench --scale seed --device gpu --cores "$(nproc)" 2>&1 | tee "$out/gpu-bench.log"
