"""Example sentences per target and label: gold-labelled sentences where gold labels exist, prose only.

An example should show what a label looks like, so it is drawn from the
gold labels when the run has them (the evaluate stage's out-of-fold table
carries each gold unit's label), and from the model's most confident units
only when it has none. Headings, titles and other fragments are never examples: a
sentence must end like a sentence, have a few words and not be its
document's title.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from pipeline.paths import KEY, LABELS

# Ends like a sentence: . ! ? or … possibly followed by closing quotes or brackets and a footnote number.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\d{0,3}\s*$")
MIN_WORDS = 6


def is_prose(text: str) -> bool:
    """A full sentence, not a heading, title or list fragment."""
    return bool(_SENTENCE_END.search(text)) and len(text.split()) >= MIN_WORDS


def _normalised(texts: pd.Series) -> pd.Series:
    return texts.fillna("").astype(str).str.split().str.join(" ").str.casefold()


def _is_title(units: pd.DataFrame) -> pd.Series:
    """Whether each unit's sentence is its document's title (a title can end like a sentence: 'A Crisis?')."""
    if "title" not in units.columns:
        return pd.Series(False, index=units.index)
    title = _normalised(units["title"])
    return (_normalised(units["text"]) == title) & (title != "")


def gold_labels(oof: pd.DataFrame | None) -> pd.DataFrame:
    """One gold label per unit (KEY + gold_label) from the out-of-fold table; empty without one."""
    if oof is None or oof.empty:
        return pd.DataFrame(columns=[*KEY, "gold_label"])
    gold = oof[[*KEY, "label"]].drop_duplicates(KEY).rename(columns={"label": "gold_label"})
    return gold.reset_index(drop=True)


def _spread(group: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first ``n`` rows, one per document before any document gives a second."""
    ranked = group.assign(_round=group.groupby("doc_id").cumcount())
    return ranked.sort_values("_round", kind="stable").head(n).drop(columns="_round")


def examples(
    stances: pd.DataFrame,
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    gold: pd.DataFrame,
    per_label: int,
) -> tuple[list[dict[str, Any]], str]:
    """Rows for the report's example table, and which labels chose them ('gold' or 'model').

    With gold labels: per target and gold label, the gold units the model gives
    the highest probability to that label (clear cases), spread over documents.
    Without: the units the model labelled with the highest probability.
    """
    source = "gold" if not gold.empty else "model"
    if source == "gold":  # the gold units first: only they get their sentence's text (memory: the gold share)
        units = stances.merge(gold, on=KEY, how="inner")
        units["shown"] = units["gold_label"]
    else:
        units = stances.assign(gold_label="", shown=stances["label"])
    units = units.merge(sentences[["doc_id", "sent_id", "text"]], on=["doc_id", "sent_id"], how="left")
    meta = documents[["doc_id", "author_origin", *(["title"] if "title" in documents.columns else [])]]
    units = units.merge(meta, on="doc_id", how="left")
    units = units[units["text"].fillna("").map(is_prose) & ~_is_title(units)]
    rows = []
    for (target, label), group in units.groupby(["target", "shown"], sort=True):
        p_label = group[f"p_{label}"] if label in LABELS else group[[f"p_{x}" for x in LABELS]].max(axis=1)
        ranked = group.assign(_p=p_label).sort_values(["_p", "doc_id", "sent_id"], ascending=[False, True, True])
        for r in _spread(ranked, per_label).itertuples():
            rows.append(
                {
                    "target": target,
                    "label": label,
                    "gold_label": r.gold_label,
                    "model_label": r.label,
                    "p": f"{getattr(r, f'p_{r.label}'):.2f}",
                    "doc_id": r.doc_id,
                    "sent_id": int(r.sent_id),
                    "author_origin": r.author_origin,
                    "text": r.text,
                }
            )
    return rows, source
