"""The scaling part of the benchmark report: every stage's time, CPU time and peak memory against size.

Goals (issue 18): time grows at most as size^1.15 between the two largest
sizes run, and peak memory at 100x is at most 1.5x that at 1x.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from benchmarks.corpus import SYNTHETIC_ORIGINS
from benchmarks.scaling import GOLD_SHARE
from benchmarks.stages import STAGE_ORDER
from pipeline.figures import publication_style, save_figure
from pipeline.params import Widths

EXPONENT_GOAL = 1.15
MEMORY_GOAL = 1.5
# Okabe-Ito, one colour per stage in pipeline order
COLOURS = dict(
    zip(STAGE_ORDER, ("#999999", "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#000000"))
)


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def goal(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def scaling_slope(points: list[tuple[float, float]]) -> float | None:
    """Exponent b of time ~ words^b between the two largest sizes (1 = linear)."""
    if len(points) < 2:
        return None
    (w1, t1), (w2, t2) = sorted(points)[-2:]
    return math.log(t2 / t1) / math.log(w2 / w1)


def series(results: dict[str, Any]) -> list[str]:
    """Every stage/executor measured at some size, local stages in pipeline order first."""
    keys = {key for size in results["scaling"] for key in size["runs"]}
    ordered = [f"{stage}/{ex}" for ex in ("local", "dask") for stage in STAGE_ORDER]
    return [key for key in ordered if key in keys]


def size_rows(results: dict[str, Any]) -> list[list[Any]]:
    sc = results["scaling"]
    base = sc[0]["runs"]
    rows = []
    for size in sc:
        c, gold = size["corpus"], size.get("gold", {})
        for key, r in size["runs"].items():
            b = base.get(key)
            rows.append(
                [
                    f"{size['scale']}x",
                    f"{c['documents']:,}",
                    f"{gold.get('gold_documents', '')}",
                    f"{c['words']:,}",
                    f"{c['units']:,}",
                    key,
                    f"{r['run_s']:.2f}",
                    f"{r['cpu_s']:.1f}",
                    f"{1e6 * r['run_s'] / c['words']:.1f}",
                    f"{r['peak_rss_mib']:.0f}",
                    f"{r['peak_rss_mib'] / b['peak_rss_mib']:.2f}" if b else "",
                    {True: "yes", False: "**no**"}.get(size.get("dask_identical")) if key.endswith("dask") else "",
                ]
            )
    return rows


def summary_rows(results: dict[str, Any]) -> list[list[Any]]:
    sc = results["scaling"]
    rows = []
    for key in series(results):
        run = [(s["corpus"]["words"], s["runs"][key]["run_s"]) for s in sc if key in s["runs"]]
        cpu = [(s["corpus"]["words"], s["runs"][key]["cpu_s"]) for s in sc if key in s["runs"]]
        slope, cpu_slope = scaling_slope(run), scaling_slope(cpu)
        largest = sorted(s["scale"] for s in sc if key in s["runs"])[-2:]
        rss = {s["scale"]: s["runs"][key]["peak_rss_mib"] for s in sc if key in s["runs"]}
        ratio = rss[100] / rss[1] if 1 in rss and 100 in rss else None
        rows.append(
            [
                key,
                "x".join(f"{s}" for s in largest) if len(largest) == 2 else "",
                "" if slope is None else f"{slope:.2f}",
                "" if cpu_slope is None else f"{cpu_slope:.2f}",
                goal(None if slope is None else slope <= EXPONENT_GOAL),
                "" if ratio is None else f"{ratio:.2f}",
                goal(None if ratio is None else ratio <= MEMORY_GOAL),
            ]
        )
    return rows


def scaling_markdown(results: dict[str, Any]) -> list[str]:
    out = ["", "### Scaling: every stage on synthetic corpora from the seed sentences", ""]
    out.append(
        "Five origin groups: the three seed origins and two synthetic ones ("
        + ", ".join(SYNTHETIC_ORIGINS)
        + ") that mix every seed document; each document reshuffles the sentences of one seed document "
        "(benchmarks/corpus.py). Complete gold (two annotation passes and an adjudication, copied from the seed "
        f"passes by sentence key: benchmarks/gold_share.py) for {GOLD_SHARE:.0%} of the documents (`gold docs`, at "
        "least two). run = time inside the stage's `run(params)`; CPU = the stage process's user + system time, "
        "imports included; exponents compare the two largest sizes run."
    )
    out += [
        "",
        table(
            [
                "size",
                "docs",
                "gold docs",
                "words",
                "units",
                "stage/executor",
                "run (s)",
                "CPU (s)",
                "s per M words",
                "peak RSS (MiB)",
                "RSS / 1x",
                "Dask = local bytes",
            ],
            size_rows(results),
        ),
        "",
        table(
            [
                "stage/executor",
                "sizes compared",
                f"time exponent (run; goal <= {EXPONENT_GOAL})",
                "CPU exponent",
                "time goal",
                f"peak RSS 100x / 1x (goal <= {MEMORY_GOAL})",
                "memory goal",
            ],
            summary_rows(results),
        ),
    ]
    for entry in results["scaling"]:
        if "measured" in entry:  # added later by run_all --extend
            m = entry["measured"]
            out += [
                "",
                f"{entry['scale']}x was measured apart (`run_all --extend`) on commit `{m['commit']}`, load average "
                f"{m['load_average_at_start']} at its start and {m['load_average_at_end']} at its end.",
            ]
        if entry.get("incomplete"):
            missing = [stage for stage in STAGE_ORDER if f"{stage}/local" not in entry["runs"]]
            out += ["", f"{entry['scale']}x is incomplete: {', '.join(missing)} did not run (see the prose below)."]
    skipped = results.get("scaling_skipped")
    if skipped:
        out += ["", f"Not run: {skipped}"]
    return out


def plot_scaling(results: dict[str, Any], stem: Path) -> None:
    """Run time (log-log, with a linear reference) and peak RSS against words, per stage and executor."""
    with publication_style():
        _plot_scaling(results, stem)


def _plot_scaling(results: dict[str, Any], stem: Path) -> None:
    sc = results["scaling"]
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(Widths().double, 3.0))
    for key in series(results):
        stage, ex = key.split("/")
        pts = [(s["corpus"]["words"], s["runs"][key]) for s in sc if key in s["runs"]]
        words = np.array([w for w, _ in pts])
        style = {
            "color": COLOURS[stage],
            "marker": "o" if ex == "local" else "s",
            "linestyle": "-" if ex == "local" else "--",
            "label": f"{stage}" + ("" if ex == "local" else " (Dask)"),
        }
        ax_t.plot(words, [r["run_s"] for _, r in pts], **style)
        ax_m.plot(words, [r["peak_rss_mib"] for _, r in pts], **style)
    words_all = np.array(sorted({s["corpus"]["words"] for s in sc}))
    ref = sc[-1]["runs"]["tag/local"]["run_s"] * words_all / words_all[-1]
    ax_t.plot(words_all, ref, color="black", linewidth=0.6, linestyle=":", label="proportional to size")
    ax_t.set(xscale="log", yscale="log", xlabel="Corpus size (words)", ylabel="Time inside the stage (s)")
    ax_m.set(xscale="log", xlabel="Corpus size (words)", ylabel="Peak RSS of one process (MiB)")
    ax_m.set_ylim(bottom=0)
    ax_t.set_title("Run time against corpus size (log-log)")
    ax_m.set_title("Peak memory against corpus size")
    handles, labels = ax_t.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=6)  # the style's constrained layout makes room
    save_figure(fig, stem, formats=("png", "svg"), dpi=200)
