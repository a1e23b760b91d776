"""Atomic, deterministic writers for every file a stage produces, and the stage's output transaction.

Each writer renders into a temporary file in the destination folder and
renames it into place, so an interrupted stage never leaves a half-written
file that looks complete (rename is atomic on one filesystem).
:class:`StageOutputs` goes one step further for a whole stage: every output
is staged beside its destination and all are renamed into place only after
the stage wrote the last of them, so an error leaves every output as it was.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import paths

HOLD_ENV = "PIPELINE_HOLD_BEFORE_RENAME"
"""Test hook: when set to a file (or folder) name, its writer stops just before the rename.

tests/test_interrupt.py sets it, waits for the ``holding`` line on stderr and
kills the stage there with SIGKILL, the worst moment for an interruption.
"""

_UMASK = os.umask(0)
os.umask(_UMASK)


STAGING_SUFFIX = ".staging"
"""A folder output is written into ``.<name>.staging`` beside it (StageOutputs.folder)."""


def _is_staging_folder(folder: Path) -> bool:
    return folder.name.startswith(".") and folder.name.endswith(STAGING_SUFFIX)


def _temporary_beside(path: Path) -> Path:
    """A new empty ``.<name>.<random>.tmp`` beside ``path`` (0666 minus umask), after removing the
    leftovers of a killed earlier writer of the same file."""
    # Listing the folder per file would make writing n files into one folder quadratic (ingest writes two
    # per document into its staging folder, which StageOutputs.folder made empty: nothing stale there).
    if not _is_staging_folder(path.parent):
        for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
            stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)
    return Path(tmp)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary file is ``.<name>.<random>.tmp`` in the same folder (same
    filesystem, so the rename is atomic); leftovers of a killed earlier
    writer of the same file are removed first (not in a staging folder,
    which starts empty). The file gets the usual
    permissions (0666 minus umask), not mkstemp's owner-only 0600.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = _temporary_beside(path)
    try:
        yield tmp_path
        if os.environ.get(HOLD_ENV) == path.name:
            _hold(tmp_path)
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


class StageOutputs:
    """All outputs of one stage, committed together after everything was written, or not at all.

    ``file(path)`` and ``folder(path)`` hand out a staging path beside each
    destination (a hidden temporary file, or an empty hidden folder); the
    stage writes there. When the ``with`` block ends without an error, every
    staged output is renamed onto its destination in the order it was
    registered (a folder is swapped whole, renamed aside, the new one in, then the old deleted, so no
    stale file of an earlier run survives in it); on any exception nothing
    is replaced and the staged files are removed. DVC runs the stages with
    ``persist: true``, so a refused input leaves every earlier output in
    place. Between the renames of the commit only a kill or a failing rename
    could leave some outputs new and others old; DVC then reports the stage
    as changed.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._staged: list[tuple[Path, Path, bool]] = []  # (staging path, destination, is a folder)
        self._made: list[Path] = []  # folders created for staging, removed again (if empty) on failure

    def __enter__(self) -> StageOutputs:
        return self

    def file(self, relative: str | Path) -> Path:
        """A temporary file to write the output ``relative`` (to the project root) into."""
        path = self.root / relative
        self._make_parents(path)
        tmp = _temporary_beside(path)
        self._staged.append((tmp, path, False))
        return tmp

    def folder(self, relative: str | Path) -> Path:
        """An empty staging folder for the folder output ``relative``; it replaces the old folder whole."""
        path = self.root / relative
        staging = path.with_name(f".{path.name}{STAGING_SUFFIX}")
        for leftover in (staging, path.with_name(f".{path.name}.old")):
            shutil.rmtree(leftover, ignore_errors=True)
        self._make_parents(staging)
        staging.mkdir()
        self._staged.append((staging, path, True))
        return staging

    def _make_parents(self, path: Path) -> None:
        """Create ``path``'s missing parent folders, remembering them so a failed stage leaves none behind."""
        missing = [p for p in path.parents if not p.exists()]
        path.parent.mkdir(parents=True, exist_ok=True)
        self._made.extend(missing)  # deepest first

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                for staged, destination, is_folder in self._staged:
                    if os.environ.get(HOLD_ENV) == destination.name:
                        _hold(staged)
                    if is_folder:
                        _swap_folder(staged, destination)
                    else:
                        os.replace(staged, destination)
        finally:
            for staged, _, is_folder in self._staged:
                if is_folder:
                    shutil.rmtree(staged, ignore_errors=True)
                else:
                    staged.unlink(missing_ok=True)
            if exc_type is not None:
                for made in self._made:
                    if made.is_dir() and not any(made.iterdir()):
                        made.rmdir()


def _swap_folder(staging: Path, path: Path) -> None:
    """Rename the old folder aside (``.<name>.old``), the staged one in, then delete the old.

    Deleting first and renaming after would leave, if killed while deleting,
    a half-emptied folder that looks like an output. This way ``path`` holds
    the complete old folder or the complete new one; a kill between the two
    renames leaves it missing (DVC then reports the stage changed), never
    partial. If the second rename fails, the old folder is put back.
    """
    aside = path.with_name(f".{path.name}.old")
    had_old = path.exists()
    if had_old:
        os.rename(path, aside)
    try:
        os.rename(staging, path)
    except BaseException:
        if had_old:
            os.rename(aside, path)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _hold(tmp_path: Path) -> None:
    print(f"holding {tmp_path} before rename ({HOLD_ENV})", file=sys.stderr, flush=True)
    while True:
        time.sleep(60)


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def write_parquet(df: pd.DataFrame, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        df.reset_index(drop=True).to_parquet(tmp, index=False, engine="pyarrow")


def read_parquet(path: str | Path, columns: list[str] | None = None, doc_ids: list[str] | None = None) -> pd.DataFrame:
    """The table at ``path``, schema-checked; only ``columns`` and the rows of ``doc_ids`` when given.

    Reading only what a stage needs keeps its memory bounded by that share
    of a large corpus (Parquet filters skip the other rows as they are read).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not found; run the stage that writes it first")
    check_parquet(path)
    if doc_ids is None:
        return pd.read_parquet(path, engine="pyarrow", columns=columns)
    if not doc_ids:  # Arrow cannot type an empty value set
        return empty_table(path, columns)
    return pd.read_parquet(path, engine="pyarrow", columns=columns, filters=[("doc_id", "in", doc_ids)])


def empty_table(path: Path, columns: list[str] | None) -> pd.DataFrame:
    """No rows, with the file's columns (or ``columns``) and their types."""
    schema = pq.read_schema(path)
    return schema.empty_table().select(columns or schema.names).to_pandas()


def check_parquet(path: Path) -> None:
    """ValueError naming the file and a column it lacks or mistypes (paths.schema_problem), not Arrow's."""
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        raise ValueError(f"{path}: not a readable Parquet file ({exc}); rerun the stage that writes it") from None
    problem = paths.schema_problem(path, {field.name: str(field.type) for field in schema})
    if problem:
        raise ValueError(problem)


def parquet_schema(dtypes: dict[str, str]) -> pa.Schema:
    """The schema (with pandas metadata) pandas writes for a frame of these column dtypes."""
    empty = pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in dtypes.items()})
    return pa.Schema.from_pandas(empty, preserve_index=False)


class ParquetRowGroupWriter:
    """Write one Parquet file a row group at a time, atomically.

    A stage that collects a whole table before writing needs memory in
    proportion to the corpus; with this writer it writes each partition as
    soon as it is done. The file appears under its name only when the
    ``with`` block ends without an error; otherwise the partial file is
    deleted and any previous version stays. Every row group is converted
    with one schema (``schema``, or the first frame's), so the file's types
    do not depend on which values a partition happens to hold. A file
    written in one row group is byte-identical to :func:`write_parquet`'s.
    """

    def __init__(self, path: str | Path, schema: pa.Schema | None = None):
        self.path = Path(path)
        self.schema = schema
        self.rows = 0
        self._atomic: Any = None
        self._tmp: Path | None = None
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> ParquetRowGroupWriter:
        self._atomic = atomic_path(self.path)
        self._tmp = self._atomic.__enter__()
        return self

    def write(self, df: pd.DataFrame) -> None:
        """Append ``df`` as one row group; an empty frame adds no row group."""
        table = pa.Table.from_pandas(df.reset_index(drop=True), schema=self.schema, preserve_index=False)
        if self._writer is None:
            self.schema = self.schema or table.schema
            self._writer = pq.ParquetWriter(self._tmp, self.schema)
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows

    def _finish(self) -> None:
        if self._writer is None:
            if self.schema is None:
                raise ValueError(f"{self.path}: no rows written and no schema given")
            self._writer = pq.ParquetWriter(self._tmp, self.schema)
        if self.rows == 0 and self.schema is not None:  # one empty row group, as pandas writes an empty frame
            self._writer.write_table(self.schema.empty_table())

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool | None:
        try:
            if exc_type is None:
                self._finish()
        except BaseException as error:
            exc_type, exc, tb = type(error), error, error.__traceback__
            raise
        finally:
            if self._writer is not None:
                self._writer.close()
            self._atomic.__exit__(exc_type, exc, tb)
        return None
