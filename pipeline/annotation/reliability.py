"""Agreement between any number of annotation passes: Krippendorff's alpha and pairwise Cohen's kappa.

Input is the long pass table of ``pipeline.annotation.passes.read_passes``
(one row per unit and annotator). Alpha (nominal) uses every unit coded by
at least two annotators, whatever their number and however the passes
overlap; its interval resamples units with replacement within document x
target strata, so that a long document weighs in the replicates as it does
in the data. Kappa is computed for each pair of annotators on the units
both coded.

Three fields are measured: ``label`` (the full reading), ``label_text``
(the sentence-local reading: a context-basis label counts as ``neutral``,
STANCE-SPEC v2 "Basis") and ``basis``.
"""
from __future__ import annotations

from itertools import combinations

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from pipeline.config import LABELS

UNIT_KEY = ["doc_id", "sent_key", "target"]
FIELDS: dict[str, tuple[str, ...]] = {"label": LABELS, "label_text": LABELS, "basis": ("text", "context")}


def field_values(passes: pd.DataFrame, field: str) -> pd.Series:
    """The coded value of ``field`` on each pass row (``label_text``: context-basis labels read as neutral)."""
    if field == "label_text":
        return passes["label"].where(passes["basis"] != "context", "neutral")
    return passes[field]


def value_counts(passes: pd.DataFrame, field: str) -> pd.DataFrame:
    """Units x values: how many annotators gave each value to each unit (Krippendorff's coincidence input)."""
    coded = passes[UNIT_KEY].assign(value=field_values(passes, field).to_numpy())
    counts = pd.crosstab([coded[k] for k in UNIT_KEY], coded["value"])
    return counts.reindex(columns=list(FIELDS[field]), fill_value=0)


def alpha(counts: np.ndarray) -> float:
    """Nominal Krippendorff's alpha from a units x values count matrix; NaN when every coding is the same value."""
    counts = np.asarray(counts)
    if (counts.sum(axis=1) >= 2).sum() == 0:
        return float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


def stratified_resample(groups: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Row positions of one bootstrap replicate: each stratum's rows drawn with replacement, sizes kept."""
    return np.concatenate([rng.choice(rows, size=len(rows), replace=True) for rows in groups])


def bootstrap_alpha(counts: np.ndarray, strata: np.ndarray, *, n_boot: int, level: float,
                    rng: np.random.Generator) -> tuple[float, float]:
    """Percentile interval of alpha over unit resamples drawn with replacement within each stratum."""
    counts = np.asarray(counts)
    groups = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    replicates = np.array([alpha(counts[stratified_resample(groups, rng)]) for _ in range(n_boot)])
    replicates = replicates[~np.isnan(replicates)]
    if replicates.size == 0:
        return float("nan"), float("nan")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return float(low), float(high)


def _scopes(passes: pd.DataFrame):
    yield "all", passes
    for target, subset in passes.groupby("target", sort=True):
        yield str(target), subset


def alpha_table(passes: pd.DataFrame, *, n_boot: int = 1000, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Alpha with its bootstrap interval per scope (all units, then each target) and field.

    ``n_units`` counts the units coded by two or more annotators (the ones
    alpha uses); ``n_annotators`` counts the annotators in the scope.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for scope, subset in _scopes(passes):
        for field in FIELDS:
            counts = value_counts(subset, field)
            counts = counts[counts.sum(axis=1) >= 2]
            strata = np.array([f"{doc}\t{target}" for doc, _, target in counts.index])
            low, high = bootstrap_alpha(counts.to_numpy(), strata, n_boot=n_boot, level=level, rng=rng)
            rows.append({"scope": scope, "field": field, "n_units": len(counts),
                         "n_annotators": subset["annotator"].nunique(), "alpha": alpha(counts.to_numpy()),
                         "alpha_low": low, "alpha_high": high})
    return pd.DataFrame(rows)


def kappa(first: pd.Series, second: pd.Series) -> float:
    """Cohen's kappa of two aligned codings; NaN when it is undefined (fewer than two units, or one value only)."""
    if len(first) < 2 or pd.concat([first, second]).nunique() < 2:
        return float("nan")
    return float(cohen_kappa_score(first, second))


def kappa_table(passes: pd.DataFrame) -> pd.DataFrame:
    """Cohen's kappa for every pair of annotators, per scope and field, on the units both coded."""
    rows = []
    for scope, subset in _scopes(passes):
        for field in FIELDS:
            wide = subset[UNIT_KEY].assign(annotator=subset["annotator"].to_numpy(),
                                           value=field_values(subset, field).to_numpy())
            wide = wide.pivot(index=UNIT_KEY, columns="annotator", values="value")
            for a, b in combinations(sorted(wide.columns), 2):
                both = wide[[a, b]].dropna()
                rows.append({"scope": scope, "field": field, "annotator_a": a, "annotator_b": b,
                             "n_units": len(both), "kappa": kappa(both[a], both[b])})
    return pd.DataFrame(rows, columns=["scope", "field", "annotator_a", "annotator_b", "n_units", "kappa"])
