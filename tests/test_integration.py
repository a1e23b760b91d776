"""The real stages, end to end, on a small corpus in a temp project."""

import json

import pandas as pd
import pytest
from conftest import ANNOTATION_STAGES, make_project

from pipeline.cli import STAGES, main

DOCS = {
    "ua-one": (
        "Ukrainian",
        "A Title\n\nRussia’s invasion of Ukraine shocked Japan. Japan sent aid to Kyiv.\n\nAll News ›\n",
    ),
    "ua-two": (
        "Ukrainian",
        "Japan-Russia trade was small.\n\nUkraine asked for help. Russian forces attacked Ukraine.\n",
    ),
    "in-one": (
        "Indian",
        "Japan sharply condemned Russia [1].\n\nThe Ukraine crisis continued.\n\nNotes\n\n[1] A source, URL.\n",
    ),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("proj")
    params = make_project(tmp, DOCS)
    for stage in STAGES:
        if stage in ANNOTATION_STAGES:
            continue
        assert main(["--params", str(tmp / "params.yaml"), stage]) == 0, stage
    return tmp, params


def test_documents_are_cleaned_and_audited(project):
    tmp, _ = project
    docs = pd.read_parquet(tmp / "outputs/data/documents.parquet").set_index("doc_id")
    assert "All News" not in docs.loc["ua-one", "text"]
    assert "[1]" not in docs.loc["in-one", "text"] and "A source" not in docs.loc["in-one", "text"]
    audit = json.loads((tmp / "outputs/data/clean/in-one.cleaning.json").read_text())
    assert audit["counts"]["footnote_marker"] == 1 and audit["counts"]["notes_section"] == 2


def test_sentences_mentions_and_offsets(project):
    tmp, _ = project
    docs = pd.read_parquet(tmp / "outputs/data/documents.parquet").set_index("doc_id")
    sents = pd.read_parquet(tmp / "outputs/data/sentences.parquet")
    mentions = pd.read_parquet(tmp / "outputs/data/mentions.parquet")
    assert sents[sents.doc_id == "ua-one"]["text"].tolist() == [
        "A Title",
        "Russia’s invasion of Ukraine shocked Japan.",
        "Japan sent aid to Kyiv.",
    ]
    for m in mentions.itertuples():
        assert docs.loc[m.doc_id, "text"][m.start_char : m.end_char] == m.text
    kyiv = mentions[mentions.text == "Kyiv"].iloc[0]
    assert (kyiv.target, kyiv.alias_kind, kyiv.sent_id) == ("ukraine", "capital", 2)


def test_stances_and_shares(project):
    tmp, _ = project
    st = pd.read_parquet(tmp / "outputs/data/stances.parquet")
    one = st[(st.doc_id == "ua-one") & (st.sent_id == 1)].set_index("target")["label"].to_dict()
    assert one == {"russia": "against", "ukraine": "favor"}
    by_doc = pd.read_csv(tmp / "outputs/tables/compare/stance_by_document.csv")
    row = by_doc[(by_doc.doc_id == "in-one") & (by_doc.target == "russia")].iloc[0]
    assert row.n_units == 1 and row.share_against == 1.0
    # salience: 1 Russia mention in a 10-word document
    assert row.mentions_per_1k_words == pytest.approx(1000 * 1 / row.n_words)
    by_group = pd.read_csv(tmp / "outputs/tables/compare/stance_by_group.csv").set_index(["author_origin", "target"])
    # document-weighted: the mean of the two Ukrainian documents' shares
    ua = by_doc[(by_doc.author_origin == "Ukrainian") & (by_doc.target == "ukraine")]
    assert by_group.loc[("Ukrainian", "ukraine"), "share_favor"] == pytest.approx(ua.share_favor.mean())


def test_a_corpus_without_gold_labels_says_the_model_labels_are_unchecked(project):
    tmp, _ = project
    for report in ("report.md", "report.html"):
        text = (tmp / "outputs" / report).read_text(encoding="utf-8")
        assert "not checked against gold labels in this run" in text and "No gold labels in this run" in text
        assert "Not available" not in text and "outputs/metrics/evaluate.json" not in text


def test_figures_written_in_every_format(project):
    tmp, _ = project
    for stem in ("stance_by_group", "net_stance", "actor_salience"):
        for ext in ("png", "svg", "pdf"):
            assert (tmp / f"outputs/figures/{stem}.{ext}").stat().st_size > 1000


def test_cli_reports_bad_input_without_traceback(tmp_path, capsys):
    make_project(tmp_path, {"x": ("Martian", "Russia.")})
    assert main(["--params", str(tmp_path / "params.yaml"), "ingest"]) == 2
    err = capsys.readouterr().err
    assert "manifest.csv: row 2, column 'author_origin': unknown origin 'Martian'" in err
    assert not (tmp_path / "outputs").exists()


def test_help_lists_every_stage(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for stage in STAGES:
        assert stage in out
