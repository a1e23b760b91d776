"""Cold and no-op ``dvc repro`` of the real project, in a scratch copy.

The copy holds the files git knows (tracked and untracked, not ignored), a
fresh git repository and an empty DVC cache, so the first ``dvc repro``
runs every stage from the raw corpus and the second finds nothing to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from time import perf_counter
from typing import Any

from benchmarks.common import ROOT, WORK, bench_env


def _dvc(copy: Path) -> tuple[float, str]:
    env = bench_env() | {"PYTHONPATH": str(copy)}
    dvc = Path(sys.executable).with_name("dvc")
    started = perf_counter()
    done = subprocess.run([str(dvc), "repro"], cwd=copy, env=env, capture_output=True, text=True, check=False)
    elapsed = perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"dvc repro failed in {copy}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


def repro_times() -> dict[str, Any]:
    copy = WORK / "repro"
    shutil.rmtree(copy, ignore_errors=True)
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        if name.startswith("benchmarks/results/") or not (ROOT / name).is_file():
            continue
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    shutil.rmtree(copy / "outputs", ignore_errors=True)  # committed tables and figures too: every stage runs
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    cold_s, cold_log = _dvc(copy)
    noop_s, noop_log = _dvc(copy)
    return {
        "cold_s": round(cold_s, 2),
        "stages_run_cold": cold_log.count("Running stage"),
        "noop_s": round(noop_s, 2),
        "stages_run_noop": noop_log.count("Running stage"),
        "load_average": round(os.getloadavg()[0], 2),
    }
