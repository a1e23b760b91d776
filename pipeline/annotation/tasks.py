"""What an annotator sees, and the record of how it was drawn.

``annotate export`` draws units (``draw_sample``: simple random sampling
within each document x target cell) and writes two things:

- the **task table**, blinded: the sentence with the target's mentions
  marked ``[[like this]]``, the sentence before and after, the target, and
  empty ``label``, ``basis`` and ``note``. No model label, probability or
  gold label reaches it, so the annotation stays independent of the
  classifier it will be used to correct.
- the **draw record** ``samples/<sample_id>.csv``: the unit keys with their
  inclusion probability, so that estimators can weight the labelled units
  by design (and the pass importer can check that a labelled unit belongs
  to the sample).

A sample id reads ``<date>-<target|all>-n<N>-seed<S>-<digest>``: the
request that made it, plus the first 6 hex digits of a SHA-1 over the drawn
unit keys. The same request on the same corpus and labelled set gives the
same id (and an identical record); a different draw can never overwrite an
earlier record, because its units, and so its digest, differ.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from pipeline.io import atomic_path

TASK_COLUMNS = [
    "sample_id",
    "doc_id",
    "sent_id",
    "target",
    "sentence",
    "context_before",
    "context_after",
    "label",
    "basis",
    "note",
]
SAMPLE_COLUMNS = [
    "doc_id",
    "sent_key",
    "target",
    "sent_id",
    "inclusion_prob",
    "cell_size",
    "cell_n_drawn",
    "seed",
    "date",
    "guide_version",
]
UNIT_KEY = ["doc_id", "sent_key", "target"]
SAMPLES_DIR = "samples"
MARK_OPEN, MARK_CLOSE = "[[", "]]"


def mark_mentions(text: str, starts: list[int], ends: list[int]) -> str:
    """The sentence with each mention span wrapped in ``[[ ]]`` (overlapping spans merged)."""
    spans: list[list[int]] = []
    for start, end in sorted(zip(starts, ends)):
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    for start, end in reversed(spans):
        text = f"{text[:start]}{MARK_OPEN}{text[start:end]}{MARK_CLOSE}{text[end:]}"
    return text


def unmark(sentence: str) -> str:
    """The sentence without the mention marks, as the corpus has it."""
    return sentence.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def make_sample_id(drawn: pd.DataFrame, *, n: int, target: str | None, seed: int, date: str) -> str:
    """``<date>-<target|all>-n<N>-seed<S>-<digest of the drawn unit keys>`` (see the module docstring)."""
    keys = sorted("\t".join(map(str, key)) for key in drawn[UNIT_KEY].itertuples(index=False, name=None))
    digest = hashlib.sha1("\n".join(keys).encode("utf-8")).hexdigest()[:6]
    return f"{date}-{target or 'all'}-n{n}-seed{seed}-{digest}"


def draw_record(drawn: pd.DataFrame, *, seed: int, date: str, guide_version: str) -> pd.DataFrame:
    """The rows of ``samples/<sample_id>.csv``: one per drawn unit, in document and sentence order."""
    record = drawn.assign(seed=seed, date=date, guide_version=guide_version)[SAMPLE_COLUMNS]
    return record.sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)


def task_table(drawn: pd.DataFrame, sample_id: str) -> pd.DataFrame:
    """The blinded rows an annotator fills, in reading order (document, sentence, target).

    Only the columns in TASK_COLUMNS are built, from the unit's text and
    mention offsets, so nothing else on ``drawn`` (a model label, say) can leak.
    """

    def neighbour(column: str) -> pd.Series:
        return drawn[column].fillna("") if column in drawn else pd.Series("", index=drawn.index)

    marked = [
        mark_mentions(text, list(starts), list(ends))
        for text, starts, ends in zip(drawn["text"], drawn["mention_starts"], drawn["mention_ends"])
    ]
    tasks = pd.DataFrame(
        {
            "sample_id": sample_id,
            "doc_id": drawn["doc_id"],
            "sent_id": drawn["sent_id"].astype(int),
            "target": drawn["target"],
            "sentence": marked,
            "context_before": neighbour("context_before"),
            "context_after": neighbour("context_after"),
            "label": "",
            "basis": "",
            "note": "",
        },
        index=drawn.index,
    )
    return tasks.sort_values(["doc_id", "sent_id", "target"]).reset_index(drop=True)[TASK_COLUMNS]


def sample_path(annotations: Path, sample_id: str) -> Path:
    return Path(annotations) / SAMPLES_DIR / f"{sample_id}.csv"


def write_csv(table: pd.DataFrame, path: Path, *, for_spreadsheet: bool = False) -> None:
    """Atomic UTF-8 CSV; ``for_spreadsheet`` adds a byte-order mark so that Excel reads the text as UTF-8."""
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8-sig" if for_spreadsheet else "utf-8")


def read_sample(annotations: Path, sample_id: str) -> pd.DataFrame | None:
    """The draw record of ``sample_id``, or None when there is none."""
    path = sample_path(annotations, sample_id)
    if not sample_id or "/" in sample_id or not path.is_file():
        return None
    return pd.read_csv(path, dtype={"doc_id": str, "sent_key": str, "target": str}, keep_default_na=False)
