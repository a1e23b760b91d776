"""The unit of stance analysis: one row per (sentence, target) with a mention.

Classifiers, gold labels and evaluation all work on this table, so they
agree on what a row is.
"""
from __future__ import annotations

import pandas as pd

KEY = ["doc_id", "sent_id", "target"]
UNIT_COLUMNS = [*KEY, "sent_key", "text", "mention_starts", "mention_ends", "aliases", "alias_kinds", "other_targets"]


def stance_units(sentences: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Join mentions to their sentences; mention offsets become sentence-relative.

    ``other_targets`` lists the other targets mentioned in the same sentence,
    which matters for "Russia's war against Ukraine"-type sentences.
    """
    if mentions.empty:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    sent = sentences[["doc_id", "sent_id", "start_char", "sent_key", "text"]]
    m = mentions.merge(sent, on=["doc_id", "sent_id"], suffixes=("", "_sent"), validate="many_to_one")
    m["rel_start"] = m["start_char"] - m["start_char_sent"]
    m["rel_end"] = m["end_char"] - m["start_char_sent"]
    m = m.sort_values([*KEY, "rel_start"])
    units = (
        m.groupby(KEY, sort=True)
        .agg(
            sent_key=("sent_key", "first"),
            text=("text_sent", "first"),
            mention_starts=("rel_start", list),
            mention_ends=("rel_end", list),
            aliases=("alias", list),
            alias_kinds=("alias_kind", lambda s: sorted(set(s))),
        )
        .reset_index()
    )
    targets_in_sentence = units.groupby(["doc_id", "sent_id"])["target"].agg(list)
    units["other_targets"] = [
        sorted(t for t in targets_in_sentence[(d, s)] if t != tgt)
        for d, s, tgt in zip(units["doc_id"], units["sent_id"], units["target"])
    ]
    return units[UNIT_COLUMNS]
