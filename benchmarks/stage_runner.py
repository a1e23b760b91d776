"""Run one pipeline stage in this process and record its time and peak memory.

The benchmarks start this module as a subprocess (``python -m
benchmarks.stage_runner PARAMS STAGE OUT.json``), so each stage gets a
fresh process; it calls the same ``run(params)`` as ``python -m pipeline``
and records the import time apart from the stage's own work.

Peak memory is the kernel's high-water mark of resident memory (``VmHWM``
in /proc/PID/status). It is read from /proc and not from
``getrusage``/``wait4``, whose ``ru_maxrss`` also counts the memory of the
parent the process was forked from. With the Dask executor the worker
processes are this process's descendants: a background thread reads their
``VmHWM`` while they live, and the summed ``VmRSS`` of the whole tree.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
from contextlib import nullcontext
from pathlib import Path
from time import perf_counter

from pipeline.params import load_params

# Modules a stage imports lazily inside run(); on the local executor they are
# imported before the clock starts, so run time is the stage's work as for
# every other stage (on Dask the workers import them, inside run time).
PRELOAD = {"tag": ("pipeline.nlp.spacy_pipeline",)}


def _status_kib(pid: int, field: str) -> int:
    """One ``kB`` field of /proc/PID/status (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += children
        frontier = children
    return found


class TreeMemory:
    """Samples the peak RSS of each descendant process and of the tree as a whole."""

    def __init__(self, interval_s: float = 0.2):
        self.interval_s = interval_s
        self.peak_by_pid: dict[int, int] = {}
        self.peak_tree_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.interval_s):
            pids = _descendants(me)
            for pid in pids:
                self.peak_by_pid[pid] = max(self.peak_by_pid.get(pid, 0), _status_kib(pid, "VmHWM"))
            tree = _status_kib(me, "VmRSS") + sum(_status_kib(pid, "VmRSS") for pid in pids)
            self.peak_tree_kib = max(self.peak_tree_kib, tree)


def main(argv: list[str]) -> None:
    params_path, stage, out_json = argv
    started = perf_counter()
    params = load_params(params_path)
    module = importlib.import_module(f"pipeline.stages.{stage}")
    on_dask = params.executor.kind == "dask"
    for name in () if on_dask else PRELOAD.get(stage, ()):
        importlib.import_module(name)
    imported = perf_counter()
    tree = TreeMemory() if on_dask else None
    with tree or nullcontext():
        module.run(params)
    finished = perf_counter()
    result = {
        "import_s": imported - started,
        "run_s": finished - imported,
        "peak_rss_mib": _status_kib(os.getpid(), "VmHWM") / 1024,
    }
    if tree is not None:
        result["workers_peak_rss_mib"] = max(tree.peak_by_pid.values(), default=0) / 1024
        result["tree_peak_rss_mib"] = tree.peak_tree_kib / 1024
    Path(out_json).write_text(json.dumps(result))


if __name__ == "__main__":  # guarded: Dask's spawned workers import this module
    main(sys.argv[1:])
