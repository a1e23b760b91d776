"""Drawing and saving the registered figure set, one figure per task in worker processes.

Every figure is independent: it reads only its sources and writes only its
own files. So the report stage draws the set on as many processes as the
machine has CPUs (:func:`worker_pool`), and numbers the figures in
registry order afterwards; the files are byte for byte those of drawing
one after another in one process (tests/test_figures_parallel.py), which
is what a one-CPU machine does.

Workers are forked where the platform can fork (Linux): a forked worker
starts in milliseconds with matplotlib, the registry and the project's
plugins already imported, where a fresh interpreter would spend seconds
importing them. Elsewhere a worker imports them when it starts.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pipeline.figures.registry import (
    FigureContext,
    NotDrawn,
    NothingToDraw,
    Rendered,
    draw,
    get_figure,
    missing_sources,
    registered_figures,
)
from pipeline.figures.style import save_figure
from pipeline.plugins import load_project_plugins

T = TypeVar("T")


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


_worker_context: FigureContext | None = None
"""The figure context of a worker process, set once when it starts."""


def _start_worker(ctx: FigureContext) -> None:
    global _worker_context
    load_project_plugins(ctx.params.root)  # a no-op in a forked worker: already imported
    _worker_context = ctx


@contextmanager
def worker_pool(ctx: FigureContext, workers: int | None = None) -> Iterator[Executor | None]:
    """Worker processes for the figure set (``workers``, default: one per CPU), or None for one:
    then everything is drawn in this process. Other independent work of the report may run on it too
    (:func:`submit`)."""
    n = available_cpus() if workers is None else workers
    if n <= 1:
        yield None
        return
    registered_figures()  # every figure module imported before the workers fork, so none imports its own
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(
        n, mp_context=multiprocessing.get_context(method), initializer=_start_worker, initargs=(ctx,)
    ) as pool:
        yield pool


def submit(pool: Executor | None, fn: Callable[..., T], *args: Any) -> Future[T]:
    """``fn(*args)`` on the pool, or here and now without one; the result either way is a future."""
    if pool is not None:
        return pool.submit(fn, *args)
    done: Future[T] = Future()
    done.set_result(fn(*args))
    return done


@dataclass(frozen=True)
class _Saved:
    """What a worker sends back for a drawn figure (a matplotlib figure does not travel)."""

    caption: str
    alt: str
    labels: str
    files: tuple[Path, ...]
    size_in: tuple[float, float]


def _draw_and_save(ctx: FigureContext, stem: str, out_dir: Path, formats: list[str], dpi: int) -> _Saved | str:
    """One figure drawn and saved; the reason instead when it has nothing to show."""
    spec = get_figure(stem)
    try:
        drawn = draw(spec, ctx)
    except NothingToDraw as empty:
        return str(empty)
    width, height = (float(v) for v in drawn.fig.get_size_inches())
    files = save_figure(drawn.fig, out_dir / spec.stem, formats, dpi, title=spec.title, description=drawn.alt)
    return _Saved(drawn.caption, drawn.alt, drawn.labels, tuple(files), (width, height))


def _draw_and_save_in_worker(stem: str, out_dir: Path, formats: list[str], dpi: int) -> _Saved | str:
    assert _worker_context is not None, "worker started without its figure context"
    return _draw_and_save(_worker_context, stem, out_dir, formats, dpi)


def render_all(
    ctx: FigureContext, out_dir: Path, formats: list[str], dpi: int, pool: Executor | None = None
) -> tuple[list[Rendered], list[NotDrawn]]:
    """Draw and save every registered figure (on ``pool``'s workers, else here), numbered in order.

    Optional figures whose sources this project lacks, and figures with
    nothing to show, are left out and returned with the reason, so the
    index and the report can say so. ``pool`` must come from
    :func:`worker_pool` for this ``ctx``.
    """
    specs, not_drawn = [], []
    for spec in registered_figures():
        missing = missing_sources(spec, ctx.params.root) if spec.optional else ()
        if missing:
            not_drawn.append(NotDrawn(spec, f"needs {', '.join(missing)}"))
        else:
            specs.append(spec)
    if pool is None:
        results = [_draw_and_save(ctx, spec.stem, out_dir, formats, dpi) for spec in specs]
    else:
        futures = [pool.submit(_draw_and_save_in_worker, spec.stem, out_dir, formats, dpi) for spec in specs]
        results = [future.result() for future in futures]
    rendered: list[Rendered] = []
    for spec, result in zip(specs, results, strict=True):
        if isinstance(result, str):
            not_drawn.append(NotDrawn(spec, result))
        else:
            number = len(rendered) + 1
            rendered.append(
                Rendered(number, spec, result.caption, result.alt, result.labels, result.files, result.size_in)
            )
    order = {spec.stem: i for i, spec in enumerate(registered_figures())}
    return rendered, sorted(not_drawn, key=lambda n: order[n.spec.stem])
