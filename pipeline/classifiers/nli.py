"""Zero-shot stance through natural-language inference (transformers pipeline).

Each unit's sentence is the premise; each label of its target has a
hypothesis ("The author is critical of Russia."). The transformers
``zero-shot-classification`` pipeline scores the hypotheses by the model's
*entailment* logit and normalises them over the three labels. Nothing is
learnt from gold labels, so cross-validation is trivially out-of-fold.

No NLI model is reachable in this environment. With a hub connection, set
``classifiers.nli.model`` to an NLI model id (e.g. a DeBERTa or BART model
fine-tuned on MNLI) and unset ``HF_HUB_OFFLINE``, or point it at a local
folder; then add ``nli`` to ``evaluate.classifiers``. The model must
declare an entailment label in its config (``id2label``): without one the
pipeline would silently score the wrong logit, so loading refuses it.
Remote code is never executed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from pipeline.classifiers.base import ClassifierContext, StanceClassifier, check_labels
from pipeline.classifiers.hf import ModelLoadError, load_pretrained
from pipeline.params import ConfigError, PositiveInt
from pipeline.paths import LABELS
from pipeline.plugins import classifiers


class NLIModelError(ModelLoadError):
    """The configured model is not an NLI model with an entailment label."""


def entailment_id(id2label: dict[int, str], model: str) -> int:
    """The id of the model's entailment label; NLIModelError when it has none."""
    found = [i for i, label in id2label.items() if str(label).lower().startswith("entail")]
    if len(found) != 1:
        raise NLIModelError(
            f"params.yaml: classifiers.nli.model '{model}' has labels {dict(id2label)}: "
            "need exactly one entailment label (an NLI model, e.g. fine-tuned on MNLI)"
        )
    return int(found[0])


@functools.lru_cache(maxsize=2)
def zero_shot_pipeline(model: str, root: str) -> Any:
    """The transformers zero-shot pipeline for ``model``, after checking its entailment label."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    key = "classifiers.nli.model"
    tokenizer = load_pretrained(AutoTokenizer, model, key, Path(root))
    nli_model = load_pretrained(AutoModelForSequenceClassification, model, key, Path(root)).eval()
    entailment_id(nli_model.config.id2label, model)
    return pipeline("zero-shot-classification", model=nli_model, tokenizer=tokenizer, device=-1)


class NLIStance(StanceClassifier):
    needs_labels = False

    def __init__(
        self, model: str = "", root: str = ".", hypotheses: tuple[tuple[str, str, str], ...] = (), batch_size: int = 16
    ):
        self.model = model
        self.root = root
        self.hypotheses = hypotheses
        self.batch_size = batch_size

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> NLIStance:
        if labels is not None:
            check_labels(labels)
        zero_shot_pipeline(self.model, self.root)  # fail at fit time on a non-NLI model
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        classify = zero_shot_pipeline(self.model, self.root)
        by_target: dict[str, dict[str, str]] = {}
        for target, label, text in self.hypotheses:
            by_target.setdefault(target, {})[label] = text
        proba = np.zeros((len(units), len(LABELS)))
        targets = units["target"].to_numpy()
        for target in sorted(set(targets)):
            if target not in by_target:
                raise ConfigError(f"params.yaml: classifiers.nli.hypotheses has no entry for target '{target}'")
            hypothesis_label = {h: label for label, h in by_target[target].items()}
            rows = np.flatnonzero(targets == target)
            chunks = [rows[i : i + self.batch_size] for i in range(0, len(rows), self.batch_size)]
            for chunk in tqdm(chunks, desc=f"nli {target}", unit="batch", leave=False):
                results = classify(
                    units["text"].to_numpy()[chunk].tolist(),
                    candidate_labels=list(hypothesis_label),
                    hypothesis_template="{}",
                    multi_label=False,
                    batch_size=self.batch_size,
                )
                for row, result in zip(chunk, [results] if isinstance(results, dict) else results):
                    for hypothesis, score in zip(result["labels"], result["scores"]):
                        proba[row, LABELS.index(hypothesis_label[hypothesis])] = score
        return proba


def parse_hypotheses(spec: Mapping[str, Mapping[str, str]], targets: Sequence[str]) -> tuple[tuple[str, str, str], ...]:
    """(target, label, hypothesis) for every target and label; ConfigError names a gap."""
    out = []
    for target in targets:
        per_label = spec.get(target) or {}
        for label in LABELS:
            text = str(per_label.get(label, "")).strip()
            if not text:
                raise ConfigError(f"params.yaml: classifiers.nli.hypotheses.{target}.{label} is missing")
            out.append((target, label, text))
        if len({h for t, _, h in out if t == target}) != len(LABELS):
            raise ConfigError(f"params.yaml: classifiers.nli.hypotheses.{target}: the three hypotheses must differ")
    return tuple(out)


@classifiers.register("nli")
def nli(
    *,
    model: str | None,
    batch_size: PositiveInt,
    hypotheses: Mapping[str, Mapping[str, str]],
    context: ClassifierContext,
) -> NLIStance:
    """Settings: ``classifiers.nli``; ``model`` null means no NLI model is available here."""
    if not model:
        raise ConfigError("params.yaml: classifiers.nli.model is not set (an NLI model id or local folder)")
    return NLIStance(
        model=model, root=context.root, hypotheses=parse_hypotheses(hypotheses, context.targets), batch_size=batch_size
    )
