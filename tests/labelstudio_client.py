"""Plays a person in Label Studio through its own SDK: project, tasks, annotations, JSON export.

Run by tests/test_labelstudio.py with the Python of ``.venv-labelstudio``
(made by ``make labelstudio``), whose label-studio-sdk is the version the
server itself pins, so client and server always match. It imports nothing
from the pipeline.

    python tests/labelstudio_client.py URL TOKEN TASKS.json CONFIG.xml ANSWERS.json EXPORT.json

ANSWERS maps "doc_id|sent_id|target" to [label, basis, note], or to null for
a task the annotator skips.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from label_studio_sdk import LabelStudio


def result(label: str, basis: str, note: str) -> list[dict]:
    """An annotation's result as the labelling interface submits it (one entry per control tag)."""

    def choice(name: str, value: str) -> dict:
        return {"from_name": name, "to_name": "sentence", "type": "choices", "value": {"choices": [value]}}

    entries = [choice("label", label), choice("basis", basis)]
    if note:
        entries.append({"from_name": "note", "to_name": "sentence", "type": "textarea", "value": {"text": [note]}})
    return entries


def main(url: str, token: str, tasks: str, config: str, answers: str, export: str) -> None:
    client = LabelStudio(base_url=url, api_key=token)
    project = client.projects.create(title="stance sample", label_config=Path(config).read_text(encoding="utf-8"))
    client.projects.import_tasks(id=project.id, request=json.loads(Path(tasks).read_text(encoding="utf-8")))
    wanted = json.loads(Path(answers).read_text(encoding="utf-8"))
    for task in client.tasks.list(project=project.id, page_size=100):
        data = task.data
        given = wanted[f"{data['doc_id']}|{data['sent_id']}|{data['target']}"]
        if given is None:
            client.annotations.create(id=task.id, result=[], was_cancelled=True)
        else:
            client.annotations.create(id=task.id, result=result(*given), was_cancelled=False)
    exported = b"".join(client.projects.exports.download_sync(id=project.id, export_type="JSON"))
    Path(export).write_bytes(exported)


if __name__ == "__main__":
    main(*sys.argv[1:])
