"""Our side of the cross-check: the compare stage's vocabulary contrasts and our scores.

A contrast is (target, origin): the sentences mentioning the target,
split into the origin's and everyone else's, as in the "vocabulary" part
of pipeline/stages/compare.py. Our scores come from the pipeline's own
functions (``term_vectorizer``, ``stop_terms``, ``log_odds_dirichlet``,
``contrast_terms``); nothing here re-derives the statistic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import sparse

from pipeline.analysis.vocabulary import (
    MIN_Z,
    TOKEN_PATTERN,
    background_prior,
    contrast_terms,
    log_odds_dirichlet,
    stop_terms,
    term_vectorizer,
)


@dataclass(frozen=True)
class LogOddsSettings:
    """params.yaml ``compare.log_odds`` plus the target aliases (which are stop terms)."""

    prior_scale: float
    top_n: int
    min_count: int
    ngram_max: int
    english_stop_words: bool
    alias_texts: tuple[str, ...]

    @classmethod
    def from_params(cls, params_path: Path) -> LogOddsSettings:
        raw = yaml.safe_load(Path(params_path).read_text(encoding="utf-8"))
        cfg = raw["compare"]["log_odds"]
        aliases = tuple(str(name) for kinds in raw["targets"].values() for names in kinds.values() for name in names)
        return cls(
            float(cfg["prior_scale"]),
            int(cfg["top_n"]),
            int(cfg["min_count"]),
            int(cfg["ngram_max"]),
            bool(cfg["english_stop_words"]),
            aliases,
        )

    def stop_words(self) -> list[str]:
        return sorted(stop_terms(self.alias_texts, self.english_stop_words))

    def vectorizer(self):
        return term_vectorizer(self.stop_words(), self.ngram_max)


@dataclass(frozen=True)
class TargetSentences:
    """One target's sentences (doc_id, author_origin, text) and the whole corpus's (the prior's source)."""

    target: str
    sentences: pd.DataFrame
    background: pd.DataFrame

    @property
    def origins(self) -> list[str]:
        """Origins with a "rest" to contrast with (contrast_terms skips an origin that has every sentence)."""
        present = sorted(set(self.sentences["author_origin"]))
        return present if len(present) > 1 else []


def target_sentences(documents: pd.DataFrame, sentences: pd.DataFrame, mentions: pd.DataFrame) -> list[TargetSentences]:
    """The compare stage's inputs to ``contrast_terms``: for each target, the sentences with a mention
    of it (the stance units' sentences), and every sentence of the corpus as background."""
    background = sentences.merge(documents[["doc_id", "author_origin"]], on="doc_id")
    out = []
    for target in sorted(set(mentions["target"])):
        keys = mentions.loc[mentions["target"] == target, ["doc_id", "sent_id"]].drop_duplicates()
        out.append(TargetSentences(target, background.merge(keys, on=["doc_id", "sent_id"]), background))
    return out


@dataclass(frozen=True)
class CountedTarget:
    """Our vectorizer's view of one target: vocabulary, prior and the document-term counts."""

    terms: np.ndarray
    background_counts: np.ndarray
    prior: np.ndarray
    counts: sparse.csr_matrix  # target sentences x terms
    origins: np.ndarray  # origin of each target sentence


def count_target(data: TargetSentences, settings: LogOddsSettings) -> CountedTarget:
    """Vocabulary fitted on the background and the prior, as the compare stage builds them."""
    vectorizer = settings.vectorizer()
    background_counts, prior = background_prior(vectorizer, data.background["text"], settings.prior_scale)
    return CountedTarget(
        vectorizer.get_feature_names_out(),
        background_counts,
        prior,
        vectorizer.transform(data.sentences["text"]).tocsr(),
        data.sentences["author_origin"].to_numpy(),
    )


def group_counts(counted: CountedTarget, origin: str) -> tuple[np.ndarray, np.ndarray]:
    """Token counts of every term in the origin's sentences and in the other origins'."""
    in_group = counted.origins == origin
    return (
        np.asarray(counted.counts[in_group].sum(axis=0)).ravel(),
        np.asarray(counted.counts[~in_group].sum(axis=0)).ravel(),
    )


def full_variance(y_a: np.ndarray, y_b: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The four-term (delta-method) variance of the log-odds ratio that Scattertext uses; MCQ's
    eq. 20, which ours follows, keeps only 1/(y_a+α) + 1/(y_b+α)."""
    alpha0 = alpha.sum()
    n_a, n_b = y_a.sum(), y_b.sum()
    return 1 / (y_a + alpha) + 1 / (n_a + alpha0 - y_a - alpha) + 1 / (y_b + alpha) + 1 / (n_b + alpha0 - y_b - alpha)


def our_scores(counted: CountedTarget, origin: str, uniform_alpha: float) -> dict[str, np.ndarray]:
    """Our log-odds and z over the whole vocabulary, plus the two variants that remove a peer's
    deliberate difference: Scattertext's four-term variance, ConvoKit's constant prior."""
    y_a, y_b = group_counts(counted, origin)
    uniform = np.full(len(y_a), uniform_alpha)
    delta, z = log_odds_dirichlet(y_a, y_b, counted.prior)
    delta_uniform, z_uniform = log_odds_dirichlet(y_a, y_b, uniform)
    variance = full_variance(y_a, y_b, counted.prior)
    return {
        "count_group": y_a,
        "count_rest": y_b,
        "log_odds": delta,
        "z": z,
        "z_full_variance": delta / np.sqrt(variance),
        "log_odds_uniform_prior": delta_uniform,
        "z_uniform_prior": z_uniform,
        # z times these gives back a peer's log-odds (neither peer returns it)
        "sd": delta / z,
        "sd_full": np.sqrt(variance),
        "sd_uniform_prior": delta_uniform / z_uniform,
    }


def stage_top_terms(data: TargetSentences, settings: LogOddsSettings) -> pd.DataFrame:
    """The compare stage's table for this target: ``background_prior`` and ``contrast_terms`` as the stage calls them."""
    vectorizer = settings.vectorizer()
    _, prior = background_prior(vectorizer, data.background["text"], settings.prior_scale)
    return contrast_terms(data.sentences, vectorizer, prior, settings.top_n, settings.min_count, MIN_Z)


def peer_request(
    targets: list[TargetSentences],
    counted_targets: list[CountedTarget],
    settings: LogOddsSettings,
    uniform_alpha: float,
    *,
    variants: bool,
    repeats: int,
) -> dict[str, Any]:
    """What the peer process needs (JSON): the texts, our tokenisation settings, our vocabulary and
    counts (it checks its own vectorizer reproduces them before scoring) and the prior settings;
    ``variants``: also the runs with a peer's own defaults; ``repeats``: timed runs."""
    request: dict[str, Any] = {
        "vectorizer": {
            "token_pattern": TOKEN_PATTERN,
            "stop_words": settings.stop_words(),
            "ngram_range": [1, settings.ngram_max],
            "lowercase": True,
        },
        "prior_scale": settings.prior_scale,
        "uniform_alpha": uniform_alpha,
        "variants": variants,
        "repeats": repeats,
        "background_texts": targets[0].background["text"].tolist() if targets else [],
        "targets": [],
    }
    for data, counted in zip(targets, counted_targets, strict=True):
        request["targets"].append(
            {
                "target": data.target,
                "texts": data.sentences["text"].tolist(),
                "doc_ids": data.sentences["doc_id"].tolist(),
                "origins": counted.origins.tolist(),
                "contrast_origins": data.origins,
                "terms": counted.terms.tolist(),
                "background_counts": counted.background_counts.tolist(),
                "counts": {
                    "data": counted.counts.data.tolist(),
                    "indices": counted.counts.indices.tolist(),
                    "indptr": counted.counts.indptr.tolist(),
                    "shape": list(counted.counts.shape),
                },
            }
        )
    return request
