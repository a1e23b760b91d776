"""Importing a library without the optional packages it would load at import time and the pipeline never uses.

Some libraries import every optional package they can find, whether or not
the caller will use it, and a stage process pays for each one on every
run: thinc (under spaCy) imports torch to offer PyTorch layers; skops
imports every scikit-learn subpackage, so torch and dask through
scikit-learn's array-API shims; jsonschema (under Altair) builds 39
grammars of the optional rfc3987-syntax package for a URI format the
Vega-Lite schema never uses. Leaving them out saved 2-7 CPU-seconds per
stage of a cold ``dvc repro`` on the seeds (docs/performance.md).

:func:`hidden` makes such a package look uninstalled while one library
is imported, so the library takes the fallback it has for a missing
package. Each caller says why that fallback is exactly right for it.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from types import ModuleType


class _Hide(importlib.abc.MetaPathFinder):
    """A finder that answers "not installed" for the given top-level packages and their submodules."""

    def __init__(self, packages: frozenset[str]):
        self.packages = packages

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] in self.packages:
            raise ModuleNotFoundError(f"No module named '{fullname}' (hidden by pipeline.imports)", name=fullname)
        return None


@contextmanager
def hidden(*packages: str) -> Iterator[None]:
    """Inside the block, importing one of ``packages`` raises ModuleNotFoundError, as if it were not installed.

    A package already imported stays as it is (hiding it then would save
    nothing), and nothing in ``sys.modules`` changes: libraries that ask
    whether a package is loaded (``"torch" in sys.modules``) get the true
    answer. After the block the packages import normally again.
    """
    finder = _Hide(frozenset(p for p in packages if p not in sys.modules))
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
