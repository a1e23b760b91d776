"""annotate export / import: blinded task files, draw records, pass files and every refusal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from annotation_data import DATE, GUIDE, LS_EXPORT, SEED, answer, corpus_tables, corpus_units

from pipeline.annotation.cli import export_sample, guide_version, import_file
from pipeline.annotation.labelstudio import DATA_FIELDS, LABELLING_CONFIG
from pipeline.annotation.passes import PASS_COLUMNS, AnnotationError, disagreements, read_adjudication, read_passes
from pipeline.annotation.tasks import SAMPLE_COLUMNS, TASK_COLUMNS, mark_mentions, unmark
from pipeline.cli import main as cli_main
from pipeline.text import sentence_key

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return corpus_units()


def export(units, tmp_path, name="tasks.csv", **kwargs):
    options = {"n": 40, "seed": SEED, "guide_version": GUIDE, "date": DATE, **kwargs}
    return export_sample(units, tmp_path / "annotations", out=tmp_path / name, **options)


def read_tasks(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def fill(tasks: pd.DataFrame) -> pd.DataFrame:
    filled = tasks.copy()
    answers = [answer(d, s, t) for d, s, t in zip(filled["doc_id"], filled["sent_id"], filled["target"])]
    filled["label"], filled["basis"] = zip(*answers)
    return filled


def write(table: pd.DataFrame, path: Path) -> Path:
    table.to_csv(path, index=False)
    return path


def do_import(units, tmp_path, path, annotator="AB", **kwargs):
    return import_file(
        path, units, tmp_path / "annotations", annotator=annotator, guide_version=GUIDE, date="2026-12-01", **kwargs
    )


# --- what the annotator sees --------------------------------------------------------------


def test_mentions_are_marked_and_unmarked():
    assert mark_mentions("Russia and Kyiv and Russia", [0, 20], [6, 26]) == "[[Russia]] and Kyiv and [[Russia]]"
    assert mark_mentions("Russian Federation", [0, 0], [7, 18]) == "[[Russian Federation]]"
    assert unmark("[[Russia]] and Kyiv") == "Russia and Kyiv"


def test_task_file_is_blinded(units, tmp_path):
    """Model labels and probabilities on the unit table never reach the task file."""
    with_model = units.assign(label="favor", predicted="against", p_favor=0.9, p_against=0.05, p_neutral=0.05)
    export(with_model, tmp_path)
    tasks = read_tasks(tmp_path / "tasks.csv")
    assert list(tasks.columns) == TASK_COLUMNS
    assert (tasks[["label", "basis", "note"]] == "").all().all()
    text = (tmp_path / "tasks.csv").read_text(encoding="utf-8-sig")
    assert "against" not in text and "0.9" not in text
    export(with_model, tmp_path, name="tasks.json", fmt="labelstudio")
    ls_tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert all(set(task) == {"data"} and list(task["data"]) == DATA_FIELDS for task in ls_tasks)
    assert "against" not in json.dumps([t["data"] for t in ls_tasks])
    assert (tmp_path / "tasks.xml").read_text(encoding="utf-8") == LABELLING_CONFIG


def test_task_rows_show_marked_sentence_and_context(units, tmp_path):
    export(units, tmp_path)
    row = read_tasks(tmp_path / "tasks.csv").query("doc_id == 'doc-a' and sent_id == '6' and target == 'ukraine'")
    assert (
        row["sentence"].item() == "In doc-a, paragraph 6 says that Russia acted and that [[Kyiv]] answered (“quoted”)."
    )
    assert row["context_before"].item().startswith("In doc-a, paragraph 5 says")
    assert row["context_after"].item().startswith("In doc-a, paragraph 7 says")


def test_draw_record(units, tmp_path):
    done = export(units, tmp_path)
    record = pd.read_csv(done.files[-1], dtype={"sent_key": str})
    tasks = read_tasks(tmp_path / "tasks.csv")
    assert done.files[-1] == tmp_path / "annotations" / "samples" / f"{done.sample_id}.csv"
    assert done.sample_id.startswith(f"{DATE}-all-n40-seed{SEED}-")
    assert list(record.columns) == SAMPLE_COLUMNS
    assert set(tasks["sample_id"]) == {done.sample_id}
    assert len(record) == len(tasks) == done.n_units
    assert record[["seed", "date", "guide_version"]].astype(str).drop_duplicates().values.tolist() == [
        [str(SEED), DATE, GUIDE]
    ]
    assert (record["inclusion_prob"] == record["cell_n_drawn"] / record["cell_size"]).all()
    cells = units.groupby(["doc_id", "target"]).size()
    drawn = record.groupby(["doc_id", "target"]).size()
    assert (drawn >= cells.clip(upper=15)).all() and drawn.index.equals(cells.index)
    keyed = units.merge(record, on=["doc_id", "sent_key", "target", "sent_id"])
    assert len(keyed) == len(record)


def test_sample_id_is_deterministic_and_unique_per_draw(units, tmp_path):
    first = export(units, tmp_path / "a")
    again = export(units, tmp_path / "b")
    other = export(units, tmp_path / "c", seed=SEED + 1)
    assert first.sample_id == again.sample_id and first.sample_id != other.sample_id
    assert first.files[-1].read_bytes() == again.files[-1].read_bytes()


def test_export_draws_only_unlabelled_units_and_refuses_to_overwrite(units, tmp_path):
    done = export(units, tmp_path)
    do_import(units, tmp_path, write(fill(read_tasks(tmp_path / "tasks.csv")), tmp_path / "filled.csv"))
    second = export(units, tmp_path, name="more.csv", n=1000)

    def keys(record: Path) -> set[tuple]:
        return set(pd.read_csv(record)[["doc_id", "sent_key", "target"]].itertuples(index=False, name=None))

    assert keys(done.files[-1]).isdisjoint(keys(second.files[-1]))
    assert second.n_units == len(units) - done.n_units
    with pytest.raises(AnnotationError, match="tasks.csv: exists"):
        export(units, tmp_path)
    with pytest.raises(AnnotationError, match="a labelstudio task file needs a name ending in .json"):
        export(units, tmp_path, name="x.csv", fmt="labelstudio")
    with pytest.raises(AnnotationError, match="--target china: no units"):
        export(units, tmp_path, name="x.csv", target="china")


# --- importing a pass ---------------------------------------------------------------------


def test_csv_round_trip(units, tmp_path):
    done = export(units, tmp_path, target="russia")
    filled = fill(read_tasks(tmp_path / "tasks.csv"))
    filled.loc[filled["label"] == "neutral", "basis"] = ""  # a neutral label's basis is text
    filled.loc[0, "note"] = "context: see the next sentence"
    filled.loc[len(filled) - 2 :, ["label", "basis"]] = ""  # two units not labelled in this sitting
    result = do_import(units, tmp_path, write(filled, tmp_path / "filled.csv"))
    recorded = pd.read_csv(result.path, dtype=str, keep_default_na=False)
    assert result.path == tmp_path / "annotations" / "passes" / f"{done.sample_id}-AB.csv"
    assert list(recorded.columns) == PASS_COLUMNS
    assert (result.n_labelled, result.n_unlabelled) == (len(filled) - 2, 2)
    expected = filled.iloc[:-2]
    assert recorded["label"].tolist() == expected["label"].tolist()
    assert recorded["basis"].tolist() == [
        answer(d, s, t)[1] for d, s, t in expected[["doc_id", "sent_id", "target"]].to_numpy()
    ]
    assert recorded["note"].iloc[0] == "context: see the next sentence"
    assert recorded["sentence"].tolist() == [unmark(s) for s in expected["sentence"]]
    assert recorded["sent_key"].tolist() == [sentence_key(unmark(s)) for s in expected["sentence"]]
    assert set(recorded["target"]) == {"russia"}
    assert recorded[
        ["annotator", "annotator_kind", "guide_version", "sample_id", "date"]
    ].drop_duplicates().values.tolist() == [["AB", "human", GUIDE, done.sample_id, "2026-12-01"]]


def test_model_based_pass_and_spreadsheet_dialects(units, tmp_path):
    """A semicolon-separated file with a byte-order mark (as some Excel locales save it) imports too."""
    export(units, tmp_path)
    filled = fill(read_tasks(tmp_path / "tasks.csv"))
    filled["label"] = filled["label"].str.upper()
    filled.to_csv(tmp_path / "filled.csv", index=False, sep=";", encoding="utf-8-sig")
    result = do_import(units, tmp_path, tmp_path / "filled.csv", annotator="gpt-x.1", model_based=True)
    recorded = pd.read_csv(result.path)
    assert set(recorded["annotator_kind"]) == {"model"} and set(recorded["label"]) <= {"favor", "against", "neutral"}


def _mutate(table: pd.DataFrame, row: int, **values) -> pd.DataFrame:
    table = table.copy()
    for column, value in values.items():
        table.loc[row, column] = value
    return table


REFUSALS = {
    "unknown document": (lambda t: _mutate(t, 2, doc_id="doc-z"), "row 4, column doc_id: unknown unit"),
    "unknown target": (lambda t: _mutate(t, 2, target="china"), "row 4, column target: unknown unit"),
    "unknown sentence": (lambda t: _mutate(t, 2, sent_id="999"), "row 4, column sent_id: unknown unit"),
    "not a sentence number": (lambda t: _mutate(t, 2, sent_id="x"), "row 4, column sent_id: 'x' is not a sentence"),
    "changed sentence": (
        lambda t: _mutate(t, 3, sentence=t.loc[3, "sentence"].replace("says", "said")),
        "row 5, column sentence: changed since the export",
    ),
    "label outside": (lambda t: _mutate(t, 0, label="pro"), "row 2, column label: 'pro' is not a label"),
    "basis outside": (
        lambda t: _mutate(t, 1, label="favor", basis="vibe"),
        "row 3, column basis: 'vibe' is not a basis",
    ),
    "neutral with context": (
        lambda t: _mutate(t, 1, label="neutral", basis="context"),
        "row 3, column basis: neutral takes basis text",
    ),
    "favor without basis": (lambda t: _mutate(t, 1, label="favor", basis=""), "row 3, column basis: empty"),
    "note without label": (lambda t: _mutate(t, 1, label="", basis="", note="hm"), "row 3, column label: empty"),
    "duplicate unit": (
        lambda t: pd.concat([t, t.iloc[[1]]], ignore_index=True),
        "column sent_id: duplicate unit: row 3 has the same unit",
    ),
    "two samples": (
        lambda t: _mutate(t, 4, sample_id="2026-01-01-all-n1-seed1-abcdef"),
        "row 6, column sample_id: '2026-01-01-all-n1-seed1-abcdef', but the first row has",
    ),
    "unknown sample": (
        lambda t: t.assign(sample_id="2026-01-01-all-n1-seed1-abcdef"),
        "row 2, column sample_id: no draw record",
    ),
    "missing column": (lambda t: t.drop(columns="basis"), "row 1: missing column(s) basis"),
    "nothing labelled": (lambda t: t.assign(label="", basis=""), "no labelled rows"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_import_refusals(units, tmp_path, case):
    """Each refusal is one line naming the file, the row and the column; nothing is written."""
    export(units, tmp_path, target="russia")
    mutate, expected = REFUSALS[case]
    path = write(mutate(fill(read_tasks(tmp_path / "tasks.csv"))), tmp_path / "filled.csv")
    with pytest.raises(AnnotationError) as refused:
        do_import(units, tmp_path, path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message
    assert not (tmp_path / "annotations" / "passes").exists()


def test_unit_of_another_sample_is_refused(units, tmp_path):
    export(units, tmp_path, target="russia")
    other = units[(units["target"] == "ukraine")].iloc[0]
    tasks = fill(read_tasks(tmp_path / "tasks.csv"))
    tasks.loc[0, ["doc_id", "sent_id", "target"]] = [other["doc_id"], str(other["sent_id"]), "ukraine"]
    path = write(tasks, tmp_path / "filled.csv")
    with pytest.raises(
        AnnotationError,
        match=r"row 2, column sent_id: unit \(doc-a, sentence 0, ukraine\) is not in "
        r"sample '2026-11-29-russia-n40-seed7-",
    ):
        do_import(units, tmp_path, path)


def test_missing_annotator_and_second_import_are_refused(units, tmp_path):
    export(units, tmp_path)
    path = write(fill(read_tasks(tmp_path / "tasks.csv")), tmp_path / "filled.csv")
    for annotator in (None, "", "  "):
        with pytest.raises(AnnotationError, match=r"filled.csv: missing annotator: give --annotator ID"):
            do_import(units, tmp_path, path, annotator=annotator)
    with pytest.raises(AnnotationError, match="annotator 'A B': use letters"):
        do_import(units, tmp_path, path, annotator="A B")
    first = do_import(units, tmp_path, path)
    with pytest.raises(
        AnnotationError,
        match=rf"row 2, column sent_id: unit already labelled by AB in pass "
        rf"'{first.path.stem}'",
    ):
        do_import(units, tmp_path, path)
    assert len(list(first.path.parent.iterdir())) == 1


def test_corpus_changed_since_export_is_refused(units, tmp_path):
    """A sentence re-cleaned after the export: the drawn unit no longer exists."""
    export(units, tmp_path)
    first = read_tasks(tmp_path / "tasks.csv").iloc[0]
    changed = units.copy()
    hit = (changed["doc_id"] == first["doc_id"]) & (changed["sent_id"] == int(first["sent_id"]))
    changed.loc[hit, "sent_key"] = "0000000000000000"
    path = write(fill(read_tasks(tmp_path / "tasks.csv")), tmp_path / "filled.csv")
    with pytest.raises(AnnotationError, match="row 2, column sentence: unknown unit: the corpus no longer has"):
        do_import(changed, tmp_path, path)


# --- any number of passes -----------------------------------------------------------------


def test_any_number_of_passes_feed_agreement_and_adjudication(units, tmp_path):
    from pipeline.annotation.reliability import alpha_table, kappa_table

    export(units, tmp_path)
    tasks = fill(read_tasks(tmp_path / "tasks.csv"))
    for annotator, flip in (("A", 0), ("B", 3), ("C", 5)):
        mine = tasks.copy()
        mine.loc[flip, ["label", "basis"]] = ["against" if mine.loc[flip, "label"] != "against" else "favor", "text"]
        do_import(units, tmp_path, write(mine, tmp_path / f"{annotator}.csv"), annotator=annotator)
    passes = read_passes(tmp_path / "annotations")
    assert len(passes) == 3 * len(tasks) and sorted(passes["annotator"].unique()) == ["A", "B", "C"]
    table = alpha_table(passes, n_boot=50)
    overall = table.query("scope == 'all' and field == 'label'").iloc[0]
    assert overall["n_annotators"] == 3 and overall["n_units"] == len(tasks) and 0.8 < overall["alpha"] < 1
    assert len(kappa_table(passes).query("scope == 'all' and field == 'label'")) == 3
    open_units = disagreements(passes, read_adjudication(tmp_path / "annotations"))
    assert len(open_units) == 3 and not open_units["adjudicated"].any()
    decided = open_units.iloc[[0]][["doc_id", "sent_key", "target"]].assign(
        label="favor",
        basis="text",
        rule="spec 7",
        note="",
        adjudicator="D",
        adjudicator_kind="human",
        guide_version=GUIDE,
    )
    decided.to_csv(tmp_path / "annotations" / "adjudication.csv", index=False)
    assert disagreements(passes, read_adjudication(tmp_path / "annotations"))["adjudicated"].sum() == 1


def test_pass_files_are_checked_when_read(units, tmp_path):
    export(units, tmp_path)
    result = do_import(units, tmp_path, write(fill(read_tasks(tmp_path / "tasks.csv")), tmp_path / "f.csv"))
    shutil.copy(result.path, result.path.with_name("copy.csv"))
    with pytest.raises(AnnotationError, match="AB labelled .* in passes .*copy"):
        read_passes(tmp_path / "annotations")
    result.path.with_name("copy.csv").unlink()
    broken = pd.read_csv(result.path, dtype=str, keep_default_na=False)
    broken.loc[2, "label"] = "pro"
    broken.to_csv(result.path, index=False)
    with pytest.raises(AnnotationError, match=r"row 4, column label: 'pro'"):
        read_passes(tmp_path / "annotations")


# --- Label Studio export (a real one, recorded by tests/test_labelstudio.py) -------------


def test_labelstudio_export_imports(units, tmp_path):
    """The committed export came from Label Studio 1.23.2 for this exact sample (see annotation_data)."""
    done = export(units, tmp_path, name="tasks.json", fmt="labelstudio")
    exported = json.loads(LS_EXPORT.read_text(encoding="utf-8"))
    assert {t["data"]["sample_id"] for t in exported} == {done.sample_id}
    result = do_import(units, tmp_path, LS_EXPORT)
    recorded = pd.read_csv(result.path)
    assert len(recorded) == len(exported) - 1  # the test skipped one task in Label Studio
    assert [tuple(r) for r in recorded[["label", "basis"]].to_numpy()] == [
        answer(d, s, t) for d, s, t in recorded[["doc_id", "sent_id", "target"]].to_numpy()
    ]


@pytest.mark.parametrize(
    "case, expected",
    [
        ("two annotations", "task 2 (id {id}): 2 annotations"),
        ("label outside", "task 2 (id {id}), field label: 'pro' is not a label"),
        ("changed sentence", "task 2 (id {id}), field sentence: changed since the export"),
        ("not an export", "not a Label Studio JSON export"),
    ],
)
def test_labelstudio_refusals(units, tmp_path, case, expected):
    export(units, tmp_path, name="tasks.json", fmt="labelstudio")
    exported = json.loads(LS_EXPORT.read_text(encoding="utf-8"))
    task = exported[1]  # exported[0] was skipped in Label Studio
    if case == "two annotations":
        task["annotations"].append(dict(task["annotations"][0], completed_by=99))
    elif case == "label outside":
        next(r for r in task["annotations"][0]["result"] if r["from_name"] == "label")["value"]["choices"] = ["pro"]
    elif case == "changed sentence":
        task["data"]["sentence"] += " Extra."
    else:
        exported = [{"sentence": "flat", "label": "favor"}]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    with pytest.raises(AnnotationError) as refused:
        do_import(units, tmp_path, path)
    assert str(refused.value).startswith(f"{path}: ")
    assert expected.format(id=task.get("id")) in str(refused.value) and "\n" not in str(refused.value)


# --- the command line ---------------------------------------------------------------------


def test_guide_version():
    assert guide_version_of("# Guide\n\nVersion: 2.0\n") == "2.0"
    assert guide_version_of("# Guide\n**Version 2.1** (2026-11-29)\n") == "2.1"
    with pytest.raises(AnnotationError, match="no version line"):
        guide_version_of("# Guide\n**Versions.** Sections 1-6 are the guide v1\n")


def guide_version_of(text: str) -> str:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "guide.md"
        path.write_text(text, encoding="utf-8")
        return guide_version(path)


@pytest.fixture
def project(tmp_path) -> Path:
    """A project folder with params.yaml, a versioned guide and the tag stage's outputs of the made-up corpus."""
    raw = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "annotation-guide.md").write_text("# Guide\n\nVersion: 2.0\n", encoding="utf-8")
    (tmp_path / "outputs" / "data").mkdir(parents=True)
    sentences, mentions, documents = corpus_tables()
    sentences.to_parquet(tmp_path / "outputs" / "data" / "sentences.parquet")
    mentions.to_parquet(tmp_path / "outputs" / "data" / "mentions.parquet")
    documents.to_parquet(tmp_path / "outputs" / "data" / "documents.parquet")
    return tmp_path


def main(argv: list[str]) -> int:
    """``python -m pipeline --params P annotate ...`` through the project's one CLI."""
    return cli_main([*argv[:2], "annotate", *argv[2:]])


def test_cli_export_and_import(project, capsys):
    params = ["--params", str(project / "params.yaml")]
    assert main([*params, "export", "--n", "30", "--seed", "3", "--out", str(project / "t.csv")]) == 0
    out = capsys.readouterr().out
    assert "units drawn (seed 3)" in out and "wrote" in out
    filled = fill(read_tasks(project / "t.csv"))
    write(filled, project / "t.csv")
    assert main([*params, "import", str(project / "t.csv")]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("t.csv: missing annotator: give --annotator ID (a short id such as your initials)")
    )
    assert main([*params, "import", str(project / "t.csv"), "--annotator", "AB"]) == 0
    assert f"{len(filled)} units labelled, 0 of sample" in capsys.readouterr().out
    passes = read_passes(project / "corpus" / "annotations")
    assert len(passes) == len(filled) and set(passes["guide_version"]) == {"2.0"}
    assert (
        main(
            [
                *params,
                "export",
                "--n",
                "5",
                "--format",
                "labelstudio",
                "--target",
                "ukraine",
                "--out",
                str(project / "ls.json"),
            ]
        )
        == 0
    )
    assert (project / "ls.json").is_file() and (project / "ls.xml").is_file()
