"""Cold and no-op ``dvc repro`` of the real project, each cold run in a fresh scratch copy.

    python -m benchmarks.repro [--repeats 3]

A copy holds the files git knows (tracked and untracked, not ignored), a
fresh git repository, no outputs, an empty DVC cache and an empty
embedding cache (``.cache`` is git-ignored, so it is never copied): its
``dvc repro`` runs every stage from the raw corpus. The cold time is the
median over ``repeats`` such copies; the no-op is a second ``dvc repro``
in the last copy, which finds nothing to do.

Per-stage seconds come from DVC's own log, read line by line as it
arrives: a stage runs from its ``Running stage`` line to the next one (or
the end), so DVC's hashing and lock-file update of that stage count in
it. CPU seconds are those of the whole ``dvc repro`` process tree.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from time import perf_counter
from typing import Any

from benchmarks.common import ROOT, WORK, bench_env

STAGE_LINE = re.compile(r"Running stage '([^']+)'")


def _dvc(copy: Path) -> dict[str, Any]:
    """One ``dvc repro`` in ``copy``: wall and CPU seconds, and the seconds of each stage it ran."""
    env = bench_env() | {"PYTHONPATH": str(copy), "STANCE_PYTHON": sys.executable}  # the copy has no .venv
    dvc = Path(sys.executable).with_name("dvc")
    started = perf_counter()
    marks: list[tuple[str, float]] = []
    log: list[str] = []
    proc = subprocess.Popen(
        [str(dvc), "repro"], cwd=copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        log.append(line)
        if found := STAGE_LINE.search(line):
            marks.append((found.group(1), perf_counter()))
    _, status, usage = os.wait4(proc.pid, 0)
    ended = perf_counter()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"dvc repro failed in {copy}:\n{''.join(log)[-4000:]}")
    bounds = [t for _, t in marks[1:]] + [ended] if marks else []
    return {
        "wall_s": ended - started,
        "cpu_s": usage.ru_utime + usage.ru_stime,  # the dvc process and every reaped stage process
        "stages_s": {name: end - start for (name, start), end in zip(marks, bounds, strict=True)},
    }


def scratch_copy(copy: Path) -> Path:
    """The project as git sees it, without outputs or caches, in a fresh git repository."""
    shutil.rmtree(copy, ignore_errors=True)
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if name.startswith("benchmarks/results/") or not (ROOT / name).is_file():
            continue
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    shutil.rmtree(copy / "outputs", ignore_errors=True)  # committed tables and figures too: every stage runs
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    return copy


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in values.items()}


def repro_times(repeats: int = 3) -> dict[str, Any]:
    """Median cold ``dvc repro`` over ``repeats`` fresh copies, per stage too, and one no-op."""
    colds = []
    for _ in range(repeats):
        copy = scratch_copy(WORK / "repro")
        colds.append(_dvc(copy))
        print(f"cold run {len(colds)}: {colds[-1]['wall_s']:.1f} s", file=sys.stderr, flush=True)
    noop = _dvc(copy)
    stages = list(colds[0]["stages_s"])
    return {
        "cold_s": round(statistics.median(c["wall_s"] for c in colds), 2),
        "cold_runs_s": [round(c["wall_s"], 2) for c in colds],
        "cold_cpu_s": round(statistics.median(c["cpu_s"] for c in colds), 2),
        "cold_stages_s": _rounded({s: statistics.median(c["stages_s"][s] for c in colds) for s in stages}),
        "stages_run_cold": len(stages),
        "noop_s": round(noop["wall_s"], 2),
        "stages_run_noop": len(noop["stages_s"]),
        "load_average": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.repro", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="cold runs, each in a fresh copy (default: 3)")
    args = parser.parse_args(argv)
    print(json.dumps(repro_times(args.repeats), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
