"""Render benchmark results into docs/performance.md and the scaling figure.

Only the block between the RESULTS markers in docs/performance.md is
rewritten, from the results JSON, so the prose around it stays hand-written
and the numbers are never copied by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.report_scaling import goal, plot_scaling, scaling_markdown, table

BEGIN, END = "<!-- BEGIN RESULTS (benchmarks/report.py) -->", "<!-- END RESULTS -->"


def _fmt(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


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
        table(
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
                goal(t["ratio"] >= 0.5),
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
            goal(e["batched_path_ratio"] >= 0.8),
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
            goal(None if ratio is None else ratio >= 0.8),
        ]
    )
    out.append(table(["comparison", "stage", "ceiling", "ratio", "goal", ""], rows))

    out += scaling_markdown(results)

    rp = results["repro"]
    out += [
        "",
        "### `dvc repro` on the seed corpus (scratch copy, empty cache)",
        "",
        table(
            ["run", "seconds", "stages run", "goal", ""],
            [
                [
                    f"cold (median of {len(rp.get('cold_runs_s', [rp['cold_s']]))})",
                    f"{rp['cold_s']:.1f}",
                    rp["stages_run_cold"],
                    "<= 35 s",
                    goal(rp["cold_s"] <= 35),
                ],
                ["no-op", f"{rp['noop_s']:.1f}", rp["stages_run_noop"], "<= 3 s", goal(rp["noop_s"] <= 3)],
            ],
        ),
    ]
    if "measured" in rp:  # taken apart by python -m benchmarks.repro --save
        m = rp["measured"]
        out += [
            "",
            f"Measured apart by `python -m benchmarks.repro` ({m['repeats']} cold runs) on commit "
            f"`{m['commit']}`, load average {m['load_average_at_start']} at its start.",
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


def main() -> None:
    """Re-render the docs from benchmarks/results/latest.json without measuring again."""
    from benchmarks.common import RESULTS, ROOT

    results = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    write_markdown(results, ROOT / "docs" / "performance.md")
    plot_scaling(results, ROOT / "docs" / "figures" / "benchmarks_scaling")


if __name__ == "__main__":
    main()
