"""The stance-share plots declared in dvc.yaml render through `dvc plots show`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.figures import load_palette
from pipeline.paths import LABELS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_dvc_plots_show_fills_the_stance_share_template():
    declared = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["plots"]
    files = [next(iter(entry)) for entry in declared]
    assert "outputs/tables/compare/stance_by_group.csv" in files
    for rel in files:
        if not (ROOT / rel).is_file():
            pytest.skip(f"{rel} is missing: run `dvc repro` first")
    result = subprocess.run(
        [sys.executable, "-m", "dvc", "plots", "show", "--json"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    shown = json.loads(result.stdout)["data"]
    assert set(files) <= set(shown), result.stderr  # stage-level plots (confusion data) come too
    okabe = load_palette("okabe_ito")
    for rel in files:
        spec = shown[rel][0]["content"]
        rows = spec["data"]["values"]
        assert rows and all(f"share_{label}" in rows[0] for label in LABELS)
        assert "<DVC_METRIC" not in json.dumps(spec)  # every anchor filled
        colour = spec["spec"]["encoding"]["color"]["scale"]
        assert colour["domain"] == list(LABELS)
        assert colour["range"] == [okabe.stance[label] for label in LABELS]  # same colours as the figures
