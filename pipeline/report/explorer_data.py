"""The tables the sentence explorer embeds, shaped from the unit table with pandas and scikit-learn.

Everything here is a pure function of the units, so the page is the same
bytes for the same input. Only ``explorer_sentences`` carries sentence text,
and it is capped: the page holds at most ``max_sentences`` units, whatever
the corpus size. Counts (``origin_cells``) and term frequencies
(``term_points``) are computed over every unit and stay small because they
are aggregated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

UNIT_COLUMNS = (
    "doc_id",
    "author_origin",
    "target",
    "sent_id",
    "sentence",
    "mention_starts",
    "mention_ends",
    "label",
    "label_source",
    "gold_label",
    "model_label",
    "p_model",
)
UNIT_KEY = ["doc_id", "sent_id", "target"]
# The figure cells a reader drills into, plus the document: the cap spreads over these cells.
CELL = ["doc_id", "author_origin", "target", "label", "label_source"]
ALL_TARGETS = "(all targets)"
# Words of letters, optionally hyphenated: digits and the possessive "s" are not terms.
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}(?:-[^\W\d_]+)*\b"
# A term used once in a group is noise in a frequency plot.
MIN_TERM_USES = 2
POINT_COLUMNS = ["author_origin", "target", "term", "count_group", "count_rest", "per10k_group", "per10k_rest"]


def check_units(units: pd.DataFrame) -> None:
    missing = [column for column in UNIT_COLUMNS if column not in units.columns]
    if missing:
        raise ValueError(f"explorer: the unit table lacks columns {missing}")


def default_vectorizer() -> CountVectorizer:
    """English stop words out, words of letters only; the report may pass its own vectorizer instead."""
    return CountVectorizer(lowercase=True, token_pattern=TOKEN_PATTERN, stop_words="english", dtype=np.int64)


def draw_order(units: pd.DataFrame) -> np.ndarray:
    """A fixed pseudo-random rank per unit: round-robin over CELL, each cell in hash order.

    Every (document, target, label, label source) cell gives its first unit
    before any cell gives its second, so a cap keeps as many documents and
    figure cells as it can; the hash of the unit key makes the pick stable
    across runs and machines (pandas hashes with a fixed key).
    """
    hashes = pd.util.hash_pandas_object(units[UNIT_KEY], index=False).to_numpy()
    keyed = units[CELL].assign(_hash=hashes, _pos=np.arange(len(units)))
    keyed = keyed.sort_values(["_hash", "_pos"], kind="stable")
    keyed["_round"] = keyed.groupby(CELL, sort=False, dropna=False).cumcount()
    order = keyed.sort_values(["_round", "_hash", "_pos"], kind="stable")["_pos"].to_numpy()
    rank = np.empty(len(units), dtype=np.int64)
    rank[order] = np.arange(len(units))
    return rank


def first_mention_split(sentence: str, starts: Sequence[int], ends: Sequence[int]) -> tuple[str, str, str]:
    """(before, mention, after) around the earliest mention: the keyword-in-context columns.

    Offsets outside the sentence (a bad upstream row) fall back to the whole sentence as ``before``.
    """
    pairs = sorted(zip(list(starts), list(ends), strict=True))
    if not pairs or not 0 <= pairs[0][0] < pairs[0][1] <= len(sentence):
        return sentence, "", ""
    start, end = pairs[0]
    return sentence[:start], sentence[start:end], sentence[end:]


def explorer_sentences(units: pd.DataFrame, max_sentences: int, term_lists: pd.Series) -> pd.DataFrame:
    """At most ``max_sentences`` units (first in draw order), split for keyword-in-context display.

    ``draw`` is kept so the page can list a selection's units in the same
    round-robin order (spread over documents) when it shows only the first rows.
    """
    chosen = units.assign(draw=draw_order(units), terms=term_lists.to_numpy())
    chosen = chosen[chosen["draw"] < max_sentences]
    parts = [
        first_mention_split(*row)
        for row in chosen[["sentence", "mention_starts", "mention_ends"]].itertuples(index=False, name=None)
    ]
    before, mention, after = zip(*parts, strict=True) if parts else ((), (), ())
    table = pd.DataFrame(
        {
            "doc_id": chosen["doc_id"].astype(str).to_numpy(),
            "author_origin": chosen["author_origin"].astype(str).to_numpy(),
            "target": chosen["target"].astype(str).to_numpy(),
            "sent_id": chosen["sent_id"].astype(int).to_numpy(),
            "before": list(before),
            "mention": list(mention),
            "after": list(after),
            "n_mentions": chosen["mention_starts"].map(len).astype(int).to_numpy(),
            "label": chosen["label"].astype(str).to_numpy(),
            "label_source": chosen["label_source"].astype(str).to_numpy(),
            "gold_label": chosen["gold_label"].fillna("").astype(str).to_numpy(),
            "model_label": chosen["model_label"].astype(str).to_numpy(),
            "p_model": chosen["p_model"].astype(float).round(3).to_numpy(),
            "terms": chosen["terms"].to_numpy(),
            "draw": chosen["draw"].to_numpy(),
        }
    )
    return table.sort_values(UNIT_KEY, kind="stable").reset_index(drop=True)


def origin_cells(units: pd.DataFrame) -> pd.DataFrame:
    """Units and documents per (group, target, label, label source) over all units: the overview's bars."""
    cells = units.groupby(["author_origin", "target", "label", "label_source"], observed=True, sort=True).agg(
        units=("doc_id", "size"), documents=("doc_id", "nunique")
    )
    return cells.reset_index()


def _group_sums(rows: sparse.csr_matrix, keys: pd.DataFrame) -> tuple[pd.DataFrame, sparse.csr_matrix]:
    """Sum the term-count rows per distinct key row: (the keys, one summed row per key)."""
    codes, uniques = pd.MultiIndex.from_frame(keys).factorize(sort=True)
    indicator = sparse.csr_matrix(
        (np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(len(uniques), len(codes))
    )
    return uniques.to_frame(index=False, name=list(keys.columns)), (indicator @ rows).tocsr()


def term_points(
    units: pd.DataFrame, vectorizer: CountVectorizer, terms_per_view: int
) -> tuple[pd.DataFrame, pd.Series]:
    """Scattertext-style points: each term's count and rate per 10,000 terms in a group vs in the other groups.

    One view per (group, target) and per group over all targets (each
    sentence counted once there). A view keeps its ``terms_per_view`` most
    frequent terms used at least MIN_TERM_USES times. Returns the points and, per unit,
    the kept terms its sentence uses (space-delimited) so the page can list
    the sentences behind a term.
    """
    sentences = units[["doc_id", "sent_id", "author_origin", "sentence"]].drop_duplicates(["doc_id", "sent_id"])
    sentences = sentences.sort_values(["doc_id", "sent_id"], kind="stable").reset_index(drop=True)
    try:
        counts = vectorizer.fit_transform(sentences["sentence"]).tocsr()
    except ValueError as error:  # no units, or no sentence with a countable term: an empty term view
        if "empty vocabulary" not in str(error):
            raise
        return pd.DataFrame(columns=POINT_COLUMNS), pd.Series([" "] * len(units), dtype=object)
    vocabulary = vectorizer.get_feature_names_out()
    row_of = pd.MultiIndex.from_frame(sentences[["doc_id", "sent_id"]]).get_indexer(
        pd.MultiIndex.from_frame(units[["doc_id", "sent_id"]])
    )
    per_target = _group_sums(counts[row_of], units[["author_origin", "target"]].astype(str))
    per_origin = _group_sums(counts, sentences[["author_origin"]].astype(str).assign(target=ALL_TARGETS))
    views = [_view_points(keys, sums, vocabulary, terms_per_view) for keys, sums in (per_target, per_origin)]
    points = pd.concat(views, ignore_index=True).sort_values(["target", "author_origin", "term"], kind="stable")
    kept = np.isin(vocabulary, points["term"].unique())
    term_lists = _term_lists(counts[:, kept], vocabulary[kept])[row_of].reset_index(drop=True)
    return points.reset_index(drop=True), term_lists


def _view_points(
    keys: pd.DataFrame, sums: sparse.csr_matrix, vocabulary: np.ndarray, terms_per_view: int
) -> pd.DataFrame:
    """Per target, each group's most used terms with their counts and rates in the group and in the rest."""
    frames = []
    for target, rows in keys.groupby("target", sort=True).groups.items():
        block = sums[np.asarray(rows)].toarray()
        for position, origin in zip(range(len(rows)), keys.loc[rows, "author_origin"], strict=True):
            group, rest = block[position], block.sum(axis=0) - block[position]
            top = [i for i in np.lexsort((vocabulary, -group)) if group[i] >= MIN_TERM_USES][:terms_per_view]
            frames.append(
                pd.DataFrame(
                    {
                        "author_origin": origin,
                        "target": target,
                        "term": vocabulary[top],
                        "count_group": group[top],
                        "count_rest": rest[top],
                        "per10k_group": np.round(1e4 * group[top] / max(group.sum(), 1), 2),
                        "per10k_rest": np.round(1e4 * rest[top] / max(rest.sum(), 1), 2),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def _term_lists(counts: sparse.csr_matrix, vocabulary: np.ndarray) -> pd.Series:
    """' term1 term2 ' per row: delimited on both sides so the page can test ' term ' as a substring."""
    counts = counts.sorted_indices()
    bounds = zip(counts.indptr[:-1], counts.indptr[1:], strict=True)
    return pd.Series([" " + " ".join(vocabulary[counts.indices[a:b]]) + " " for a, b in bounds], dtype=object)
