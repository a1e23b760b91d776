"""Inter-annotator agreement between the first and the blind second annotation pass.

The second pass re-labels a sample stratified by document × target (see
``second_pass_sample``); agreement is measured on that overlap with Cohen's
kappa (chance-corrected) and raw agreement, per target, per document and
overall. Intervals come from a bootstrap that resamples units within the
same document × target strata the sample was drawn from, so they reflect
the sampling design.

Worked examples in the annotation guide inflate agreement: an annotator who
meets a sentence the guide already labels only has to copy the label. So
every figure is also given for the units whose sentence is not quoted in
the guide the annotators used (the guide up to ``REVISIONS_HEADING``; rules
added after the agreement study were not seen by them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy.stats import binomtest
from sklearn.metrics import cohen_kappa_score, confusion_matrix

from pipeline.annotation.gold import GOLD_KEY
from pipeline.paths import LABELS
from pipeline.text import normalise_sentence

REVISIONS_HEADING = "## Revisions after the agreement study"
SUBSETS = {"all": "all double-coded units", "non_guide": "units whose sentence is not quoted in the guide"}

_QUOTED = re.compile(r'"([^"\n]+)"')
_ELLIPSIS = re.compile(r"\.\.\.|…")
_EDGE = " \t,;:.!?()[]\"'"
_FOOTNOTE = re.compile(r"\[\d+\]")


class AgreementError(ValueError):
    """The annotation passes cannot be compared as they stand."""


def second_pass_sample(units: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """The units the blind second pass labels: ceil(share × n) per document × target, drawn at random.

    Units are taken in (doc_id, sent_id, target) order and strata in sorted
    order, so the same units, share and seed always give the same sample.
    """
    if not 0 < share <= 1:
        raise AgreementError(f"params.yaml: agreement.second_pass.share must be in (0, 1], got {share}")
    rng = np.random.default_rng(seed)
    ordered = units.sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)
    picked = []
    for _, stratum in ordered.groupby(["doc_id", "target"], sort=True):
        k = math.ceil(share * len(stratum))
        picked.append(stratum.iloc[np.sort(rng.choice(len(stratum), size=k, replace=False))])
    return pd.concat(picked, ignore_index=True)


def pair_passes(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The double-coded units: one row per unit with ``label_1`` (first pass) and ``label_2`` (second)."""
    pairs = second[[*GOLD_KEY, "label", "annotator"]].merge(
        first[[*GOLD_KEY, "sent_id", "sentence", "label", "annotator"]],
        on=GOLD_KEY,
        how="left",
        suffixes=("_2", "_1"),
        validate="one_to_one",
    )
    unmatched = pairs[pairs["label_1"].isna()]
    if not unmatched.empty:
        r = unmatched.iloc[0]
        raise AgreementError(f"second pass: ({r['doc_id']}, {r['sent_key']}, {r['target']}) has no first-pass label")
    cols = ["doc_id", "sent_id", "target", "sent_key", "annotator_1", "annotator_2", "label_1", "label_2", "sentence"]
    return pairs[cols].sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)


def _comparable(text: str) -> str:
    """Normalised text without footnote markers ("[7]"), which cleaning may or may not have kept."""
    return normalise_sentence(_FOOTNOTE.sub("", text))


def guide_quotes(guide: str) -> list[list[str]]:
    """Quoted example sentences of the guide as annotators saw it, each as its normalised fragments.

    A quote shortened with "..." gives several fragments; the guide's
    revisions section is left out (written after the passes).
    """
    seen = guide.split(REVISIONS_HEADING, 1)[0]
    quotes = []
    for match in _QUOTED.finditer(seen):
        quote = match.group(1).replace("\\|", "|")  # a pipe escaped inside a Markdown table
        fragments = [_comparable(f).strip(_EDGE) for f in _ELLIPSIS.split(quote)]
        fragments = [f for f in fragments if f]
        if fragments:
            quotes.append(fragments)
    return quotes


def quoted_in_guide(sentence: str, quotes: list[list[str]], min_cover: float = 0.5, min_chars: int = 60) -> bool:
    """Whether a guide quote reproduces this sentence: all its fragments occur in the sentence, and
    together they cover at least ``min_cover`` of it or ``min_chars`` characters (so a quoted cue
    phrase such as "Russia’s aggression" does not mark every sentence that uses it)."""
    text = _comparable(sentence)
    for fragments in quotes:
        if all(f in text for f in fragments):
            covered = sum(len(f) for f in fragments)
            if covered >= min_chars or covered >= min_cover * len(text):
                return True
    return False


def _codes(labels: pd.Series) -> np.ndarray:
    index = {label: i for i, label in enumerate(LABELS)}
    return labels.map(index).to_numpy(dtype=np.int64)


def _kappa_from_counts(counts: np.ndarray) -> np.ndarray:
    """Cohen's kappa of each (…, k, k) confusion matrix; NaN where chance agreement is 1 (undefined)."""
    n = counts.sum(axis=(-2, -1))
    observed = np.trace(counts, axis1=-2, axis2=-1) / n
    expected = (counts.sum(axis=-1) * counts.sum(axis=-2)).sum(axis=-1) / n**2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected < 1, (observed - expected) / (1 - expected), np.nan)


def bootstrap_kappa(
    first: np.ndarray, second: np.ndarray, strata: np.ndarray, *, n_boot: int, level: float, rng: np.random.Generator
) -> tuple[float, float, int]:
    """Percentile interval for kappa, resampling units within each stratum; returns (low, high, n_valid).

    Replicates in which kappa is undefined (both passes use one label only)
    are dropped and counted out of ``n_valid``.
    """
    k = len(LABELS)
    idx = np.concatenate(
        [
            rng.choice(members, size=(n_boot, len(members)), replace=True)
            for members in (np.flatnonzero(strata == s) for s in np.unique(strata))
        ],
        axis=1,
    )
    cells = first[idx] * k + second[idx] + (k * k) * np.arange(n_boot)[:, None]
    counts = np.bincount(cells.ravel(), minlength=n_boot * k * k).reshape(n_boot, k, k)
    kappas = _kappa_from_counts(counts)
    kappas = kappas[~np.isnan(kappas)]
    if kappas.size == 0:
        return math.nan, math.nan, 0
    tail = (1 - level) / 2
    low, high = np.quantile(kappas, [tail, 1 - tail])
    return float(low), float(high), int(kappas.size)


def agreement_stats(pairs: pd.DataFrame, *, n_boot: int, level: float, seed: int) -> dict[str, float | int]:
    """Cohen's kappa (sklearn) with a stratified bootstrap interval, and raw agreement with a Wilson interval."""
    n = len(pairs)
    if n == 0:
        raise AgreementError("no double-coded units to compare")
    agree = int((pairs["label_1"] == pairs["label_2"]).sum())
    raw_ci = binomtest(agree, n).proportion_ci(confidence_level=level, method="wilson")
    used = set(pairs["label_1"]) | set(pairs["label_2"])
    kappa = (
        float(cohen_kappa_score(pairs["label_1"], pairs["label_2"], labels=list(LABELS))) if len(used) > 1 else math.nan
    )
    strata = (pairs["doc_id"] + "/" + pairs["target"]).to_numpy()
    low, high, n_valid = bootstrap_kappa(
        _codes(pairs["label_1"]),
        _codes(pairs["label_2"]),
        strata,
        n_boot=n_boot,
        level=level,
        rng=np.random.default_rng(seed),
    )
    return {
        "n_units": n,
        "n_disagree": n - agree,
        "raw_agreement": agree / n,
        "raw_ci_low": float(raw_ci.low),
        "raw_ci_high": float(raw_ci.high),
        "kappa": kappa,
        "kappa_ci_low": low,
        "kappa_ci_high": high,
        "n_boot_valid": n_valid,
    }


def _scopes(pairs: pd.DataFrame) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """(scope, group, rows) for overall, each target and each document."""
    yield "overall", "all", pairs
    for target, rows in pairs.groupby("target", sort=True):
        yield "target", target, rows
    for doc_id, rows in pairs.groupby("doc_id", sort=True):
        yield "document", doc_id, rows


def agreement_table(pairs: pd.DataFrame, *, n_boot: int, level: float, seed: int) -> pd.DataFrame:
    """One row per subset (all / non_guide) × scope (overall, target, document)."""
    rows = []
    for subset, subset_pairs in (("all", pairs), ("non_guide", pairs[~pairs["in_guide"]])):
        for scope, group, scoped in _scopes(subset_pairs):
            rows.append(
                {
                    "subset": subset,
                    "scope": scope,
                    "group": group,
                    **agreement_stats(scoped, n_boot=n_boot, level=level, seed=seed),
                }
            )
    return pd.DataFrame(rows)


def confusion_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """First-pass label (rows) × second-pass label (columns), overall and per target, for both subsets."""
    rows = []
    for subset, subset_pairs in (("all", pairs), ("non_guide", pairs[~pairs["in_guide"]])):
        for scope, group, scoped in _scopes(subset_pairs):
            if scope == "document":
                continue
            matrix = confusion_matrix(scoped["label_1"], scoped["label_2"], labels=list(LABELS))
            for label, counts in zip(LABELS, matrix):
                rows.append(
                    {
                        "subset": subset,
                        "target": group,
                        "first_pass": label,
                        **{f"second_{lbl}": int(c) for lbl, c in zip(LABELS, counts)},
                    }
                )
    return pd.DataFrame(rows)


def adjudication_table(pairs: pd.DataFrame, adjudication: pd.DataFrame) -> pd.DataFrame:
    """Every adjudicated unit with both passes' labels, the decision and its rule.

    Raises AgreementError when a disagreement between the passes has not been
    adjudicated, or an adjudication of a double-coded unit misquotes the second pass.
    """
    disagreements = pairs[pairs["label_1"] != pairs["label_2"]]
    merged = disagreements.merge(adjudication[[*GOLD_KEY, "label"]], on=GOLD_KEY, how="left")
    missing = merged[merged["label"].isna()]
    if not missing.empty:
        r = missing.iloc[0]
        raise AgreementError(
            f"{len(missing)} disagreement(s) between the passes are not adjudicated, e.g. ({r['doc_id']}, "
            f"sent {r['sent_id']}, {r['target']}: {r['label_1']} vs {r['label_2']}); add them to adjudication.csv"
        )
    table = adjudication.merge(pairs[[*GOLD_KEY, "label_2", "sentence"]], on=GOLD_KEY, how="left")
    double_coded = table["label_2"].notna()
    wrong = table[double_coded & (table["label_2"] != table["label_pass2"])]
    if not wrong.empty:
        r = wrong.iloc[0]
        raise AgreementError(
            f"adjudication.csv: ({r['doc_id']}, sent {r['sent_id']}, {r['target']}): label_pass2 "
            f"'{r['label_pass2']}' but the second pass says '{r['label_2']}'"
        )
    table["reason"] = np.where(double_coded, "passes disagreed", "re-adjudicated under a later rule")
    cols = ["doc_id", "sent_id", "target", "label_pass1", "label_pass2", "label", "reason", "rule"]
    table["sent_id"] = table["sent_id"].astype(int)
    return table[cols].sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)


def gold_counts(gold: pd.DataFrame, origins: pd.Series) -> pd.DataFrame:
    """Gold labels per document × target (with per-target totals), and how many were double-coded or adjudicated."""
    counts = gold.groupby(["doc_id", "target"])["label"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=list(LABELS), fill_value=0)
    counts["n_units"] = counts.sum(axis=1)
    g = gold.groupby(["doc_id", "target"])
    counts["n_double_coded"] = g["pass2_label"].agg(lambda s: int((s != "").sum()))
    counts["n_adjudicated"] = g["source"].agg(lambda s: int((s == "adjudicated").sum()))
    counts = counts.reset_index()
    counts.insert(0, "author_origin", counts["doc_id"].map(origins))
    totals = counts.groupby("target", as_index=False)[[*LABELS, "n_units", "n_double_coded", "n_adjudicated"]].sum()
    totals.insert(0, "author_origin", "all")
    totals.insert(1, "doc_id", "all")
    out = pd.concat([counts.sort_values(["author_origin", "doc_id", "target"]), totals], ignore_index=True)
    return out[["author_origin", "doc_id", "target", "n_units", *LABELS, "n_double_coded", "n_adjudicated"]]
