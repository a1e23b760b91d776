"""The report's words: question, corpus overview, method and limits, each stated from the run's numbers.

Nothing here is typed in by hand: every count, setting and limit comes
from the outputs of this run and params.yaml.
"""

from __future__ import annotations

import pandas as pd

from pipeline import paths
from pipeline.figures.registry import FigureContext
from pipeline.params import Params
from pipeline.paths import LABELS


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def question(groups: dict[str, int], targets: list[str]) -> str:
    """The question the report answers, in the corpus's own terms."""
    return (
        f"Do authors of {_and(list(groups))} origin take different stances toward "
        f"{_and([t.capitalize() for t in targets])}? For each target, the report "
        "estimates per origin group the share of sentences about the target that are against, favor or neutral "
        "toward it, and the net stance index (favor \u2212 against) / units, with intervals and the number of "
        "documents and units behind each; then how far the groups differ, and which vocabulary, frames and "
        "actors surround each target."
    )


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


def documents_by_origin(overview: pd.DataFrame) -> pd.DataFrame:
    """``corpus_overview`` summed per origin group, in its columns (``doc_id`` says how many documents), for a
    corpus with more documents than a report lists one by one."""
    counts = [c for c in overview.columns if c == "n_words" or c == "n_sentences" or c.startswith("units_")]
    out = overview.groupby("author_origin", as_index=False)[counts].sum()
    n_docs = overview.groupby("author_origin")["doc_id"].size().to_numpy()
    return out.assign(doc_id=[f"{n:,} documents" for n in n_docs], author="", title="", outlet="", published="")


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
    labels: str,
    differences: pd.DataFrame | None = None,
) -> list[str]:
    """What this corpus cannot show, stated from its own numbers."""
    n_docs = overview.groupby("author_origin")["doc_id"].nunique()
    groups = ", ".join(f"{o} {n}" for o, n in n_docs.items())
    out = [
        f"{len(overview):,} documents in {len(n_docs)} origin groups ({groups}). A document is the unit of "
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
    out.append(f"The findings and figures rest on {labels}.")
    return out


def method(params: Params, ctx: FigureContext, differences: pd.DataFrame | None = None) -> list[str]:
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
        f"({', '.join(LABELS)}): the stance the author conveys toward the target in that sentence. The "
        f"classifier's labels are the {ctx.describe_labels('model')}; which labels each finding rests on is "
        "stated with it (Label source below).",
        "Compare: per document and target, the share of units with each label and the net stance index "
        "(favor − against) / units, from −1 to +1; per origin group, the mean over its documents, so each document "
        f"counts once however long. Intervals: {ctx.bootstrap_phrase()}; for a group of one document only its "
        f"sentences can be resampled.{tests}",
        "Framing: the vocabulary each origin uses more than the others in sentences about a target (log-odds "
        "with an informative Dirichlet prior scaled to "
        f"{params.compare.log_odds.prior_scale:,g} pseudo-tokens); {len(params.frames.categories)} "
        "frame-lexicon categories counted per 1,000 words (params.yaml frames); actor salience and "
        "co-occurrence from the gazetteer. Method and its checks: docs/method.md.",
    ]
    steps.append(
        f"Report: figures drawn with the colour-blind-safe palette '{ctx.palette.name}' "
        f"({ctx.palette.source}) at journal column widths; every number here is computed by `dvc repro`."
    )
    return steps
