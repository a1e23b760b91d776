"""What keeps the gold, evaluate, train and compare stages' memory bounded by what they need, not by the corpus
size: narrow columns and only some documents' rows read from Parquet, unit keys without the units' text, units
without their context, an Arrow pool that returns freed memory, no typeset copy of a table too long for a page.
(The bootstrap's per-replicate totals: tests/test_stats.py and tests/test_ppi.py.)"""

from __future__ import annotations

import functools
import os
import subprocess
import sys

import pandas as pd
import pytest
from annotation_data import corpus_tables

import pipeline
from pipeline import io
from pipeline.nlp.units import MENTION_UNIT_COLUMNS, mention_units, stance_units, unit_keys
from pipeline.paths import KEY, UNIT_CONTEXT_COLUMNS
from pipeline.tables import MAX_TYPESET_ROWS, write_table


def test_unit_keys_are_the_unit_tables_keys_in_its_order():
    sentences, mentions, documents = corpus_tables()
    twice = pd.concat([mentions, mentions.iloc[[0, 5]]], ignore_index=True)  # a target named twice in a sentence
    units = stance_units(sentences, twice, documents)
    keys = unit_keys(sentences[["doc_id", "sent_id", "sent_key"]], twice[["doc_id", "sent_id", "target"]])
    pd.testing.assert_frame_equal(keys, units[[*KEY, "sent_key"]])


def test_unit_keys_leave_out_mentions_of_sentences_that_are_gone():
    sentences, mentions, _ = corpus_tables()
    kept = sentences[sentences["doc_id"] != "doc-b"]
    keys = unit_keys(kept, mentions)
    assert set(keys["doc_id"]) == {"doc-a", "doc-c"}
    assert len(keys) == len(mentions[mentions["doc_id"] != "doc-b"].drop_duplicates(KEY))


def test_mention_units_are_the_unit_table_without_its_context():
    sentences, mentions, documents = corpus_tables()
    units = stance_units(sentences, mentions, documents)
    pd.testing.assert_frame_equal(mention_units(sentences, mentions), units.drop(columns=UNIT_CONTEXT_COLUMNS))
    assert list(mention_units(sentences, mentions.iloc[:0]).columns) == MENTION_UNIT_COLUMNS


@pytest.fixture
def sentences_file(tmp_path):
    sentences, _, _ = corpus_tables()
    path = tmp_path / "sentences.parquet"
    io.write_parquet(sentences, path)
    return path, sentences


def test_reading_some_documents_gives_their_rows_as_a_full_read_does(sentences_file):
    path, sentences = sentences_file
    some = io.read_parquet(path, columns=["doc_id", "sent_id", "text"], doc_ids=["doc-c", "doc-a"])
    expected = sentences.loc[sentences["doc_id"].isin(["doc-a", "doc-c"]), ["doc_id", "sent_id", "text"]]
    pd.testing.assert_frame_equal(some, expected.reset_index(drop=True))


def test_reading_no_documents_gives_an_empty_table_of_the_files_types(sentences_file):
    path, _ = sentences_file
    none = io.read_parquet(path, columns=["doc_id", "sent_id"], doc_ids=[])
    assert none.empty
    assert none.dtypes.to_dict() == io.read_parquet(path, columns=["doc_id", "sent_id"]).dtypes.to_dict()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the pool is chosen on Linux only")
def test_arrow_allocates_from_a_pool_that_returns_freed_memory_unless_the_user_chose_one(sentences_file):
    """Every allocation, the Parquet reader's own included: the pool Arrow starts with, not one set later."""
    probe = (
        "import pipeline.io, pyarrow as pa; pipeline.io.read_parquet(__import__('sys').argv[1]); "
        "print(pa.default_memory_pool().backend_name, pa.mimalloc_memory_pool().max_memory())"
    )
    path = str(sentences_file[0])
    env = {k: v for k, v in os.environ.items() if k != pipeline.ARROW_POOL_ENV}
    run = functools.partial(subprocess.run, capture_output=True, text=True, check=True)
    assert run([sys.executable, "-c", probe, path], env=env).stdout.split() == ["jemalloc", "0"]
    env[pipeline.ARROW_POOL_ENV] = "system"
    assert run([sys.executable, "-c", probe, path], env=env).stdout.split() == ["system", "0"]


@pytest.mark.parametrize("n_rows, typeset", [(MAX_TYPESET_ROWS, True), (MAX_TYPESET_ROWS + 1, False)])
def test_a_table_too_long_for_a_page_is_written_as_csv_with_its_caption(tmp_path, n_rows, typeset):
    table = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n_rows)], "rate": 0.5})
    write_table(table, tmp_path / "rates", "Rates per document.")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "rates.csv"), table)
    markdown = (tmp_path / "rates.md").read_text(encoding="utf-8")
    assert markdown.startswith("Rates per document.")
    assert (tmp_path / "rates.tex").is_file() == typeset
    assert (f"| d{n_rows - 1} " in markdown) == typeset
    if not typeset:
        assert f"{n_rows} rows: see rates.csv" in markdown
