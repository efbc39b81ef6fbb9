#!/usr/bin/env bash
# The GPU check of the device work (issue 10), for a GPU machine that holds the pack of ../shared/gpu in ~/b and runs
# from the repository root (the `run` tool's working tree). Each stage writes its log under $OUT and one line to
# $OUT/summary.txt; a stage that runs past its limit is cut off and the next one starts.
#   bash examples/gpu/check-devices.sh                       every stage, in this order:
#   bash examples/gpu/check-devices.sh bench peers           only some
# Stages: tests (the suite with -Dbayeslora.test.device=cuda), quickstart (on CUDA), bench (the 7B shape in bf16:
# train step, M=5 ensemble at 32x256, K-FAC fit and linearised predictive at 4x256), peers (peft and PyTorch on the
# same GPU: examples/gpu/peer_bench.py). Device time is short: run `bench peers` first when time is tight.
set -u
out=${OUT:-$PWD/gpu-out}
mkdir -p "$out/bench"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
stage() {
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  echo "$name rc=$rc $((SECONDS - t0))s" | tee -a "$out/summary.txt"
}
nvidia-smi > "$out/nvidia-smi.txt" 2>&1
cli=(bash "$HOME/b/run.sh" cli)
for s in ${*:-tests quickstart bench peers}; do
  case $s in
    tests) stage tests 300 bash "$HOME/b/run.sh" test ;;
    quickstart) stage quickstart 120 "${cli[@]}" quickstart --fast --device cuda --out /tmp/quickstart-cuda ;;
    bench)
      stage bench-train 150 "${cli[@]}" bench train --device cuda --shape mistral7b --batch 4 --length 256 --steps 3 \
        --out-dir "$out/bench"
      stage bench-ensemble 200 "${cli[@]}" bench ensemble --device cuda --shape mistral7b --members 5 --batch 32 \
        --length 256 --rounds 2 --out-dir "$out/bench"
      stage bench-laplace 240 "${cli[@]}" bench laplace --device cuda --shape mistral7b --batch 4 --length 256 \
        --iterations 1 --samples 4 --variants kfac-last --out-dir "$out/bench" ;;
    peers)
      stage peer-train 150 python3 "$here/peer_bench.py" train --batch 4 --length 256 --steps 3 --out "$out/peer-train.json"
      stage peer-ensemble 200 python3 "$here/peer_bench.py" ensemble --members 5 --batch 32 --length 256 --rounds 2 \
        --out "$out/peer-ensemble.json" ;;
    *) echo "unknown stage $s (tests quickstart bench peers)" >&2; exit 2 ;;
  esac
done
