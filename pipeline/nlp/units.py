"""The unit of stance analysis: one row per (sentence, target) with a mention.

Classifiers, gold labels and evaluation all work on this table, so they
agree on what a row is.
"""

from __future__ import annotations

import numpy as np
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
    m = m.sort_values([*KEY, "rel_start"], kind="stable").reset_index(drop=True)
    # Rows are sorted, so each unit (and each sentence) is one run of rows: cut
    # the columns at the run boundaries instead of a Python aggregation per group.
    unit_starts = _run_starts(m[KEY])
    cuts = unit_starts[1:]
    units = m.loc[unit_starts, [*KEY, "sent_key", "text_sent"]].rename(columns={"text_sent": "text"})
    units = units.reset_index(drop=True)
    units["mention_starts"] = [a.tolist() for a in np.split(m["rel_start"].to_numpy(), cuts)]
    units["mention_ends"] = [a.tolist() for a in np.split(m["rel_end"].to_numpy(), cuts)]
    units["aliases"] = [a.tolist() for a in np.split(m["alias"].to_numpy(dtype=object), cuts)]
    units["alias_kinds"] = [sorted(set(a)) for a in np.split(m["alias_kind"].to_numpy(dtype=object), cuts)]
    sentence_cuts = _run_starts(units[["doc_id", "sent_id"]])[1:]
    units["other_targets"] = [
        [other for other in same if other != target]
        for same in np.split(units["target"].to_numpy(dtype=object), sentence_cuts)
        for target in same
    ]
    return units[UNIT_COLUMNS]


def _run_starts(keys: pd.DataFrame) -> np.ndarray:
    """Row positions where the key columns differ from the previous row."""
    values = keys.to_numpy(dtype=object)
    changed = np.ones(len(values), dtype=bool)
    changed[1:] = (values[1:] != values[:-1]).any(axis=1)
    return np.flatnonzero(changed)
