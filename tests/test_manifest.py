from pathlib import Path

import pytest

from pipeline import paths
from pipeline.ingestion.manifest import REQUIRED_COLUMNS, ManifestError, load_manifest

ORIGINS = ["Ukrainian", "Indian", "Russian"]
HEADER = ",".join(REQUIRED_COLUMNS)


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    (tmp_path / "raw").mkdir(exist_ok=True)
    (tmp_path / "raw" / "a.txt").write_text("Russia and Ukraine.", encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return manifest


def row(doc_id="a", path="raw/a.txt", origin="Indian") -> str:
    return f"{doc_id},{path},T,Au,Af,O,{origin},b,2020,2020,n"


def test_valid_manifest_resolves_paths(tmp_path):
    df = load_manifest(write(tmp_path, row()), ORIGINS)
    assert df.loc[0, "doc_id"] == "a"
    assert Path(df.loc[0, "abs_path"]) == (tmp_path / "raw" / "a.txt").resolve()


def test_seed_manifest_is_valid(params):
    df = load_manifest(params.root / paths.MANIFEST, params.corpus.origins)
    assert len(df) == 5 and df["doc_id"].is_unique


@pytest.mark.parametrize(
    "rows, message",
    [
        ((row(path="raw/missing.txt"),), r"row 2, column 'path': file not found"),
        ((row(), row()), r"row 3, column 'doc_id': duplicate doc_id 'a' \(first at row 2\)"),
        ((row(origin=""),), r"row 2, column 'author_origin': is empty"),
        ((row(origin="Martian"),), r"row 2, column 'author_origin': unknown origin 'Martian'"),
        ((row(path="../outside.txt"),), r"row 2, column 'path': '../outside.txt' is outside the corpus folder"),
        ((row(path="/etc/passwd"),), r"row 2, column 'path': '/etc/passwd' is outside the corpus folder"),
        ((row(doc_id=""),), r"row 2, column 'doc_id': is empty"),
    ],
)
def test_bad_rows_name_row_and_column(tmp_path, rows, message):
    manifest = write(tmp_path, *rows)
    with pytest.raises(ManifestError, match=message) as info:
        load_manifest(manifest, ORIGINS)
    assert str(manifest) in str(info.value)


def test_missing_and_extra_columns(tmp_path):
    with pytest.raises(ManifestError, match=r"missing column\(s\) \['notes'\]"):
        load_manifest(write(tmp_path, header=HEADER.removesuffix(",notes")), ORIGINS)
    with pytest.raises(ManifestError, match=r"unknown column\(s\) \['extra'\]"):
        load_manifest(write(tmp_path, row() + ",x", header=HEADER + ",extra"), ORIGINS)
