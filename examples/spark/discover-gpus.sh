#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript, docs/SPARK.md "GPUs"): prints the GPUs
# this executor may use as Spark's ResourceInformation JSON, e.g. {"name": "gpu", "addresses": ["0", "1"]}.
# Honours CUDA_VISIBLE_DEVICES when the cluster manager sets it (addresses are then 0..n-1, the indices CUDA uses
# inside the process); otherwise asks nvidia-smi. With no GPU it prints an empty list, so Spark reports the shortfall
# instead of a script error.
set -euo pipefail
addresses=()
if [[ -n "${CUDA_VISIBLE_DEVICES:-}" ]]; then
  IFS=',' read -r -a visible <<< "$CUDA_VISIBLE_DEVICES"
  for i in "${!visible[@]}"; do
    [[ -n "${visible[$i]// /}" ]] && addresses+=("$i")
  done
elif command -v nvidia-smi > /dev/null 2>&1; then
  while read -r index; do
    [[ -n "$index" ]] && addresses+=("$index")
  done < <(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null || true)
fi
json=""
for a in "${addresses[@]+"${addresses[@]}"}"; do
  json+="${json:+, }\"$a\""
done
printf '{"name": "gpu", "addresses": [%s]}\n' "$json"
