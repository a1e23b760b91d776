"""Each stage on the seed corpus: throughput and peak memory of a fresh process.

Throughput divides the corpus size by the time inside the stage's
``run`` (median of ``repeats`` processes); the process's wall time, which
adds interpreter start-up and imports, is reported beside it.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.common import Measured, run_stage
from pipeline import io
from pipeline.params import load_params
from pipeline.paths import DOCUMENTS, MENTIONS, SENTENCES, STANCES

STAGE_ORDER = ("ingest", "tag", "gold", "evaluate", "train", "stance", "compare", "report")
"""Every DVC stage, in the order ``dvc repro`` runs them."""


def corpus_size(params_path: Path) -> dict[str, int]:
    """Documents, words, sentences and stance units (one per sentence x target mentioned: the stance rows,
    or before the stance stage has run, the same keys counted in the mentions)."""
    root = load_params(params_path).root
    documents = io.read_parquet(root / DOCUMENTS)
    if (root / STANCES).is_file():
        units = len(pd.read_parquet(root / STANCES, columns=["doc_id"]))
    else:
        units = len(pd.read_parquet(root / MENTIONS, columns=["doc_id", "sent_id", "target"]).drop_duplicates())
    return {
        "documents": len(documents),
        "words": int(documents["n_words"].sum()),
        "sentences": len(pd.read_parquet(root / SENTENCES, columns=["doc_id"])),
        "units": units,
    }


def summarise(runs: list[Measured]) -> dict[str, float]:
    return {
        "run_s": round(statistics.median(r.run_s for r in runs), 4),
        "wall_s": round(statistics.median(r.wall_s for r in runs), 4),
        "import_s": round(statistics.median(r.import_s for r in runs), 4),
        "cpu_s": round(statistics.median(r.cpu_s for r in runs), 4),
        "peak_rss_mib": round(max(r.peak_rss_mib for r in runs), 1),
        "load_average": round(statistics.median(r.load_average for r in runs), 2),
    }


def per_stage(params_path: Path, repeats: int = 3) -> dict[str, Any]:
    """Every stage in order, ``repeats`` fresh processes each, on the project of ``params_path``."""
    results: dict[str, Any] = {}
    for stage in STAGE_ORDER:
        results[stage] = summarise([run_stage(params_path, stage) for _ in range(repeats)])
    size = corpus_size(params_path)
    for stage in ("ingest", "tag", "stance"):
        run_s = results[stage]["run_s"]
        results[stage].update({f"{unit}_per_s": round(n / run_s, 1) for unit, n in size.items()})
    return {"corpus": size, "stages": results}
