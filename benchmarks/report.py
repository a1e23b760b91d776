"""Render benchmark results into docs/performance.md and the scaling figure.

Only the block between the RESULTS markers in docs/performance.md is
rewritten, from the results JSON, so the prose around it stays hand-written
and the numbers are never copied by hand.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from pipeline.figures import publication_style, save_figure
from pipeline.params import Widths

BEGIN, END = "<!-- BEGIN RESULTS (benchmarks/report.py) -->", "<!-- END RESULTS -->"
SERIES = [("ingest", "local"), ("tag", "local"), ("stance", "local"), ("tag", "dask"), ("stance", "dask")]
COLOURS = {"ingest": "#999999", "tag": "#0072B2", "stance": "#D55E00"}


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _goal(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def _fmt(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def scaling_slope(points: list[tuple[float, float]]) -> float | None:
    """Exponent b of time ~ words^b between the two largest sizes (1 = linear)."""
    if len(points) < 2:
        return None
    (w1, t1), (w2, t2) = sorted(points)[-2:]
    return math.log(t2 / t1) / math.log(w2 / w1)


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    out = [BEGIN, "", "### Machine and command", ""]
    out.append(
        f"`{results['command']}` on commit `{results['commit']}`; "
        f"{m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB RAM, {m['platform']}, Python {m['python']}. "
        f"Load average when the run started: {m['load_average_at_start']} "
        "(other jobs shared the CPUs, so wall times carry their noise; CPU-time figures much less)."
    )
    out.append("")
    out.append("Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v) + ".")

    seeds = results["seed_stages"]
    c = seeds["corpus"]
    out += [
        "",
        f"### Per stage on the seed corpus ({c['documents']} documents, {_fmt(c['words'])} words, "
        f"{_fmt(c['sentences'])} sentences, {c['units']} stance units)",
        "",
    ]
    rows = []
    for stage, r in seeds["stages"].items():
        rows.append(
            [
                stage,
                f"{r['run_s']:.2f}",
                f"{r['wall_s']:.2f}",
                f"{r['cpu_s']:.2f}",
                f"{r['peak_rss_mib']:.0f}",
                _fmt(r.get("documents_per_s", float("nan")), 1) if "documents_per_s" in r else "",
                _fmt(r["sentences_per_s"]) if "sentences_per_s" in r else "",
                _fmt(r["words_per_s"]) if "words_per_s" in r else "",
            ]
        )
    out.append(
        _table(
            [
                "stage",
                "run (s)",
                "process wall (s)",
                "process CPU (s)",
                "peak RSS (MiB)",
                "docs/s",
                "sentences/s",
                "words/s",
            ],
            rows,
        )
    )
    out += [
        "",
        "run = time inside the stage's `run(params)`, median of "
        f"{results['repeats']} fresh processes; process wall and CPU add interpreter start-up and imports "
        "(spaCy imports torch through thinc, which dominates a seed-sized run); peak RSS is the largest of the runs.",
    ]

    ce = results["ceilings"]
    out += ["", "### Stages against their ceilings (CPU time, alternating runs, median)", ""]
    rows = []
    for label, t in ce["tag"].items():
        rows.append(
            [
                f"tag vs bare spaCy: `build_nlp` + `nlp.pipe` ({label}: {t['documents']} docs, "
                f"{_fmt(t['words'])} words)",
                f"{_fmt(t['tag_words_per_cpu_s'])} words/CPU-s",
                f"{_fmt(t['bare_spacy_words_per_cpu_s'])} words/CPU-s",
                f"{t['ratio']:.2f}",
                ">= 0.5",
                _goal(t["ratio"] >= 0.5),
            ]
        )
        rows.append(
            [
                f"tag vs a warm pipeline re-run over the same texts ({label}; stricter reference)",
                f"{_fmt(t['tag_words_per_cpu_s'])} words/CPU-s",
                f"{_fmt(t['warm_spacy_words_per_cpu_s'])} words/CPU-s",
                f"{t['ratio_to_warm']:.2f}",
                "",
                "",
            ]
        )
    e = ce["encoder"]
    rows.append(
        [
            f"`{e['batched_path']}` (tokenising included) vs bare MiniLM forward on pre-tokenised batches "
            f"({e['units']} seed units, batch {e['batch_size']}, {e['torch_threads']} torch thread(s); "
            f"tokenising alone: {e['tokenize_cpu_s']:.2f} CPU-s)",
            f"{e['batched_path_units_per_cpu_s']} units/CPU-s",
            f"{e['bare_encoder_units_per_cpu_s']} units/CPU-s",
            f"{e['batched_path_ratio']:.2f}",
            ">= 0.8",
            _goal(e["batched_path_ratio"] >= 0.8),
        ]
    )
    ratio = e["stance_stage_ratio"]
    rows.append(
        [
            f"stance stage (classifier `{e['stance_classifier']}`) vs bare MiniLM forward",
            f"{e['stance_stage_units_per_cpu_s']} units/CPU-s",
            f"{e['bare_encoder_units_per_cpu_s']} units/CPU-s",
            "n/a" if ratio is None else f"{ratio:.2f}",
            ">= 0.8 (embedding classifier)",
            _goal(None if ratio is None else ratio >= 0.8),
        ]
    )
    out.append(_table(["comparison", "stage", "ceiling", "ratio", "goal", ""], rows))

    sc = results["scaling"]
    base = {f"{s}/{ex}": sc[0]["runs"].get(f"{s}/{ex}") for s, ex in SERIES}
    out += ["", "### Scaling: synthetic corpora from the seed sentences", ""]
    rows = []
    for size in sc:
        cc = size["corpus"]
        for key, r in size["runs"].items():
            b = base.get(key)
            rows.append(
                [
                    f"{size['scale']}x",
                    cc["documents"],
                    _fmt(cc["words"]),
                    _fmt(cc["sentences"]),
                    _fmt(cc["units"]),
                    key,
                    f"{r['run_s']:.2f}",
                    _fmt(cc["words"] / r["run_s"]),
                    f"{1e6 * r['run_s'] / cc['words']:.1f}",
                    f"{r['peak_rss_mib']:.0f}",
                    f"{r['peak_rss_mib'] / b['peak_rss_mib']:.2f}" if b else "",
                    {True: "yes", False: "**no**"}.get(size.get("dask_identical")) if key.endswith("dask") else "",
                ]
            )
    out.append(
        _table(
            [
                "size",
                "docs",
                "words",
                "sentences",
                "units",
                "stage/executor",
                "run (s)",
                "words/s",
                "s per M words",
                "peak RSS (MiB)",
                "RSS / 1x",
                "Dask = local bytes",
            ],
            rows,
        )
    )
    summary = []
    for stage, ex in SERIES:
        key = f"{stage}/{ex}"
        pts = [(s["corpus"]["words"], s["runs"][key]["run_s"]) for s in sc if key in s["runs"]]
        slope = scaling_slope(pts)
        rss = [(s["scale"], s["runs"][key]["peak_rss_mib"]) for s in sc if key in s["runs"]]
        at100 = dict(rss).get(100)
        flat = None if at100 is None else at100 <= 1.5 * rss[0][1]
        summary.append(
            [
                key,
                "" if slope is None else f"{slope:.2f}",
                "" if at100 is None else f"{at100 / rss[0][1]:.2f}",
                _goal(flat),
            ]
        )
    out += [
        "",
        _table(
            [
                "stage/executor",
                "time exponent between the two largest sizes (1 = linear)",
                "peak RSS 100x / 1x",
                "memory goal (<= 1.5)",
            ],
            summary,
        ),
    ]
    skipped = results.get("scaling_skipped")
    if skipped:
        out += ["", f"Not run: {skipped}"]

    rp = results["repro"]
    out += [
        "",
        "### `dvc repro` on the seed corpus (scratch copy, empty cache)",
        "",
        _table(
            ["run", "seconds", "stages run", "goal", ""],
            [
                [
                    "cold (median of 3)",
                    f"{rp['cold_s']:.1f}",
                    rp["stages_run_cold"],
                    "<= 35 s",
                    _goal(rp["cold_s"] <= 35),
                ],
                ["no-op", f"{rp['noop_s']:.1f}", rp["stages_run_noop"], "<= 3 s", _goal(rp["noop_s"] <= 3)],
            ],
        ),
    ]
    out += ["", "![Scaling: run time and peak memory against corpus size](figures/benchmarks_scaling.svg)", "", END]
    return "\n".join(out)


def write_markdown(results: dict[str, Any], doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{doc}: the results markers are missing; restore '{BEGIN}' ... '{END}'")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    doc.write_text(head + markdown(results) + tail, encoding="utf-8")


def plot_scaling(results: dict[str, Any], stem: Path) -> None:
    """Run time (log-log, with a linear reference) and peak RSS against words, per stage and executor."""
    with publication_style():
        _plot_scaling(results, stem)


def _plot_scaling(results: dict[str, Any], stem: Path) -> None:
    sc = results["scaling"]
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(Widths().double, 2.6))
    for stage, ex in SERIES:
        key = f"{stage}/{ex}"
        pts = [(s["corpus"]["words"], s["runs"][key]) for s in sc if key in s["runs"]]
        if not pts:
            continue
        words = np.array([w for w, _ in pts])
        style = {
            "color": COLOURS[stage],
            "marker": "o" if ex == "local" else "s",
            "linestyle": "-" if ex == "local" else "--",
            "label": f"{stage} ({ex})",
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
    fig.legend(handles, labels, loc="upper center", ncol=6, bbox_to_anchor=(0.5, -0.02))
    fig.subplots_adjust(bottom=0.22)
    save_figure(fig, stem, formats=("png", "svg"), dpi=200)


def main() -> None:
    """Re-render the docs from benchmarks/results/latest.json without measuring again."""
    from benchmarks.common import RESULTS, ROOT

    results = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    write_markdown(results, ROOT / "docs" / "performance.md")
    plot_scaling(results, ROOT / "docs" / "figures" / "benchmarks_scaling")


if __name__ == "__main__":
    main()
