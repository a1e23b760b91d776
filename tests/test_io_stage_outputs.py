"""io.StageOutputs: a stage's outputs are replaced together after the last is written, or not at all;
a folder output is always the complete old one, the complete new one, or absent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline import io


def fill(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """One folder output through StageOutputs (its destination relative to its parent)."""
    with io.StageOutputs(out.parent) as outputs:
        yield outputs.folder(out.name)


def test_new_folder_replaces_the_old_one_whole(tmp_path):
    out = tmp_path / "clean"
    fill(out, {"gone.txt": "a document since removed", "kept.txt": "old"})
    with staged_folder(out) as staging:
        assert staging.is_dir() and not any(staging.iterdir()) and staging.parent == out.parent
        fill(staging, {"kept.txt": "new"})
    assert contents(out) == {"kept.txt": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean"]  # no staging or old folder left


def test_first_write_creates_the_folder(tmp_path):
    with staged_folder(tmp_path / "outputs" / "figures") as staging:
        fill(staging, {"README.md": "x"})
    assert contents(tmp_path / "outputs" / "figures") == {"README.md": "x"}


def test_error_while_filling_keeps_the_old_folder(tmp_path):
    out = tmp_path / "clean"
    fill(out, {"a.txt": "old"})
    with pytest.raises(RuntimeError, match="boom"), staged_folder(out) as staging:
        fill(staging, {"a.txt": "half"})
        raise RuntimeError("boom")
    assert contents(out) == {"a.txt": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean"]


def test_failed_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    out = tmp_path / "clean"
    fill(out, {"a.txt": "old"})
    real_rename = os.rename

    def rename(src, dst):
        if Path(src).name == ".clean.staging":
            raise OSError(28, "No space left on device")
        real_rename(src, dst)

    monkeypatch.setattr(io.os, "rename", rename)
    with pytest.raises(OSError, match="No space left"), staged_folder(out) as staging:
        fill(staging, {"a.txt": "new"})
    assert contents(out) == {"a.txt": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean"]


def test_leftovers_of_a_swap_killed_between_its_renames_are_cleared(tmp_path):
    """Killed after moving the old folder aside: the output is absent (never partial); the next run recovers."""
    out = tmp_path / "clean"
    fill(tmp_path / ".clean.old", {"a.txt": "old"})
    fill(tmp_path / ".clean.staging", {"a.txt": "new, complete", "b.txt": "new"})
    with staged_folder(out) as staging:
        assert not any(staging.iterdir())  # a fresh staging folder, not the leftover
        fill(staging, {"a.txt": "rerun"})
    assert contents(out) == {"a.txt": "rerun"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean"]


def test_all_outputs_of_a_stage_change_together(tmp_path):
    fill(tmp_path / "tables", {"a.csv": "old"})
    (tmp_path / "metrics.json").write_text("old", encoding="utf-8")
    with io.StageOutputs(tmp_path) as out:
        fill(out.folder("tables"), {"a.csv": "new"})
        io.write_text(out.file("metrics.json"), "new")
        # nothing is replaced before the stage has written its last output
        assert contents(tmp_path / "tables") == {"a.csv": "old"}
        assert (tmp_path / "metrics.json").read_text(encoding="utf-8") == "old"
    assert contents(tmp_path / "tables") == {"a.csv": "new"}
    assert (tmp_path / "metrics.json").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json", "tables"]


def test_a_write_failure_in_the_middle_leaves_every_output_as_it_was(tmp_path):
    fill(tmp_path / "tables", {"a.csv": "old"})
    (tmp_path / "metrics.json").write_text("old", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"), io.StageOutputs(tmp_path) as out:
        fill(out.folder("tables"), {"a.csv": "new", "b.csv": "new"})
        raise OSError(28, "disk full")  # before the metrics were written
    assert contents(tmp_path / "tables") == {"a.csv": "old"}
    assert (tmp_path / "metrics.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json", "tables"]  # no temporaries left


def test_a_write_removes_leftovers_of_a_killed_writer_of_the_same_file(tmp_path):
    (tmp_path / ".a.txt.x1y2.tmp").write_text("half")
    (tmp_path / ".b.txt.x1y2.tmp").write_text("another file's")
    io.write_text(tmp_path / "a.txt", "whole")
    assert contents(tmp_path) == {"a.txt": "whole", ".b.txt.x1y2.tmp": "another file's"}


def test_writes_into_a_staging_folder_never_list_it(tmp_path, monkeypatch):
    """A staging folder starts empty, so writing its n files must not list it n times (quadratic at scale)."""
    with io.StageOutputs(tmp_path) as out:
        staging = out.folder("clean")

        def no_listing(self, pattern):
            raise AssertionError(f"listed {self} for {pattern}")

        monkeypatch.setattr(Path, "glob", no_listing)
        for name in ("d1.txt", "d2.txt"):
            io.write_text(staging / name, name)
        monkeypatch.undo()
    assert contents(tmp_path / "clean") == {"d1.txt": "d1.txt", "d2.txt": "d2.txt"}
