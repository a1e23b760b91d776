"""dvc.yaml cannot drift from the code: each stage's code deps are exactly its import closure,
stages are listed in the CLI's run order, every out persists, and the package's import graph is sound."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from import_closure import PACKAGE, ROOT, closure, imported, module_file

from pipeline.cli import STAGES

DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
MAX_LINES = 300


def code_deps(stage: str) -> set[Path]:
    """The .py files a stage's deps name under pipeline/ (a folder counts as every .py file in it)."""
    found: set[Path] = set()
    for dep in DVC[stage]["deps"]:
        path = ROOT / dep
        if not dep.startswith("pipeline/"):
            continue
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        found |= {p.relative_to(ROOT) for p in files}
    return found


@pytest.mark.parametrize("stage", list(STAGES))
def test_code_deps_equal_the_import_closure(stage):
    needed, listed = closure(stage), code_deps(stage)
    missing, extra = sorted(map(str, needed - listed)), sorted(map(str, listed - needed))
    assert not missing and not extra, f"dvc.yaml stage {stage}: missing deps {missing}; extra deps {extra}"


def test_stages_are_listed_in_run_order_and_run_through_the_launcher():
    assert list(DVC) == list(STAGES)
    for stage, spec in DVC.items():
        assert spec["cmd"] == f"sh bin/stage {stage}" and "bin/stage" in spec["deps"]


def test_the_lock_file_records_only_stages_dvc_yaml_has():
    """DVC never drops a removed stage from dvc.lock, and it re-parses and rewrites the whole lock (in
    pure Python) after every stage it runs, so a stale entry costs time in every run (docs/performance.md)."""
    lock = yaml.safe_load((ROOT / "dvc.lock").read_text(encoding="utf-8"))["stages"]
    assert sorted(lock) == sorted(DVC), f"dvc.lock has stages dvc.yaml lacks: {sorted(set(lock) - set(DVC))}"


def test_every_out_persists_and_each_stage_has_one_table_folder():
    for stage, spec in DVC.items():
        outs = [entry for key in ("outs", "metrics", "plots") for entry in spec.get(key, [])]
        for entry in outs:
            path, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
            assert options.get("persist") is True, f"{stage}: {path} is not persist: true"
            if path.startswith("outputs/tables/"):
                assert path == f"outputs/tables/{stage}", f"{stage} writes tables outside its folder: {path}"
            if path.startswith("outputs/metrics/"):
                assert path == f"outputs/metrics/{stage}.json"


def test_registry_stages_depend_on_the_project_plugins():
    for stage, spec in DVC.items():
        uses_registry = any(str(p).startswith(("pipeline/classifiers/", "pipeline/figures/")) for p in closure(stage))
        assert ("plugins" in spec["deps"]) == uses_registry, stage


def all_modules() -> list[str]:
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in PACKAGE.rglob("*.py"))


def test_no_stage_module_imports_another():
    for stage in STAGES:
        others = {f"pipeline.stages.{s}" for s in STAGES if s != stage}
        wrong = imported(module_file(f"pipeline.stages.{stage}")) & others
        assert not wrong, f"pipeline.stages.{stage} imports {sorted(wrong)}"


def test_the_import_graph_has_no_cycle():
    graph = {name: {n for n in imported(module_file(name)) if n != name} for name in all_modules()}
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph.get(nxt_name := name, set())):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*trail[trail.index(nxt) :], nxt_name, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, nxt_name])
        state[name] = 2

    for name in graph:
        if name not in state:
            visit(name, [])


def test_only_stage_modules_are_imported_by_no_one_but_the_cli():
    """No module reaches up into a stage: the stage modules are leaves of the import graph."""
    for name in all_modules():
        if name in ("pipeline.cli",) or name.startswith("pipeline.stages."):
            continue
        stages = {n for n in imported(module_file(name)) if n.startswith("pipeline.stages.")}
        assert not stages, f"{name} imports the stage module(s) {sorted(stages)}"


def test_modules_stay_readable_in_one_sitting():
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_nothing_outside_paths_spells_an_output_path():
    """Artefact paths live in pipeline/paths.py; a string literal starting outputs/ or models/ elsewhere
    in the package would be a second source of truth (docstrings and messages aside)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "paths.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and node.value.startswith(("outputs/", "models/", "corpus/"))
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert not offenders, offenders
