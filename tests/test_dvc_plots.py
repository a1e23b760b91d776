"""DVC reads well: the plots declared in dvc.yaml render through `dvc plots show`, offline, and the metrics
fit a terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from chromium import console_problems, offline_chromium

from pipeline import paths
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


def metric_columns(markdown: str) -> list[str]:
    """The column names of `dvc metrics show --md` (the Path column first)."""
    header = markdown.strip().splitlines()[0]
    return [cell.strip() for cell in header.strip("|").split("|")]


@pytest.mark.slow
def test_dvc_metrics_show_and_exp_show_fit_a_terminal():
    """About a dozen headline numbers per metrics file: `dvc metrics show` under 40 columns, and so are the
    metrics columns of `dvc exp show` (its params and dependency columns come from params.yaml and dvc.yaml)."""
    for rel in declared_metrics():
        if not (ROOT / rel).is_file():
            pytest.skip(f"{rel} is missing: run `dvc repro` first")
    shown = subprocess.run(
        [sys.executable, "-m", "dvc", "metrics", "show", "--md"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    columns = metric_columns(shown.stdout)
    assert columns[0] == "Path" and len(columns) < 40, columns
    for rel in declared_metrics():
        assert len(flat_keys(json.loads((ROOT / rel).read_text(encoding="utf-8")))) <= 14, rel
    experiments = subprocess.run(
        [sys.executable, "-m", "dvc", "exp", "show", "--no-pager", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    workspace = json.loads(experiments.stdout)[0]["data"]
    metric_names = {key for file in workspace["metrics"].values() for key in flat_keys(file["data"])}
    assert len(metric_names) < 40, sorted(metric_names)


def declared_metrics() -> list[str]:
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    return [next(iter(m)) for stage in stages.values() for m in stage.get("metrics", [])]


def flat_keys(data: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else key
        keys += flat_keys(value, name) if isinstance(value, dict) else [name]
    return keys


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from offline_chromium(tmp_path_factory)


@pytest.mark.slow
@pytest.mark.browser
def test_plain_dvc_plots_show_renders_offline(browser, tmp_path):
    """.dvc/config points `dvc plots show` at the report stage's template with Vega inlined: every chart
    draws in Chromium without network, and nothing is loaded from a CDN."""
    template = ROOT / paths.PLOTS_TEMPLATE
    if not template.is_file():
        pytest.skip(f"{paths.PLOTS_TEMPLATE} is missing: run `dvc repro` first")
    config = subprocess.run(
        [sys.executable, "-m", "dvc", "config", "plots.html_template"], cwd=ROOT, capture_output=True, text=True
    )
    assert (ROOT / ".dvc" / config.stdout.strip()).resolve() == template.resolve()
    subprocess.run(
        [sys.executable, "-m", "dvc", "plots", "show", "-o", str(tmp_path)], cwd=ROOT, capture_output=True, check=True
    )
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script src" not in page and "cdn.jsdelivr" not in page
    n_plots = page.count("vegaEmbed('#")
    assert n_plots >= 3, "the stance-share plots and the confusion matrices"
    browser.get((tmp_path / "index.html").as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    drawn = "return document.querySelectorAll('.vega-embed canvas, .vega-embed svg.marks').length"
    WebDriverWait(browser, 60, poll_frequency=0.2).until(lambda d: d.execute_script(drawn) == n_plots)
    marks = browser.execute_script(  # vega-embed's default renderer is SVG: count what each chart drew
        """return Array.from(document.querySelectorAll('.vega-embed svg.marks')).map(svg =>
            Array.from(svg.querySelectorAll('path, text, line')).filter(e => {
                const r = e.getBoundingClientRect(); return r.width > 0 || r.height > 0; }).length)"""
    )
    assert len(marks) == n_plots and min(marks) > 20, marks  # every chart drew marks, axes and text
    # Errors only: a blocked network request or a failed embed is SEVERE; Vega-Lite's compile notes on DVC's own
    # templates ("Dropping {} from channel row") and vega-embed's version notice are warnings.
    errors = [p["message"] for p in console_problems(browser) if p["level"] == "SEVERE"]
    assert not errors, errors
