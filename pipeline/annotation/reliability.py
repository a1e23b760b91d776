"""Agreement between any number of annotation passes: Krippendorff's alpha and pairwise Cohen's kappa.

Input is the long pass table of ``pipeline.annotation.passes.read_passes``
(one row per unit and annotator). Alpha (nominal) uses every unit coded by
at least two annotators, whatever their number and however the passes
overlap (the ``krippendorff`` package computes the point value). Kappa is
computed for each pair of annotators on the units both coded. Intervals
resample units with replacement within document x target strata, so a long
document weighs in the replicates as it does in the data; the replicates
are computed in closed form from per-unit counts (a resample only reweights
units), so thousands of them cost milliseconds.

Three fields are measured: ``label`` (the full reading), ``label_text``
(the sentence-local reading: a context-basis label counts as ``neutral``,
STANCE-SPEC v2 "Basis") and ``basis``.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

import krippendorff
import numpy as np
import pandas as pd
from scipy.stats import binomtest
from sklearn.metrics import cohen_kappa_score

from pipeline.paths import LABELS

UNIT_KEY = ["doc_id", "sent_key", "target"]
FIELDS: dict[str, tuple[str, ...]] = {"label": LABELS, "label_text": LABELS, "basis": ("text", "context")}
SUBSETS = {"all": "every unit coded by two or more annotators", "non_guide": "units not quoted in the guide"}


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


def weighted_alpha(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Nominal alpha for each row of ``weights`` (replicates x units: how often each unit is drawn).

    alpha = 1 - (n - 1) * sum_u w_u d_u / (n^2 - sum_c n_c^2), with d_u = (m_u^2 - sum_c n_uc^2) / (m_u - 1)
    the unit's disagreeing pairs, n_c the pairable values of c and n their total (Krippendorff 2011).
    """
    counts = np.asarray(counts, dtype=float)
    is_pairable = counts.sum(axis=1) >= 2
    pairable = counts[is_pairable]
    weights = np.asarray(weights, dtype=float)
    if not is_pairable.all():  # a copy of replicates x units: skipped when every unit is pairable
        weights = weights[:, is_pairable]
    m = pairable.sum(axis=1)
    disagreeing = (m**2 - (pairable**2).sum(axis=1)) / (m - 1)
    n_c = weights @ pairable
    n = n_c.sum(axis=1)
    expected = n**2 - (n_c**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected > 0, 1 - (n - 1) * (weights @ disagreeing) / expected, np.nan)


def stratified_resample(groups: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Row positions of one bootstrap replicate: each stratum's rows drawn with replacement, sizes kept."""
    return np.concatenate([rng.choice(rows, size=len(rows), replace=True) for rows in groups])


def resample_weights(strata: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Replicates x units: how often a stratified bootstrap replicate draws each unit.

    Draws are counted with one bincount over (replicate, unit) cells per stratum
    (``np.add.at`` gave the same counts, an order of magnitude slower), over the
    stratum's own units only: the result is the one replicates x units array in memory.
    """
    weights = np.zeros((n_boot, len(strata)))
    for stratum in np.unique(strata):
        rows = np.flatnonzero(strata == stratum)
        drawn = rng.integers(0, len(rows), size=(n_boot, len(rows)))
        cells = (np.arange(n_boot) * len(rows))[:, None] + drawn
        weights[:, rows] = np.bincount(cells.ravel(), minlength=n_boot * len(rows)).reshape(n_boot, len(rows))
    return weights


def percentile_interval(replicates: np.ndarray, level: float) -> tuple[float, float]:
    replicates = replicates[~np.isnan(replicates)]
    if replicates.size == 0:
        return float("nan"), float("nan")
    tail = (1 - level) / 2
    low, high = np.quantile(replicates, [tail, 1 - tail])
    return float(low), float(high)


def bootstrap_alpha(
    counts: np.ndarray, strata: np.ndarray, *, n_boot: int, level: float, rng: np.random.Generator
) -> tuple[float, float]:
    """Percentile interval of alpha over unit resamples drawn with replacement within each stratum."""
    return percentile_interval(weighted_alpha(counts, resample_weights(strata, n_boot, rng)), level)


def kappa(first: pd.Series, second: pd.Series) -> float:
    """Cohen's kappa of two aligned codings; NaN when it is undefined (fewer than two units, or one value only)."""
    if len(first) < 2 or pd.concat([first, second]).nunique() < 2:
        return float("nan")
    return float(cohen_kappa_score(first, second))


def weighted_kappa(first: np.ndarray, second: np.ndarray, k: int, weights: np.ndarray) -> np.ndarray:
    """Cohen's kappa of two codings (integer codes < k) for each row of ``weights``."""
    cells = np.zeros((len(first), k * k))
    cells[np.arange(len(first)), first * k + second] = 1
    table = (weights @ cells).reshape(-1, k, k)
    n = table.sum(axis=(1, 2))
    observed = np.trace(table, axis1=1, axis2=2) / n
    expected = (table.sum(axis=2) * table.sum(axis=1)).sum(axis=1) / n**2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected < 1, (observed - expected) / (1 - expected), np.nan)


def _scopes(passes: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    yield "all", passes
    for target, subset in passes.groupby("target", sort=True):
        yield str(target), subset


def alpha_table(passes: pd.DataFrame, *, n_boot: int = 1000, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Alpha with its bootstrap interval per scope (all units, then each target) and field."""
    rng = np.random.default_rng(seed)
    rows = []
    for scope, subset in _scopes(passes):
        for field in FIELDS:
            counts = value_counts(subset, field)
            counts = counts[counts.sum(axis=1) >= 2]
            strata = np.array([f"{doc}\t{target}" for doc, _, target in counts.index])
            low, high = bootstrap_alpha(counts.to_numpy(), strata, n_boot=n_boot, level=level, rng=rng)
            rows.append(
                {
                    "scope": scope,
                    "field": field,
                    "n_units": len(counts),
                    "n_annotators": subset["annotator"].nunique(),
                    "alpha": alpha(counts.to_numpy()),
                    "alpha_low": low,
                    "alpha_high": high,
                }
            )
    return pd.DataFrame(rows)


def kappa_table(passes: pd.DataFrame) -> pd.DataFrame:
    """Cohen's kappa for every pair of annotators, per scope and field, on the units both coded."""
    rows = []
    for scope, subset in _scopes(passes):
        for field in FIELDS:
            wide = subset[UNIT_KEY].assign(
                annotator=subset["annotator"].to_numpy(), value=field_values(subset, field).to_numpy()
            )
            wide = wide.pivot(index=UNIT_KEY, columns="annotator", values="value")
            for a, b in combinations(sorted(wide.columns), 2):
                both = wide[[a, b]].dropna()
                rows.append(
                    {
                        "scope": scope,
                        "field": field,
                        "annotator_a": a,
                        "annotator_b": b,
                        "n_units": len(both),
                        "kappa": kappa(both[a], both[b]),
                    }
                )
    return pd.DataFrame(rows, columns=["scope", "field", "annotator_a", "annotator_b", "n_units", "kappa"])


def agreement_row(passes: pd.DataFrame, field: str, *, n_boot: int, level: float, rng: np.random.Generator) -> dict:
    """One field's agreement on the units coded twice or more: raw agreement (Wilson interval), alpha and,
    when there are exactly two annotators, Cohen's kappa (both with bootstrap intervals)."""
    counts = value_counts(passes, field)
    counts = counts[counts.sum(axis=1) >= 2]
    n = len(counts)
    unanimous = int((counts.to_numpy().max(axis=1) == counts.to_numpy().sum(axis=1)).sum())
    row: dict = {"n_units": n, "n_annotators": passes["annotator"].nunique(), "n_disagree": n - unanimous}
    if n == 0:
        return row
    wilson = binomtest(unanimous, n).proportion_ci(confidence_level=level, method="wilson")
    row.update(raw_agreement=unanimous / n, raw_low=float(wilson.low), raw_high=float(wilson.high))
    strata = np.array([f"{doc}\t{target}" for doc, _, target in counts.index])
    weights = resample_weights(strata, n_boot, rng)
    row["alpha"] = alpha(counts.to_numpy())
    row["alpha_low"], row["alpha_high"] = percentile_interval(weighted_alpha(counts.to_numpy(), weights), level)
    annotators = sorted(passes["annotator"].unique())
    if len(annotators) == 2:
        codes = {value: i for i, value in enumerate(FIELDS[field])}
        coded = passes[UNIT_KEY].assign(
            annotator=passes["annotator"].to_numpy(), value=field_values(passes, field).map(codes).to_numpy()
        )
        pair = coded.pivot(index=UNIT_KEY, columns="annotator", values="value").loc[counts.index]
        k = len(FIELDS[field])
        first, second = pair[annotators[0]].to_numpy(int), pair[annotators[1]].to_numpy(int)
        row["kappa"] = float(weighted_kappa(first, second, k, np.ones((1, n)))[0])
        row["kappa_low"], row["kappa_high"] = percentile_interval(weighted_kappa(first, second, k, weights), level)
    return row


def agreement_table(passes: pd.DataFrame, quoted: pd.Series, *, n_boot: int, level: float, seed: int) -> pd.DataFrame:
    """Agreement per subset (all; not quoted in the guide) x scope (all; each target) x field.

    ``quoted``: per pass row, whether its sentence is quoted in the guide
    (an annotator meeting a quoted sentence only has to copy the guide).
    Units coded by one annotator only do not enter.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for subset, rows_in in (("all", passes), ("non_guide", passes[~quoted.to_numpy()])):
        for scope, scoped in _scopes(rows_in):
            for field in FIELDS:
                stats = agreement_row(scoped, field, n_boot=n_boot, level=level, rng=rng)
                rows.append({"subset": subset, "scope": scope, "field": field, **stats})
    columns = [
        "subset",
        "scope",
        "field",
        "n_units",
        "n_annotators",
        "n_disagree",
        "raw_agreement",
        "raw_low",
        "raw_high",
        "kappa",
        "kappa_low",
        "kappa_high",
        "alpha",
        "alpha_low",
        "alpha_high",
    ]
    return pd.DataFrame(rows).reindex(columns=columns)
