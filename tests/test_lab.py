"""`make lab`: the documented install brings everything the notebooks import, and the target
starts Jupyter Lab on notebooks/ from the venv, local only. Jupyter itself is never started here."""

from __future__ import annotations

import ast
import configparser
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def requirement_names(lines: str) -> set[str]:
    """Normalised distribution names of setup.cfg requirement lines (%(extra)s references skipped)."""
    return {canonical(Requirement(line).name) for line in lines.split("\n") if line.strip() and "%(" not in line}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def setup_cfg() -> configparser.ConfigParser:
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    return config


def notebook_imports(path: Path) -> set[str]:
    """Top-level module names the notebook's code cells import."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    modules = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_imports_come_from_the_default_install_or_the_lab_extra(path):
    config = setup_cfg()
    lab = config["options.extras_require"]["lab"]
    documented = requirement_names(config["options"]["install_requires"]) | requirement_names(lab)
    by_module = importlib.metadata.packages_distributions()
    third_party = sorted(notebook_imports(path) - set(sys.stdlib_module_names) - {"pipeline"})
    assert third_party, "the notebook imports no library at all?"
    missing = {
        module: by_module.get(module)
        for module in third_party
        if not {canonical(d) for d in by_module.get(module, [])} & documented
    }
    assert not missing, f"{path.name} imports modules that neither install_requires nor the lab extra bring: {missing}"


def test_lab_extra_brings_jupyter_lab_and_a_kernel():
    lab = requirement_names(setup_cfg()["options.extras_require"]["lab"])
    assert {"jupyterlab", "ipykernel"} <= lab


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_installs_the_extra_and_serves_notebooks_locally():
    # -n: print the commands without running them; -B: as if nothing were installed yet
    plan = subprocess.run(["make", "-n", "-B", "lab"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = plan.splitlines()
    install = [line for line in lines if "pip install" in line and ".[lab]" in line]
    start = [line for line in lines if "jupyter lab" in line]
    assert install and start, plan
    assert lines.index(install[-1]) < lines.index(start[-1])
    assert start[-1].startswith(".venv/bin/jupyter lab")
    assert {"--no-browser", "--ip=127.0.0.1", "--ServerApp.root_dir=notebooks"} <= set(start[-1].split())
