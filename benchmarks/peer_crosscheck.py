"""Our framing-vocabulary log-odds vs Scattertext and ConvoKit: agreement on the seeds, time at 100x.

    make bench-peers     # = .venv/bin/python -m benchmarks.peer_crosscheck [--copies 100] [--repeats 3]

Needs the peers' venv (``make peers``). Reads the seed corpus's documents,
sentences and mentions from outputs/data (``--data``; run ``dvc repro tag``
first), builds a synthetic corpus of ``--copies`` perturbed copies at the
sentence level (benchmarks/peers/synthetic.py), writes
benchmarks/results/peer_crosscheck.json (every number, with the machine)
and rewrites the block between the PEER CROSS-CHECK markers of
docs/performance.md from it.

Times are medians of ``--repeats`` runs per target, summed over targets, of
the same work on each side: from the texts of the target's sentences and of
the whole corpus to every origin's z over the whole vocabulary.
"ours (stage)" is ``background_prior`` + ``contrast_terms`` as the compare stage calls them (it also
builds the top-terms table with docs_using); "ours (core)" is the
vectorising plus ``log_odds_dirichlet``, the like-for-like part.
Scattertext: our vectorizer's counts, ``CorpusFromScikit`` and the scorer;
ConvoKit: a ``Corpus`` of utterances and one ``FightingWords.fit`` per
origin (which vectorises the texts itself).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
import pandas as pd
import yaml

from benchmarks.common import RESULTS, ROOT, machine
from benchmarks.peers.agreement import PAIRS, prepare, run_peers, summarise
from benchmarks.peers.contrasts import (
    LogOddsSettings,
    TargetSentences,
    count_target,
    group_counts,
    stage_top_terms,
    target_sentences,
)
from benchmarks.peers.synthetic import synthetic_corpus
from benchmarks.peers.theirs import timed
from pipeline.analysis.vocabulary import log_odds_dirichlet

TABLES = ("documents", "sentences", "mentions")
BEGIN, END = "<!-- BEGIN PEER CROSS-CHECK (benchmarks/peer_crosscheck.py) -->", "<!-- END PEER CROSS-CHECK -->"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.peer_crosscheck",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "outputs" / "data",
        help="folder with the seeds' documents/sentences/mentions.parquet (default: outputs/data)",
    )
    parser.add_argument("--copies", type=int, default=100, help="size of the timed corpus in seed copies (100)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per target and side (3)")
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS / "peer_crosscheck.json",
        help="results JSON (benchmarks/results/peer_crosscheck.json)",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        default=ROOT / "docs" / "performance.md",
        help="page whose PEER CROSS-CHECK block is rewritten (docs/performance.md)",
    )
    return parser.parse_args(argv)


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (
        "+uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    )


def time_ours(targets: list[TargetSentences], settings: LogOddsSettings, repeats: int) -> dict[str, dict]:
    """Median wall and CPU seconds per target of contrast_terms (stage) and of vectorising + log-odds (core)."""
    out = {}
    for data in targets:
        timing: dict[str, list[float]] = {}
        for _ in range(repeats):
            with timed(timing, "stage"):
                stage_top_terms(data, settings)
            with timed(timing, "core"):
                counted = count_target(data, settings)
                for origin in data.origins:
                    log_odds_dirichlet(*group_counts(counted, origin), counted.prior)
        out[data.target] = {**{k: median(v) for k, v in timing.items()}, "sentences": len(data.sentences)}
    return out


def timing_summary(ours: dict[str, dict], theirs: dict[str, dict]) -> dict[str, Any]:
    """Wall and CPU seconds summed over targets per method, and ours / theirs."""
    steps = {
        "ours (stage)": ("stage",),
        "ours (core)": ("core",),
        "scattertext": ("background", "transform", "scattertext_build", "scattertext_score"),
        "convokit": ("background", "convokit_build", "convokit_fit"),
    }
    out: dict[str, Any] = {}
    for kind, suffix in (("wall", "_s"), ("cpu", "_cpu_s")):
        total = {
            method: sum(
                t[step + suffix] for t in (ours if method.startswith("ours") else theirs).values() for step in names
            )
            for method, names in steps.items()
        }
        out[f"{kind}_seconds"] = total
        out[f"{kind}_ratio"] = {
            f"{o} / {p}": total[o] / total[p]
            for o in ("ours (stage)", "ours (core)")
            for p in ("scattertext", "convokit")
        }
    return out


def markdown(results: dict[str, Any]) -> str:
    """The block for docs/performance.md."""
    m, peers = results["machine"], results["peers"]
    lines = [
        f"Measured by `make bench-peers` at commit {results['commit']} on {m['nproc']} CPU(s) ({m['cpu']}), "
        f"load average {m['load_average_at_start'][0]} at the start. Peers: "
        + ", ".join(f"{p} {v}" for p, v in peers["versions"].items())
        + f" (their venv; imports take {peers['import_s']['scattertext']:.1f} s and "
        f"{peers['import_s']['convokit']:.1f} s).",
        "",
        "**Agreement on the seed corpus** (Spearman's rho over the terms each contrast's sentences use; "
        "top-12 overlap in brackets; every peer first reproduced our vocabulary and counts: "
        + ("yes" if all(all(c.values()) for c in results["seeds"]["checks"].values()) else "**no**")
        + ").",
        "",
    ]
    keys = [f"{o} vs {p}" for o, p, _ in PAIRS]
    lines += ["| contrast | tokens group / rest | " + " | ".join(keys) + " |", "|---|---|" + "---|" * len(keys)]
    for c in results["seeds"]["contrasts"]:
        cells = [f"{c['pairs'][k]['spearman']:.4f} ({c['pairs'][k]['top_k_overlap']:.2f})" for k in keys]
        lines.append(
            f"| {c['target']}: {c['origin']} vs rest | {c['tokens_group']} / {c['tokens_rest']} | "
            + " | ".join(cells)
            + " |"
        )
    same = [r for c in results["seeds"]["contrasts"] for r in c["pairs"].values() if r["relation"].startswith("same")]
    lines += [
        "",
        f"Largest absolute difference where the formulas coincide: {max(r['max_abs_diff'] for r in same):.1e} "
        f"(z and log-odds, {len(same)} comparisons); ours vs Scattertext's z (variance differs): "
        + f"{max(c['pairs']['z vs scattertext']['max_abs_diff'] for c in results['seeds']['contrasts']):.3f}.",
    ]
    big, timing = results["large"], results["timing"]
    vocab = ", ".join(f"{t} {n}" for t, n in big["vocabulary_size"].items())
    lines += [
        "",
        (
            f"**Time on a {results['copies']}x synthetic corpus** ({big['sentences']} sentences, vocabulary {vocab}; "
            f"median of {results['repeats']} runs, summed over targets; peers' process peak RSS "
            f"{results['peer_peak_rss_mib']:.0f} MiB)."
        ),
        "",
        "| method | wall s | CPU s |",
        "|---|---|---|",
        *[f"| {k} | {v:.2f} | {timing['cpu_seconds'][k]:.2f} |" for k, v in timing["wall_seconds"].items()],
        "",
        "| ratio | ours / theirs, wall | ours / theirs, CPU |",
        "|---|---|---|",
        *[f"| {k} | {v:.3f} | {timing['cpu_ratio'][k]:.3f} |" for k, v in timing["wall_ratio"].items()],
        "",
        f"At {results['copies']}x the matched peers still agree: min rho "
        + ", ".join(
            f"{k} {min(c['pairs'][k]['spearman'] for c in big['contrasts']):.4f}"
            for k in ("z vs convokit", "z_full_variance vs scattertext", "z vs scattertext")
        )
        + ".",
    ]
    return "\n".join(lines) + "\n"


def replace_block(page: Path, block: str) -> None:
    """Rewrite only the text between the markers, so the prose around it stays hand-written."""
    text = page.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{page}: no {BEGIN} ... {END} block to rewrite")
    head, rest = text.split(BEGIN, 1)
    page.write_text(f"{head}{BEGIN}\n\n{block}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")


def read_seeds(data: Path) -> dict[str, pd.DataFrame]:
    missing = [name for name in TABLES if not (data / f"{name}.parquet").exists()]
    if missing:
        raise SystemExit(f"{data}: no {', '.join(missing)}.parquet; run `dvc repro tag` (or pass --data)")
    return {name: pd.read_parquet(data / f"{name}.parquet") for name in TABLES}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = LogOddsSettings.from_params(ROOT / "params.yaml")
    seed = int(yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["seed"])
    results: dict[str, Any] = {
        "command": "make bench-peers",
        "commit": commit(),
        "machine": machine(),
        "copies": args.copies,
        "repeats": args.repeats,
    }
    seeds_data = read_seeds(args.data)
    seeds = prepare(target_sentences(**seeds_data), settings, variants=True, repeats=1)
    print(f"building the {args.copies}x corpus", flush=True)
    big_tables = synthetic_corpus(
        seeds_data["documents"], seeds_data["sentences"], seeds_data["mentions"], args.copies, seed
    )
    big_targets = target_sentences(*big_tables)
    print("timing ours", flush=True)
    ours = time_ours(big_targets, settings, args.repeats)
    big = prepare(big_targets, settings, variants=False, repeats=args.repeats)
    print("running the peers (seeds, then the large corpus)", flush=True)
    answer = run_peers([seeds.request, big.request])
    results["peer_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results["peers"] = {k: answer[k] for k in ("versions", "python", "import_s")}
    results["seeds"] = summarise(seeds, answer["responses"][0])
    results["large"] = {**summarise(big, answer["responses"][1]), "sentences": len(big_tables[1])}
    results["ours_timing_s"] = ours
    results["timing"] = timing_summary(ours, results["large"]["peer_timing_s"])
    results["dense_matrix_mib_convokit"] = {  # FightingWords calls .toarray() on sentences x vocabulary
        t.target: float(len(t.sentences) * n * np.dtype(np.int64).itemsize / 2**20)
        for t, n in zip(big_targets, results["large"]["vocabulary_size"].values())
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    replace_block(args.docs, markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
