"""Safety checks over the source: no remote code, no unverified deserialisation, every message documented.

These read the code of pipeline/ with ``ast`` (not grep, so comments and
strings do not count) and fail as soon as a module breaks a rule.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "pipeline").rglob("*.py"))
ERRORS_DOC = ROOT / "docs" / "errors.md"


def parsed() -> Iterator[tuple[Path, ast.Module]]:
    for path in SOURCES:
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def call_name(call: ast.Call) -> str:
    """Dotted name of the called function as written (``pickle.load``, ``warn``)."""
    parts = []
    func = call.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def test_sources_are_found():
    assert len(SOURCES) > 20 and any(p.name == "text.py" for p in SOURCES)


def test_no_call_enables_trust_remote_code():
    """transformers must never run code shipped with a model: trust_remote_code is only ever False."""
    offenders = []
    for path, tree in parsed():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "trust_remote_code" and not (
                        isinstance(kw.value, ast.Constant) and kw.value.value is False
                    ):
                        offenders.append(where(path, node))
            if isinstance(node, ast.Dict):  # kwargs built as a dict literal
                for key, value in zip(node.keys, node.values):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "trust_remote_code"
                        and not (isinstance(value, ast.Constant) and value.value is False)
                    ):
                        offenders.append(where(path, node))
    assert not offenders, f"trust_remote_code must be False (or absent): {offenders}"


def test_params_do_not_enable_remote_code():
    def keys(node) -> Iterator[tuple[str, object]]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield str(key), value
                yield from keys(value)
        elif isinstance(node, list):
            for item in node:
                yield from keys(item)

    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    assert all(value is not True for key, value in keys(params) if key == "trust_remote_code")


PICKLE_LOADERS = re.compile(
    r"(^|\.)(pickle\.loads?|joblib\.load|cloudpickle\.loads?|dill\.loads?|Unpickler|torch\.load)$"
)
SKOPS_LOADERS = re.compile(r"(^|\.)(sio|skops\.io)\.loads?$")


def test_nothing_is_unpickled():
    """No pickle-based loader anywhere (they run code when loaded, issue #17); fitted models are
    skops files (pipeline.classifiers.persist). ``torch.load(..., weights_only=True)`` is safe and exempt."""
    offenders = []
    for path, tree in parsed():
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or not PICKLE_LOADERS.search(call_name(call)):
                continue
            weights_only = any(
                kw.arg == "weights_only" and isinstance(kw.value, ast.Constant) and kw.value.value is True
                for kw in call.keywords
            )
            if not weights_only:
                offenders.append(f"{where(path, call)} {call_name(call)}")
    assert not offenders, f"pickle-based deserialisation: {offenders}"


def test_skops_loads_only_with_an_explicit_trusted_list():
    """skops builds only the types it is told to trust: every load names them (never ``trusted=True``)."""
    calls = []
    for path, tree in parsed():
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and SKOPS_LOADERS.search(call_name(call)):
                trusted = next((kw.value for kw in call.keywords if kw.arg == "trusted"), None)
                calls.append((where(path, call), trusted))
    assert calls, "the model loader (pipeline/classifiers/persist.py) should call skops"
    bad = [loc for loc, trusted in calls if trusted is None or isinstance(trusted, ast.Constant)]
    assert not bad, f"skops load without an explicit trusted list: {bad}"


def message_fragments(node: ast.expr) -> list[str]:
    """The literal parts of a message expression (f-string, string, or concatenation)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.BinOp):
        return message_fragments(node.left) + message_fragments(node.right)
    return []


def user_messages() -> Iterator[tuple[str, str]]:
    """(location, longest literal part) of every error raised, warning emitted and manifest row problem."""
    for path, tree in parsed():
        for node in ast.walk(tree):
            call = None
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = call_name(node.exc).rsplit(".", 1)[-1]
                if (name.endswith("Error") or name == "error") and name not in {
                    "NotImplementedError",
                    "AssertionError",
                }:
                    call = node.exc
            elif isinstance(node, ast.Call) and call_name(node) in {"warn", "problem"}:
                call = node
            if call is None or not call.args:
                continue
            message = call.args[-1] if call_name(call) == "problem" else call.args[0]
            fragments = [f.strip() for f in message_fragments(message)]
            longest = max(fragments, key=len, default="")
            if len(longest) >= 8:
                yield where(path, node), longest


def test_every_message_is_in_docs_errors_md():
    doc = ERRORS_DOC.read_text(encoding="utf-8")
    messages = list(user_messages())
    assert len(messages) > 60
    missing = [f"{loc}: {text!r}" for loc, text in messages if text not in doc]
    assert not missing, "add these messages to docs/errors.md:\n" + "\n".join(missing)


@pytest.mark.parametrize("snippet", ["nothing is written on an error", "PIPELINE_DEBUG", "InputWarning"])
def test_errors_doc_explains_the_conventions(snippet):
    assert snippet.lower() in ERRORS_DOC.read_text(encoding="utf-8").lower()
