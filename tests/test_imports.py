"""Imports with optional packages hidden (pipeline.imports): the package looks uninstalled inside the block
only, and the libraries imported that way behave as with a plain import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.imports import hidden

ROOT = Path(__file__).resolve().parents[1]


def test_a_hidden_package_looks_uninstalled_inside_the_block_only(tmp_path, monkeypatch):
    package = tmp_path / "probe_package_for_hidden"
    package.mkdir()
    (package / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    (package / "sub.py").write_text("VALUE = 2\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    with hidden("probe_package_for_hidden"):
        with pytest.raises(ModuleNotFoundError, match="probe_package_for_hidden"):
            import probe_package_for_hidden  # noqa: F401
        with pytest.raises(ModuleNotFoundError):
            import probe_package_for_hidden.sub  # noqa: F401
        assert set(sys.modules) == before  # nothing recorded as missing or loaded
    import probe_package_for_hidden.sub

    assert probe_package_for_hidden.sub.VALUE == 2
    monkeypatch.delitem(sys.modules, "probe_package_for_hidden")
    monkeypatch.delitem(sys.modules, "probe_package_for_hidden.sub")


def test_an_imported_package_is_not_hidden():
    with hidden("json"):
        import json as again

    assert again is json


TRUSTED_LISTS = """
import json, sys
{imports}
from skops.io import _trusted_types as t
lists = {{k: sorted(map(str, v)) for k, v in vars(t).items() if k.isupper() and isinstance(v, list)}}
print(json.dumps({{"lists": lists, "loaded": sorted(m for m in ("torch", "dask", "pytest") if m in sys.modules)}}))
"""


def _trusted_lists(imports: str) -> dict:
    code = TRUSTED_LISTS.format(imports=imports)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.slow
def test_skops_trusts_the_same_types_when_imported_without_torch_dask_and_pytest():
    """The model loader's trusted-type lists come from skops' walk over scikit-learn; hiding torch, dask and
    pytest (pipeline.classifiers.persist) skips only the array-API shims and test markers, which hold no estimator."""
    plain = _trusted_lists("import skops.io")
    lean = _trusted_lists("from pipeline.classifiers.persist import _skops_io; _skops_io()")
    assert lean["lists"] == plain["lists"]
    assert len(plain["lists"]["SKLEARN_ESTIMATOR_TYPE_NAMES"]) > 100
    assert lean["loaded"] == []
