"""The import closure of a stage: every pipeline module `python -m pipeline <stage>` can load.

Read from the source with ``ast`` (imports inside functions count too), so
tests/test_dvc_deps.py can compare it with the stage's code deps in dvc.yaml.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"
CLI_MODULES = ("pipeline.__main__", "pipeline.cli", "pipeline.params", "pipeline.paths")
"""What the CLI loads for every stage, before the stage module."""
REGISTRY_PACKAGES = ("pipeline.classifiers", "pipeline.figures")
"""Built-in plugin packages: pipeline.plugins imports every module in them once a stage uses the package."""


def module_file(name: str) -> Path | None:
    """The source file of a pipeline module or package, None for a name that is neither."""
    base = ROOT.joinpath(*name.split("."))
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def imported(path: Path) -> set[str]:
    """Pipeline modules a file imports, wherever the import statement sits."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.split(".")[0] == "pipeline")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pipeline":
            names.add(node.module)
            # `from pipeline.x import y`: y may itself be a module
            names.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if module_file(f"{node.module}.{alias.name}") is not None
            )
    return {n for n in names if module_file(n) is not None}


def with_parents(name: str) -> set[str]:
    """A module and the packages Python imports first (``a.b.c`` -> ``a``, ``a.b``, ``a.b.c``)."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def package_modules(package: str) -> set[str]:
    folder = ROOT.joinpath(*package.split("."))
    return {".".join(p.relative_to(ROOT).with_suffix("").parts) for p in folder.glob("*.py")}


def closure(stage: str) -> set[Path]:
    """Source files of every pipeline module the stage can import, as paths relative to the root."""
    todo = set().union(*(with_parents(n) for n in (*CLI_MODULES, f"pipeline.stages.{stage}")))
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for package in REGISTRY_PACKAGES:
            if name == package or name.startswith(package + "."):
                todo |= package_modules(package) - seen
        file = module_file(name)
        assert file is not None, name
        for found in imported(file):
            todo |= with_parents(found) - seen
    return {module_file(n).relative_to(ROOT) for n in seen}  # type: ignore[union-attr]
