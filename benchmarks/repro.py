"""Cold and no-op ``dvc repro`` of the real project, each cold run in a fresh scratch copy.

    python -m benchmarks.repro [--repeats 3]

A copy holds the files git knows (tracked and untracked, not ignored), a
fresh git repository, no outputs, an empty DVC cache and an empty
embedding cache (``.cache`` is git-ignored, so it is never copied): its
``dvc repro`` runs every stage from the raw corpus. The cold time is the
median over ``repeats`` such copies; the no-op is a second ``dvc repro``
in the last copy, which finds nothing to do.

Per-stage wall seconds come from DVC's own log, read line by line as it
arrives: a stage runs from its ``Running stage`` line to the next one (or
the end), so DVC's hashing and lock-file update of that stage count in
it. CPU seconds (user + system) are those of the whole ``dvc repro``
process tree, and of each stage's process tree: bin/stage runs the stage
through ``$STANCE_PYTHON``, here a shell wrapper that appends the shell's
``times`` (its children's CPU) to a log. On a machine other jobs share,
CPU seconds vary less than wall seconds.
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

from benchmarks.common import RESULTS, ROOT, WORK, bench_env, commit

STAGE_LINE = re.compile(r"Running stage '([^']+)'")
TIMES = re.compile(r"(\d+)m([\d.]+)s (\d+)m([\d.]+)s")
TIMED_PYTHON = """#!/bin/sh
# `sh bin/stage <stage>` runs "$STANCE_PYTHON -m pipeline <stage>": run it, then log the stage's CPU seconds
"{python}" "$@"
status=$?
{{ echo "stage $3"; times; }} >> "{log}"
exit $status
"""


def _timed_python(folder: Path) -> tuple[Path, Path]:
    """The wrapper bin/stage runs each stage through (as STANCE_PYTHON), and the log it appends to."""
    folder.mkdir(parents=True, exist_ok=True)
    wrapper, log = folder / "timed_python", folder / "stage_cpu.log"
    wrapper.write_text(TIMED_PYTHON.format(python=sys.executable, log=log), encoding="utf-8")
    wrapper.chmod(0o755)
    log.unlink(missing_ok=True)
    return wrapper, log


def _stage_cpu(log: Path) -> dict[str, float]:
    """Stage -> CPU seconds of its process tree, from the wrapper's log (stage line, then ``times``' two lines)."""
    lines = log.read_text(encoding="utf-8").splitlines() if log.is_file() else []
    cpu = {}
    for i, line in enumerate(lines):
        if line.startswith("stage ") and i + 2 < len(lines) and (found := TIMES.fullmatch(lines[i + 2].strip())):
            m_user, s_user, m_sys, s_sys = found.groups()
            cpu[line.split(" ", 1)[1]] = 60 * (int(m_user) + int(m_sys)) + float(s_user) + float(s_sys)
    return cpu


def _dvc(copy: Path) -> dict[str, Any]:
    """One ``dvc repro`` in ``copy``: wall and CPU seconds, and the wall and CPU seconds of each stage it ran."""
    wrapper, cpu_log = _timed_python(copy.parent / f"{copy.name}_timing")
    env = bench_env() | {"PYTHONPATH": str(copy), "STANCE_PYTHON": str(wrapper)}  # the copy has no .venv
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
        "stages_cpu_s": _stage_cpu(cpu_log),
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
        "cold_stages_cpu_s": _rounded(
            {s: statistics.median(c["stages_cpu_s"].get(s, 0.0) for c in colds) for s in stages}
        ),
        "cold_dvc_cpu_s": round(statistics.median(c["cpu_s"] - sum(c["stages_cpu_s"].values()) for c in colds), 2),
        "stages_run_cold": len(stages),
        "noop_s": round(noop["wall_s"], 2),
        "stages_run_noop": len(noop["stages_s"]),
        "load_average": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.repro", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="cold runs, each in a fresh copy (default: 3)")
    parser.add_argument(
        "--save",
        action="store_true",
        help="also store the result (with its commit and load) in benchmarks/results/latest.json and re-render "
        "docs/performance.md: the idle-machine measurement can be taken apart from a long make bench",
    )
    args = parser.parse_args(argv)
    started = {"commit": commit(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    times = repro_times(args.repeats)
    print(json.dumps(times, indent=2))
    if args.save:
        from benchmarks import report  # matplotlib only when rendering

        latest = RESULTS / "latest.json"
        results = json.loads(latest.read_text(encoding="utf-8"))
        results["repro"] = times | {"measured": started | {"repeats": args.repeats}}
        latest.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        report.write_markdown(results, ROOT / "docs" / "performance.md")


if __name__ == "__main__":
    main(sys.argv[1:])
