#!/usr/bin/env bash
# Does a fresh clone reproduce the committed outputs byte for byte on "another CPU"?
#
# Clones the repository (HEAD) into a temporary folder, runs `dvc repro` there
# with an emulated CPU, and fails unless `git status --porcelain` is empty and
# `dvc status` is clean. The emulations switch this machine's numeric kernels
# to the ones another processor would pick (docs/determinism.md):
#
#   baseline   nothing changed (this CPU, all cores)
#   aten       ATEN_CPU_CAPABILITY=default   torch's own kernels without AVX2
#   mkl        MKL_ENABLE_INSTRUCTIONS=AVX   torch's matrix products without AVX2/FMA
#   openblas   OPENBLAS_CORETYPE=Sandybridge numpy/scipy BLAS kernels without FMA
#   numpy      NPY_DISABLE_CPU_FEATURES=X86_V3  numpy's dispatched loops without AVX2/FMA
#   threads1   OMP/MKL/OpenBLAS threads = 1
#   all        every one of the above at once
#
# Usage: benchmarks/cross_cpu_check.sh [EMULATION ...]   (default: all of them, one clone each)
# Env:   VENV (default: <repo>/.venv)  the environment whose python and dvc run the stages
#        KEEP=1                        keep the temporary clones (printed) for inspection
# Exit:  0 when every emulation reproduced the committed outputs, 1 otherwise.
set -euo pipefail

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
venv=${VENV:-$repo/.venv}
[ -x "$venv/bin/dvc" ] || { echo "no dvc in $venv/bin: run 'make setup' or set VENV" >&2; exit 2; }
emulations=("$@")
[ ${#emulations[@]} -gt 0 ] || emulations=(baseline aten mkl openblas numpy threads1 all)

emulation_env() {
  case "$1" in
    baseline) ;;
    aten) echo "ATEN_CPU_CAPABILITY=default" ;;
    mkl) echo "MKL_ENABLE_INSTRUCTIONS=AVX" ;;
    openblas) echo "OPENBLAS_CORETYPE=Sandybridge" ;;
    numpy) echo "NPY_DISABLE_CPU_FEATURES=X86_V3" ;;
    threads1) echo "OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1" ;;
    all) for e in aten mkl openblas numpy threads1; do emulation_env "$e"; done ;;
    *) echo "unknown emulation '$1' (baseline aten mkl openblas numpy threads1 all)" >&2; return 2 ;;
  esac
}

failed=()
for emulation in "${emulations[@]}"; do
  vars=$(emulation_env "$emulation" | tr '\n' ' ')
  clone=$(mktemp -d "${TMPDIR:-/tmp}/cross-cpu-$emulation.XXXX")
  git clone -q "$repo" "$clone"
  started=$SECONDS
  echo "== $emulation: ${vars:-(no change)} in $clone"
  # env -i: nothing from this shell (an activated venv, thread settings) leaks into the run
  if ! (cd "$clone" && env -i HOME="$HOME" PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" \
          HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg $vars \
          "$venv/bin/dvc" repro -q >"$clone.log" 2>&1); then
    echo "   dvc repro failed; log: $clone.log"; tail -5 "$clone.log"; failed+=("$emulation"); continue
  fi
  changed=$(git -C "$clone" status --porcelain)
  stale=$(cd "$clone" && env -i HOME="$HOME" PATH="$venv/bin:/usr/bin:/bin" "$venv/bin/dvc" status --json)
  echo "   dvc repro took $((SECONDS - started)) s"
  if [ -n "$changed" ] || [ "$stale" != "{}" ]; then
    echo "   DIFFERS from the committed outputs:"
    echo "$changed" | sed 's/^/     /'
    git -C "$clone" diff --stat | sed 's/^/     /'
    [ "$stale" = "{}" ] || echo "     dvc status: $stale"
    failed+=("$emulation")
    echo "   clone kept for inspection: $clone"
    continue
  fi
  echo "   identical"
  [ -n "${KEEP:-}" ] && echo "   kept: $clone" || rm -rf "$clone" "$clone.log"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "cross-CPU check FAILED under: ${failed[*]}"
  exit 1
fi
echo "cross-CPU check passed under: ${emulations[*]}"
