"""A real Label Studio round trip: our tasks and config in, annotations submitted through its API, export imported.

Label Studio lives in its own virtual environment, ``.venv-labelstudio``
(``make labelstudio``; ``make test`` builds it under CI), with a migrated
empty database as a template, so a start takes seconds instead of the
minutes its migrations need. The server runs on 127.0.0.1 on a free port
with a temporary data folder and HOME, telemetry, error reporting and the
version check switched off, and is always stopped, whatever happens.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from annotation_data import DATE, GUIDE, LS_EXPORT, SEED, answer, corpus_units

from pipeline.annotation.cli import export_sample, import_file
from pipeline.annotation.passes import PASS_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
LS_VENV = ROOT / ".venv-labelstudio"
LS_TEMPLATE = LS_VENV / "template-data"
STARTUP_SECONDS = 180
CLIENT_SECONDS = 180
QUIET = {  # no traffic beyond localhost: error reports, usage analytics, the PyPI version check
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "COLLECT_ANALYTICS": "false",
    "LATEST_VERSION_CHECK": "false",
    "DISABLE_SIGNUP_WITHOUT_LINK": "true",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
}

pytestmark = [
    pytest.mark.labelstudio,
    pytest.mark.skipif(
        not (LS_VENV / "bin" / "label-studio").exists() or not LS_TEMPLATE.is_dir(),
        reason="Label Studio is not installed: run `make labelstudio` once (CI builds it)",
    ),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"Label Studio exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(f"Label Studio did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def label_studio(tmp_path) -> Iterator[tuple[str, str]]:
    """(url, API token) of a fresh Label Studio with one user, created non-interactively at start."""
    data = tmp_path / "ls-data"
    shutil.copytree(LS_TEMPLATE, data)
    port, token, log = free_port(), secrets.token_hex(20), tmp_path / "label-studio.log"
    env = {**os.environ, **QUIET, "HOME": str(tmp_path), "LABEL_STUDIO_BASE_DATA_DIR": str(data)}
    command = [
        str(LS_VENV / "bin" / "label-studio"),
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data),
        "--username",
        "annotator@example.org",
        "--password",
        secrets.token_urlsafe(16),
        "--user-token",
        token,
        "--enable-legacy-api-token",
    ]
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, server, log)
        yield url, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def shape(export: list[dict]) -> set[str]:
    """The key paths of an export (task, annotation, result entry), to compare a live one with the fixture."""
    annotated = next(t for t in export if any(not a["was_cancelled"] for a in t["annotations"]))
    annotation = next(a for a in annotated["annotations"] if not a["was_cancelled"])
    return (
        {f"task.{k}" for k in annotated}
        | {f"annotation.{k}" for k in annotation}
        | {f"result.{k}" for k in annotation["result"][0]}
    )


def test_label_studio_round_trip(label_studio, tmp_path):
    url, token = label_studio
    units, annotations = corpus_units(), tmp_path / "annotations"
    done = export_sample(
        units,
        annotations,
        n=12,
        min_per_cell=2,
        out=tmp_path / "tasks.json",
        fmt="labelstudio",
        seed=SEED,
        guide_version=GUIDE,
        date=DATE,
    )
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    keys = [f"{t['data']['doc_id']}|{t['data']['sent_id']}|{t['data']['target']}" for t in tasks]
    answers = {key: [*answer(*key.split("|")), ""] for key in keys}
    answers[keys[0]] = None  # skipped in Label Studio: not part of the pass
    answers[keys[1]][2] = "context: the next sentence says why"
    (tmp_path / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
    started = time.monotonic()
    subprocess.run(
        [
            str(LS_VENV / "bin" / "python"),
            str(ROOT / "tests" / "labelstudio_client.py"),
            url,
            token,
            str(tmp_path / "tasks.json"),
            str(tmp_path / "tasks.xml"),
            str(tmp_path / "answers.json"),
            str(tmp_path / "export.json"),
        ],
        check=True,
        timeout=CLIENT_SECONDS,
    )
    print(f"Label Studio client: {time.monotonic() - started:.1f} s for {len(tasks)} tasks")

    result = import_file(
        tmp_path / "export.json", units, annotations, annotator="LS1", guide_version=GUIDE, date="2026-12-01"
    )
    recorded = pd.read_csv(result.path, dtype=str, keep_default_na=False)
    assert list(recorded.columns) == PASS_COLUMNS
    assert (result.sample_id, result.n_labelled, result.n_unlabelled) == (done.sample_id, len(tasks) - 1, 1)
    got = {
        f"{d}|{s}|{t}": [label, basis, note]
        for d, s, t, label, basis, note in recorded[
            ["doc_id", "sent_id", "target", "label", "basis", "note"]
        ].to_numpy()
    }
    assert got == {key: value for key, value in answers.items() if value is not None}
    assert set(recorded["annotator"]) == {"LS1"} and set(recorded["annotator_kind"]) == {"human"}
    exported = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    assert shape(exported) == shape(json.loads(LS_EXPORT.read_text(encoding="utf-8")))
