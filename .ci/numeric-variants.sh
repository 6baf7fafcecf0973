#!/usr/bin/env bash
# The numeric-variants lane: the tests that compare floating-point results, run again under numeric
# environments any x86-64 machine can produce (README, "Tests on every CPU"). Another CPU picks other
# BLAS kernels and thread counts, so a tolerance that one of these crosses is one a user's CPU will
# cross. A test that fails in any environment fails the lane, and so does a tolerance with less than a
# 10x margin over what the environments moved it (tests/tolerance_probe.py measures every site).
#
# The environments, run side by side (one BLAS thread each, so the lane takes about 1.5 native runs):
#   native      this machine's own kernels and threads: the report of CI's main pytest run when it
#               wrote one ($ICEGP_VARIANTS_DIR/native.json, see .ci/run), else run here first
#   prescott    OpenBLAS's SSE3 kernels (no AVX: the oldest x86-64 code path)
#   haswell     OpenBLAS's AVX2 kernels (on AMD Zen, Intel's blocking instead of Zen's), TensorFlow
#               without oneDNN and with one intra-op thread (skipped on a CPU without AVX2)
#   nehalem     OpenBLAS's SSE4.2 kernels, TensorFlow without oneDNN
# Prescott and Haswell failed the batched bound test that failed on a Zen CPU; Nehalem passed it, and
# keeps a third point for the spread. (SkylakeX is not among them: its AVX-512 kernels crash where
# the CPU has none.)
set -uo pipefail
cd "$(dirname "$0")/.."
out="${ICEGP_VARIANTS_DIR:-${TMPDIR:-/tmp}/icegp-numeric-variants}"
mkdir -p "$out"
# every test module with a floating-point tolerance (the probe reports where they are)
tests=(tests/gp tests/experts tests/product tests/validation tests/report tests/sources/test_readers.py tests/test_window.py)

run() {  # run NAME VAR=VALUE...: the tests under one environment, their tolerance uses in NAME.json
  local name=$1
  shift
  env "$@" ICEGP_TOLERANCE_REPORT="$out/$name.json" PYTHONPATH=tests \
    python3 -m pytest -q -p no:cacheprovider -p tolerance_probe "${tests[@]}" >"$out/$name.log" 2>&1
  local rc=$?
  echo "numeric variant $name: $(tail -n 1 "$out/$name.log")"
  return $rc
}

one_thread=(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1)
no_onednn=(TF_ENABLE_ONEDNN_OPTS=0)
failed=0
[ -s "$out/native.json" ] || run native || failed=1
pids=()
run prescott OPENBLAS_CORETYPE=Prescott "${one_thread[@]}" &
pids+=($!)
if [ "$(uname -m)" = x86_64 ] && grep -qw avx2 /proc/cpuinfo; then
  run haswell OPENBLAS_CORETYPE=Haswell "${one_thread[@]}" "${no_onednn[@]}" TF_NUM_INTRAOP_THREADS=1 &
  pids+=($!)
else
  echo "numeric variant haswell: skipped (no AVX2 on this CPU)"
fi
run nehalem OPENBLAS_CORETYPE=Nehalem "${one_thread[@]}" "${no_onednn[@]}" &
pids+=($!)
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
for log in "$out"/*.log; do
  grep -E "^(FAILED|ERROR) " "$log" | sed "s|^|$(basename "$log" .log): |"
done
python3 tests/tolerance_probe.py "$out"/*.json || failed=1
exit $failed
