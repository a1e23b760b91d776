"""Label Studio as the annotation front end: import tasks, labelling config, and reading its JSON export.

The tasks carry the same fields as the CSV task table, so a Label Studio
export turns back into the same rows and goes through the same checks as a
filled spreadsheet (``pipeline.annotation.importing``). Written for Label
Studio 1.x's JSON export (Export > JSON): a list of tasks, each with its
``data`` and a list of ``annotations`` whose ``result`` holds one entry per
control tag (``from_name``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.io import atomic_path

# Names of the control tags; they are also the column names of the CSV task table.
LABEL, BASIS, NOTE = "label", "basis", "note"
DATA_FIELDS = ["sample_id", "doc_id", "sent_id", "target", "sentence", "context_before", "context_after"]

LABELLING_CONFIG = """\
<View>
  <Header value="Stance of the author toward: $target" size="4"/>
  <View style="color: #666666">
    <Text name="context_before" value="$context_before"/>
  </View>
  <View style="font-weight: bold; margin: 0.5em 0">
    <Text name="sentence" value="$sentence"/>
  </View>
  <View style="color: #666666">
    <Text name="context_after" value="$context_after"/>
  </View>
  <Header value="Label: the stance the author conveys toward the target in the marked sentence" size="5"/>
  <Choices name="label" toName="sentence" choice="single-radio" showInline="true" required="true">
    <Choice value="favor"/>
    <Choice value="against"/>
    <Choice value="neutral"/>
  </Choices>
  <Header value="Basis: text (the sentence's own words carry it, or the label is neutral) or context (the article's argument)" size="5"/>
  <Choices name="basis" toName="sentence" choice="single-radio" showInline="true" required="true">
    <Choice value="text"/>
    <Choice value="context"/>
  </Choices>
  <Header value="Note (optional)" size="5"/>
  <TextArea name="note" toName="sentence" rows="2" maxSubmissions="1" editable="true"/>
</View>
"""


class LabelStudioExportError(ValueError):
    """The file is not a Label Studio JSON export of our tasks."""


def config_path(tasks_path: Path) -> Path:
    """Where the labelling config goes: beside the tasks file, same name, ``.xml``."""
    return Path(tasks_path).with_suffix(".xml")


def import_tasks(tasks: pd.DataFrame) -> list[dict]:
    """Label Studio import tasks: one ``{"data": {...}}`` per row of the task table."""
    rows = tasks[DATA_FIELDS].astype({"sent_id": int}).to_dict(orient="records")
    return [{"data": row} for row in rows]


def write_tasks(tasks: pd.DataFrame, path: Path) -> tuple[Path, Path]:
    """Write the import tasks (JSON) and the labelling config (XML beside it); return both paths."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(import_tasks(tasks), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    xml = config_path(path)
    with atomic_path(xml) as tmp:
        tmp.write_text(LABELLING_CONFIG, encoding="utf-8")
    return path, xml


def _choice(result: list[dict], name: str) -> str:
    for item in result:
        if item.get("from_name") == name:
            choices = item.get("value", {}).get("choices") or [""]
            return str(choices[0])
    return ""


def _text(result: list[dict], name: str) -> str:
    for item in result:
        if item.get("from_name") == name:
            return " ".join(str(t) for t in item.get("value", {}).get("text") or [])
    return ""


def export_rows(export: object, where: Path | str) -> pd.DataFrame:
    """The annotated tasks of a Label Studio JSON export as task-table rows, with ``where`` ("task 3 (id 17)").

    Tasks without a submitted annotation are left out (not labelled in this
    pass); skipped (cancelled) annotations do not count. A task with two
    submitted annotations cannot be one annotator's pass and is refused.
    """
    if not isinstance(export, list) or not all(isinstance(t, dict) and "data" in t for t in export):
        raise LabelStudioExportError(
            f"{where}: not a Label Studio JSON export (a list of tasks with 'data'); "
            "in Label Studio use Export > JSON, not JSON-MIN or CSV"
        )
    rows = []
    for number, task in enumerate(export, start=1):
        label = f"task {number} (id {task.get('id', '?')})"
        submitted = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        if len(submitted) > 1:
            raise LabelStudioExportError(
                f"{where}: {label}: {len(submitted)} annotations (users "
                f"{sorted(str(a.get('completed_by')) for a in submitted)}); a pass is one annotator's labels: "
                "export a project (or a filtered view) with one annotation per task"
            )
        if not submitted:
            continue
        result = submitted[0].get("result") or []
        data = task["data"]
        rows.append(
            {
                **{field: data.get(field, "") for field in DATA_FIELDS},
                LABEL: _choice(result, LABEL),
                BASIS: _choice(result, BASIS),
                NOTE: _text(result, NOTE),
                "where": label,
            }
        )
    return pd.DataFrame(rows, columns=[*DATA_FIELDS, LABEL, BASIS, NOTE, "where"]).astype(str)
