"""Importing a filled task file as an annotation pass (``annotate import``).

``import_pass`` reads a filled CSV task table or a Label Studio JSON
export, checks every row against the draw record of its sample and against
the corpus, and only then writes ``passes/<pass_id>.csv`` (atomically), so
a refused file leaves nothing behind. Each refusal is one line naming the
file, the row as a spreadsheet numbers it (header = row 1) or the Label
Studio task, and the column.

A row whose ``label``, ``basis`` and ``note`` are all empty was not labelled
in this sitting and is left out; the import says how many. An empty basis
on a ``neutral`` label is recorded as ``text`` (STANCE-SPEC v2: a neutral
label has basis text).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.annotation.labelstudio import LabelStudioExportError, export_rows
from pipeline.annotation.passes import BASES, PASS_COLUMNS, PASSES_DIR, AnnotationError, read_passes
from pipeline.annotation.tasks import TASK_COLUMNS, UNIT_KEY, read_sample, sample_path, unmark, write_csv
from pipeline.paths import LABELS
from pipeline.text import sentence_key

ANNOTATOR_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
FILLED_COLUMNS = [c for c in TASK_COLUMNS if c not in ("context_before", "context_after")]


@dataclass(frozen=True)
class _Place:
    """Formats a refusal: ``<file>: row 5, column label: <what is wrong>``."""

    path: Path
    noun: str  # "column" (CSV) or "field" (Label Studio)

    def error(self, where: str, column: str, message: str) -> AnnotationError:
        return AnnotationError(f"{self.path}: {where}, {self.noun} {column}: {message}")


def read_filled(path: Path) -> tuple[pd.DataFrame, _Place]:
    """The rows of a filled task file (CSV, or Label Studio JSON export by its ``.json`` suffix), all text."""
    path = Path(path)
    if not path.is_file():
        raise AnnotationError(f"{path}: not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationError(f"{path}: not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8' (or UTF-8 JSON)") from None
    if path.suffix.lower() == ".json":
        try:
            return export_rows(json.loads(text), path), _Place(path, "field")
        except json.JSONDecodeError as exc:
            raise AnnotationError(f"{path}: not valid JSON (line {exc.lineno}): {exc.msg}") from None
        except LabelStudioExportError as exc:
            raise AnnotationError(str(exc)) from None
    header = text.split("\n", 1)[0]
    separator = max(",;\t", key=header.count)  # spreadsheets in some locales save with ';'
    try:
        rows = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise AnnotationError(f"{path}: not a readable CSV table: {exc}") from None
    missing = [c for c in FILLED_COLUMNS if c not in rows.columns]
    if missing:
        raise AnnotationError(
            f"{path}: row 1: missing column(s) {', '.join(missing)}; "
            f"a filled task file has the columns {', '.join(TASK_COLUMNS)}"
        )
    rows["where"] = [f"row {i + 2}" for i in range(len(rows))]
    return rows, _Place(path, "column")


def _unit_not_in_sample(
    row: pd.Series, sent_id: int, units: pd.DataFrame, sample_id: str, place: _Place
) -> AnnotationError:
    where, doc, target = row["where"], row["doc_id"], row["target"]
    if doc not in set(units["doc_id"]):
        return place.error(where, "doc_id", f"unknown unit: no document '{doc}' in the corpus")
    if target not in set(units["target"]):
        return place.error(where, "target", f"unknown unit: '{target}' is not a target of the corpus")
    in_corpus = ((units["doc_id"] == doc) & (units["sent_id"] == sent_id) & (units["target"] == target)).any()
    if in_corpus:
        return place.error(
            where,
            "sent_id",
            f"unit ({doc}, sentence {sent_id}, {target}) is not in sample "
            f"'{sample_id}'; import only the units that sample drew",
        )
    return place.error(where, "sent_id", f"unknown unit: '{doc}' has no sentence {sent_id} mentioning {target}")


def _check_label(row: pd.Series, place: _Place) -> tuple[str, str] | None:
    """(label, basis) of a labelled row, None for an unlabelled one."""
    label, basis = row["label"].strip().lower(), row["basis"].strip().lower()
    if not label:
        if basis or row["note"].strip():
            raise place.error(
                row["where"], "label", f"empty, but basis or note is filled; give the label ({', '.join(LABELS)})"
            )
        return None
    if label not in LABELS:
        raise place.error(row["where"], "label", f"'{row['label']}' is not a label; expected {', '.join(LABELS)}")
    if not basis and label == "neutral":
        basis = "text"
    if not basis:
        raise place.error(row["where"], "basis", f"empty; a {label} label needs basis text or context")
    if basis not in BASES:
        raise place.error(row["where"], "basis", f"'{row['basis']}' is not a basis; expected text or context")
    if label == "neutral" and basis == "context":
        raise place.error(
            row["where"],
            "basis",
            "neutral takes basis text (STANCE-SPEC v2: basis text "
            "'or the label is neutral'); context is for favor or against",
        )
    return label, basis


def validate_rows(
    rows: pd.DataFrame, place: _Place, units: pd.DataFrame, annotations: Path, earlier: pd.DataFrame, annotator: str
) -> tuple[str, pd.DataFrame]:
    """(sample_id, labelled rows with their sent_key), or the first refusal in file order."""
    if rows.empty:
        raise AnnotationError(f"{place.path}: no rows; nothing to import")
    sample_id = rows["sample_id"].iloc[0].strip()
    sample = read_sample(annotations, sample_id)
    if sample is None:
        raise place.error(
            rows["where"].iloc[0],
            "sample_id",
            f"no draw record {sample_path(annotations, sample_id)}; import only files written by `annotate export`",
        )
    drawn = {(d, int(s), t): k for d, s, t, k in sample[["doc_id", "sent_id", "target", "sent_key"]].to_numpy()}
    corpus_keys = set(units[UNIT_KEY].itertuples(index=False, name=None))
    mine = earlier[earlier["annotator"] == annotator]
    already = dict(zip(mine[UNIT_KEY].itertuples(index=False, name=None), mine["pass_id"]))
    seen: dict[tuple, str] = {}
    labelled = []
    for _, row in rows.iterrows():
        where = row["where"]
        if row["sample_id"].strip() != sample_id:
            raise place.error(
                where,
                "sample_id",
                f"'{row['sample_id']}', but the first row has '{sample_id}'; import one sample's file at a time",
            )
        if not row["sent_id"].strip().isdigit():
            raise place.error(where, "sent_id", f"'{row['sent_id']}' is not a sentence number")
        sent_id = int(row["sent_id"])
        key = drawn.get((row["doc_id"], sent_id, row["target"]))
        if key is None:
            raise _unit_not_in_sample(row, sent_id, units, sample_id, place)
        if sentence_key(unmark(row["sentence"])) != key:
            raise place.error(
                where,
                "sentence",
                f"changed since the export (sample '{sample_id}' has another "
                "text for this unit); restore the exported sentence",
            )
        unit = (row["doc_id"], key, row["target"])
        if unit not in corpus_keys:
            raise place.error(
                where,
                "sentence",
                "unknown unit: the corpus no longer has this sentence (cleaning or "
                "segmentation changed since the export); export a new sample",
            )
        if unit in seen:
            raise place.error(where, "sent_id", f"duplicate unit: {seen[unit]} has the same unit")
        seen[unit] = where
        label_basis = _check_label(row, place)
        if label_basis is None:
            continue
        if unit in already:
            raise place.error(
                where,
                "sent_id",
                f"unit already labelled by {annotator} in pass '{already[unit]}'; "
                "a unit has one label per annotator: delete that pass file to "
                "replace it with this one",
            )
        labelled.append(
            {
                "doc_id": unit[0],
                "sent_key": key,
                "target": unit[2],
                "sent_id": sent_id,
                "sentence": unmark(row["sentence"]),
                "label": label_basis[0],
                "basis": label_basis[1],
                "note": row["note"].strip(),
            }
        )
    if not labelled:
        raise AnnotationError(f"{place.path}: no labelled rows; fill label (and basis) before importing")
    return sample_id, pd.DataFrame(labelled)


def check_annotator(annotator: str | None, path: Path) -> str:
    if not annotator or not annotator.strip():
        raise AnnotationError(f"{path}: missing annotator: give --annotator ID (a short id such as your initials)")
    if not ANNOTATOR_ID.fullmatch(annotator.strip()):
        raise AnnotationError(
            f"{path}: annotator '{annotator}': use letters, digits, '.', '_' or '-' "
            "(at most 40, starting with a letter or digit)"
        )
    return annotator.strip()


def pass_path(annotations: Path, sample_id: str, annotator: str) -> Path:
    """``passes/<sample_id>-<annotator>.csv``, or ``...-2.csv`` and so on for a later sitting."""
    folder = Path(annotations) / PASSES_DIR
    path, number = folder / f"{sample_id}-{annotator}.csv", 1
    while path.exists():
        number += 1
        path = folder / f"{sample_id}-{annotator}-{number}.csv"
    return path


@dataclass(frozen=True)
class ImportedPass:
    path: Path
    sample_id: str
    n_labelled: int
    n_unlabelled: int


def import_pass(
    path: Path,
    units: pd.DataFrame,
    annotations: Path,
    *,
    annotator: str | None,
    model_based: bool,
    guide_version: str,
    date: str,
) -> ImportedPass:
    """Validate a filled task file completely, then record it as a new pass file."""
    path, annotations = Path(path), Path(annotations)
    annotator = check_annotator(annotator, path)
    rows, place = read_filled(path)
    sample_id, labelled = validate_rows(rows, place, units, annotations, read_passes(annotations), annotator)
    record = labelled.assign(
        annotator=annotator,
        annotator_kind="model" if model_based else "human",
        guide_version=guide_version,
        sample_id=sample_id,
        date=date,
    )[PASS_COLUMNS]
    out = pass_path(annotations, sample_id, annotator)
    write_csv(record, out)
    drawn = read_sample(annotations, sample_id)
    assert drawn is not None, "validate_rows refuses rows whose sample has no draw record"
    n_drawn = len(drawn)
    return ImportedPass(out, sample_id, len(record), n_drawn - len(record))
