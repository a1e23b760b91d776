"""The report's words: corpus overview, examples, method and limits, each stated from the run's numbers.

Nothing here is typed in by hand: every count, setting and limit comes
from the outputs of this run and params.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline import paths
from pipeline.figures.registry import FigureContext
from pipeline.params import Params
from pipeline.paths import LABELS


def corpus_overview(
    documents: pd.DataFrame, sentences: pd.DataFrame, stances: pd.DataFrame, targets: list[str]
) -> pd.DataFrame:
    """One row per document: metadata, words, sentences and stance units per target."""
    n_sent = sentences.groupby("doc_id").size().rename("n_sentences")
    units = stances.groupby(["doc_id", "target"]).size().unstack(fill_value=0).reindex(columns=targets, fill_value=0)
    units.columns = [f"units_{t}" for t in units.columns]
    cols = ["doc_id", "author_origin", "author", "title", "outlet", "published", "n_words"]
    out = documents[cols].merge(n_sent, on="doc_id", how="left").merge(units, on="doc_id", how="left")
    out = out.fillna({c: 0 for c in ["n_sentences", *units.columns]})
    for c in ["n_sentences", *units.columns]:
        out[c] = out[c].astype(int)
    return out.sort_values(["author_origin", "doc_id"]).reset_index(drop=True)


def examples(
    stances: pd.DataFrame, sentences: pd.DataFrame, documents: pd.DataFrame, per_label: int
) -> list[dict[str, Any]]:
    """The model's most confident units per target and label, with their sentence text."""
    units = stances.merge(sentences[["doc_id", "sent_id", "text"]], on=["doc_id", "sent_id"], how="left")
    units = units.merge(documents[["doc_id", "author_origin"]], on="doc_id", how="left")
    units["p"] = units[[f"p_{label}" for label in LABELS]].max(axis=1)  # the label is the argmax
    rows = []
    for (target, label), group in units.groupby(["target", "label"], sort=True):
        top = group.sort_values(["p", "doc_id", "sent_id"], ascending=[False, True, True]).head(per_label)
        for r in top.itertuples():
            rows.append(
                {
                    "target": target,
                    "label": label,
                    "p": f"{r.p:.2f}",
                    "doc_id": r.doc_id,
                    "sent_id": int(r.sent_id),
                    "author_origin": r.author_origin,
                    "text": r.text,
                }
            )
    return rows


def significance_limit(differences: pd.DataFrame | None) -> str | None:
    """What the permutation tests can show with these documents, from stance_group_differences."""
    if differences is None or differences.empty:
        return None
    floor = differences.groupby(["n_docs_a", "n_docs_b"])["min_attainable_p"].min()
    designs = ", ".join(f"{p:.2f} with {a} vs {b} documents" for (a, b), p in sorted(floor.items()))
    could = differences["min_attainable_p"] < 0.05
    if not could.any():
        return (
            f"No difference between origin groups can be statistically significant with these documents: the "
            "permutation test reassigns whole documents, and the smallest p a comparison can reach is "
            f"{designs}. None of the {len(differences)} tests could reach p below 0.05 whatever the data; group "
            "differences and their intervals describe these texts, they do not generalise."
        )
    hits = int((differences["p_permutation"] < 0.05).sum())
    return (
        f"The permutation test reassigns whole documents between groups; the smallest p a comparison can "
        "reach is "
        f"{designs}. {int(could.sum())} of {len(differences)} tests could reach p below 0.05, and {hits} did "
        "(no correction for multiple comparisons)."
    )


def limits(
    overview: pd.DataFrame,
    stances: pd.DataFrame,
    evaluation: list[dict[str, Any]],
    ctx: FigureContext,
    differences: pd.DataFrame | None = None,
) -> list[str]:
    """What this corpus cannot show, stated from its own numbers."""
    n_docs = overview.groupby("author_origin")["doc_id"].nunique()
    groups = ", ".join(f"{o} {n}" for o, n in n_docs.items())
    out = [
        f"{len(overview)} documents in {len(n_docs)} origin groups ({groups}). A document is the unit of "
        "replication, so every comparison between groups rests on this many texts."
    ]
    single = sorted(n_docs[n_docs == 1].index)
    if single:
        out.append(
            f"{', '.join(single)}: one document each. Such a group's share is that one text's share; "
            "it describes one author in one outlet, and no variation between documents of the group "
            "can be estimated: its interval resamples only that text's sentences."
        )
    significance = significance_limit(differences)
    if significance:
        out.append(significance)
    years = overview.assign(year=overview["published"].astype(str).str[:4])
    spans = years.groupby("author_origin")["year"].agg(lambda s: "–".join(sorted({s.min(), s.max()})))
    out.append(
        "Author origin is confounded with author, outlet, genre and date: publication years "
        + ", ".join(f"{o} {span}" for o, span in spans.items())
        + ". A difference between groups may reflect any of these, or events between the dates."
    )
    words = overview.set_index("doc_id")["n_words"]
    biggest = words.idxmax()
    unit_share = (stances["doc_id"] == biggest).mean() if len(stances) else 0.0
    out.append(
        f"{biggest} holds {words.max() / words.sum():.0%} of the corpus's words and {unit_share:.0%} "
        "of its stance units. Group shares weight documents equally so it counts once; pooled "
        "sentence counts would mostly describe this one text. The vocabulary contrasts pool tokens, so "
        "there it weighs more."
    )
    out.append(
        "The manifest records no sampling frame: nothing shows the documents to be a random sample of "
        "each origin's writing, so the results describe these texts, not authors of that origin at large."
    )
    have_eval = any(section["available"] for section in evaluation)
    check = (
        "its agreement with the gold labels is in the Evaluation section"
        if have_eval
        else "no out-of-fold evaluation against the gold labels is available in this run"
    )
    out.append(f"Shares in the figures come from {ctx.describe_labels()}; {check}.")
    return out


def _gold_step(gold: Mapping[str, Any] | None) -> str | None:
    """The gold labels and the agreement between annotation passes, from outputs/metrics/gold.json."""
    if not gold or not gold.get("n_gold_units"):
        return None
    text = (
        f"Gold labels: {gold['n_gold_units']} units, derived from independent blind annotation passes under "
        f"docs/annotation-guide.md ({gold.get('n_adjudicated', 0)} adjudicated; {gold.get('n_context_basis', 0)} "
        f"labels rest on context, spec rule 6). Annotators: {gold.get('annotators', 'unknown')}."
    )
    if gold.get("alpha_label") is not None:
        text += (
            f" Krippendorff's alpha between the passes on {gold['n_multiply_coded']} units: "
            f"{gold['alpha_label']:.2f} [{gold['alpha_label_low']:.2f}, {gold['alpha_label_high']:.2f}]"
        )
        if gold.get("alpha_label_non_guide") is not None:
            text += f" ({gold['alpha_label_non_guide']:.2f} on the units the guide does not quote)"
        text += "; agreement between model-based annotators following one guide overstates human reliability."
    return text + " Who annotated, and how far that agreement can be trusted: docs/annotation-report.md."


def method(
    params: Params,
    ctx: FigureContext,
    differences: pd.DataFrame | None = None,
    gold_metrics: Mapping[str, Any] | None = None,
) -> list[str]:
    """The pipeline's steps as run, with the settings that shaped them and what the design allows."""
    aliases = params.aliases()
    kinds: dict[str, set[str]] = {}
    for alias in aliases:
        kinds.setdefault(alias.target, set()).add(alias.kind)
    targets = "; ".join(
        f"{t} ({sum(a.target == t for a in aliases)} aliases; kinds: {', '.join(sorted(k))})" for t, k in kinds.items()
    )
    model = params.nlp.model
    nlp = (
        "a blank spaCy pipeline with a rule-based sentencizer" if model == "blank" else f"the spaCy pipeline '{model}'"
    )
    n_permutations = params.compare.permutation.n_permutations
    tests = ""
    if differences is not None and not differences.empty:
        exact = bool(differences["exact"].astype(bool).all())
        tests = (
            f" Differences between groups: a two-sided permutation test reassigning whole documents between "
            f"the two groups ({'every assignment enumerated' if exact else f'{n_permutations:,} random assignments'});"
            f" the smallest p any pair of groups allows here is {differences['min_attainable_p'].min():.2f}"
            " (see Limits)."
        )
    steps = [
        "Ingest: each document in the manifest is decoded (HTML saved as text is reduced to its visible text), "
        f"and web boilerplate (menus, credits, footnote markers) is removed by the rules in "
        f"{paths.CLEANING_RULES}; every removal is audited.",
        f"Tag: {nlp} splits sentences; a gazetteer tags actors, and whole-word, case-insensitive "
        f"alias matching finds mentions of the targets: {targets}.",
        "Stance: every (sentence, target) pair with a mention is one unit and gets one label "
        f"({', '.join(LABELS)}): the stance the author conveys toward the target in that sentence, "
        f"from the {params.stance.classifier} classifier.",
        "Compare: per document and target, the share of units with each label and the net stance index "
        "(favor − against) / units, from −1 to +1; per origin group, the mean over its documents, so each document "
        f"counts once however long. Intervals: {ctx.bootstrap_phrase()}; for a group of one document only its "
        f"sentences can be resampled.{tests} Figures and tables use {ctx.describe_labels()}.",
        "Framing: the vocabulary each origin uses more than the others in sentences about a target (log-odds "
        "with an informative Dirichlet prior scaled to "
        f"{params.compare.log_odds.prior_scale:,g} pseudo-tokens); {len(params.frames.categories)} "
        "frame-lexicon categories counted per 1,000 words (params.yaml frames); actor salience and "
        "co-occurrence from the gazetteer. Method and its checks: docs/method.md.",
    ]
    gold = _gold_step(gold_metrics)
    if gold:
        steps.append(gold)
    steps.append(
        f"Report: figures drawn with the colour-blind-safe palette '{ctx.palette.name}' "
        f"({ctx.palette.source}) at journal column widths; every number here is computed by `dvc repro`."
    )
    return steps
