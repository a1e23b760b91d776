"""Streaming and the executors: partitioning never changes a stage's results,
and a 2-worker Dask cluster writes byte-identical files to the local executor."""

from __future__ import annotations

import operator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import make_project

from pipeline import io, paths
from pipeline.executor import DaskExecutor, PartitionError, document_partitions
from pipeline.params import ConfigError, Params, parse_params
from pipeline.stages import gold, ingest, stance, tag

DOCS = {
    "d1": ("Ukrainian", "Russia's invasion of Ukraine was condemned by Japan.\n\nKyiv thanked Tokyo for its aid."),
    "d2": ("Indian", "India and Russia keep close ties. Moscow welcomed the visit.\n\nTrade with Ukraine fell."),
    "d3": ("Russian", "Japan and China met in Tokyo. Trade grew.\n\nThe talks went well."),
    "d4": ("Indian", "The summit ended early. Nobody spoke to the press."),
    "d5": ("Russian", "The reunification of Crimea with Russia was legitimate, Lavrov said."),
}
OUTPUTS = [paths.SENTENCES, paths.ENTITIES, paths.MENTIONS, paths.STANCES]


def run_stages(params: Params) -> dict[str, bytes]:
    for stage in (ingest, tag, gold, stance):
        stage.run(params)
    return {out: (params.root / out).read_bytes() for out in OUTPUTS}


def project(root: Path, **executor) -> Params:
    root.mkdir()
    overrides = {f"executor.{key}": value for key, value in executor.items()}
    return make_project(root, DOCS, **overrides)


@pytest.fixture(scope="module")
def local_two(tmp_path_factory) -> tuple[Params, dict[str, bytes]]:
    """The stages on the local executor, two documents per partition."""
    params = project(tmp_path_factory.mktemp("local") / "p", partition_docs=2)
    return params, run_stages(params)


def test_settings_are_validated(params):
    raw = params.model_dump()
    for bad, message in [
        ({"kind": "spark"}, r"executor.kind: 'spark' is not allowed \(one of 'local', 'dask'\)"),
        ({"partition_docs": 0}, r"executor.partition_docs: 0 is not allowed \(an integer >= 1\)"),
        ({"workers": "2"}, r"executor.workers: '2' is not allowed \(an integer >= 1\)"),
        (
            {"nodes": 4},
            r"executor.nodes: unknown key \(known: kind, partition_docs, scheduler, threads_per_worker, workers\)",
        ),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_params({**raw, "executor": bad}, params.root)
    assert params.executor.kind == "local"


def test_partitions_stream_in_row_groups(local_two):
    params, _ = local_two
    # 5 documents, 2 per partition: 3 row groups; d3+d4 mention no target, so
    # their partition adds no stance row group.
    assert pq.ParquetFile(params.root / paths.DOCUMENTS).metadata.num_row_groups == 3
    assert pq.ParquetFile(params.root / paths.SENTENCES).metadata.num_row_groups == 3
    assert pq.ParquetFile(params.root / paths.STANCES).metadata.num_row_groups == 2
    stances = pd.read_parquet(params.root / paths.STANCES)
    assert stances["doc_id"].unique().tolist() == ["d1", "d2", "d5"]  # document order, not sorted ids


def test_partition_size_does_not_change_results(tmp_path, local_two):
    _, two = local_two
    one_partition = run_stages(project(tmp_path / "p", partition_docs=100))
    for out in OUTPUTS:
        a, b = (pd.read_parquet(pd.io.common.BytesIO(x[out])) for x in (two, one_partition))
        pd.testing.assert_frame_equal(a, b)
        assert pq.read_schema(pd.io.common.BytesIO(two[out])).equals(
            pq.read_schema(pd.io.common.BytesIO(one_partition[out])), check_metadata=True
        )


def test_dask_cluster_gives_identical_files(tmp_path, local_two):
    """tag and stance on a 2-worker cluster, reached by its scheduler address,
    write the same bytes as the local executor."""
    from distributed import LocalCluster

    _, local = local_two
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        params = project(tmp_path / "p", kind="dask", scheduler=cluster.scheduler_address, partition_docs=2)
        assert run_stages(params) == local


def test_dask_executor_keeps_order_and_raises_worker_errors():
    """Without a scheduler address the executor starts (and stops) its own LocalCluster."""
    with DaskExecutor(workers=2) as executor:
        assert list(executor.map(operator.mul, range(7), 10)) == [0, 10, 20, 30, 40, 50, 60]
        assert len(executor._client.nthreads()) == 2
        with pytest.raises(ZeroDivisionError):
            list(executor.map(operator.truediv, [1, 2], 0))


def write(path: Path, frame: pd.DataFrame) -> Path:
    io.write_parquet(frame, path)
    return path


def test_document_partitions_align_secondary_rows(tmp_path):
    primary = write(tmp_path / "s.parquet", pd.DataFrame({"doc_id": list("aabbbcdd"), "i": range(8)}))
    secondary = write(tmp_path / "m.parquet", pd.DataFrame({"doc_id": list("abbd"), "j": range(4)}))
    parts = list(document_partitions(primary, 2, secondary={"m": (secondary, None)}, batch_rows=3))
    assert [p["primary"]["doc_id"].tolist() for p in parts] == [list("aabbb"), list("cdd")]
    assert [p["m"]["doc_id"].tolist() for p in parts] == [list("abb"), list("d")]
    assert parts[1]["m"]["j"].tolist() == [3]


def test_document_partitions_refuse_misordered_input(tmp_path):
    primary = write(tmp_path / "s.parquet", pd.DataFrame({"doc_id": list("abc")}))
    misordered = write(tmp_path / "m.parquet", pd.DataFrame({"doc_id": list("cb")}))
    with pytest.raises(PartitionError, match="document 'b' is missing from .* or listed in a different order"):
        list(document_partitions(primary, 1, secondary={"m": (misordered, None)}))
    scattered = write(tmp_path / "x.parquet", pd.DataFrame({"doc_id": list("aba")}))
    with pytest.raises(PartitionError, match="rows of document 'a' are not consecutive"):
        list(document_partitions(scattered, 10))


def test_row_group_writer_is_atomic(tmp_path):
    path = tmp_path / "out.parquet"
    io.write_parquet(pd.DataFrame({"x": [1]}), path)
    schema = io.parquet_schema({"x": "int64", "s": "str"})
    with pytest.raises(RuntimeError, match="boom"), io.ParquetRowGroupWriter(path, schema) as writer:
        writer.write(pd.DataFrame({"x": [2, 3], "s": ["a", None]}))
        raise RuntimeError("boom")
    assert pd.read_parquet(path)["x"].tolist() == [1]  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]  # no temp file left
    with io.ParquetRowGroupWriter(path, schema) as writer:
        writer.write(pd.DataFrame({"x": [], "s": []}))
    empty = pd.read_parquet(path)
    assert empty.empty and list(empty.columns) == ["x", "s"] and str(empty["x"].dtype) == "int64"


def test_failed_ingest_leaves_previous_outputs(tmp_path):
    """Streaming writes go to temp files: a document failing half-way replaces nothing."""
    root = tmp_path / "p"
    root.mkdir()
    params = make_project(root, DOCS, **{"executor.partition_docs": 1})
    ingest.run(params)
    before = (root / paths.DOCUMENTS).read_bytes()
    clean_before = sorted(p.name for p in (root / paths.CLEAN).iterdir())
    (root / "corpus" / "raw" / "d4.txt").write_text("12\n", encoding="utf-8")  # only a page number
    with pytest.raises(ingest.IngestError, match="d4"):
        ingest.run(params)
    assert (root / paths.DOCUMENTS).read_bytes() == before
    assert sorted(p.name for p in (root / paths.CLEAN).iterdir()) == clean_before
    assert sorted(p.name for p in (root / "outputs" / "data").iterdir()) == ["clean", "documents.parquet"]


def test_one_row_group_is_byte_identical_to_to_parquet(tmp_path):
    frame = pd.DataFrame({"doc_id": ["a", "b"], "n": [1, 2], "actor_id": ["x", None]})
    io.write_parquet(frame, tmp_path / "plain.parquet")
    schema = io.parquet_schema({"doc_id": "str", "n": "int64", "actor_id": "str"})
    with io.ParquetRowGroupWriter(tmp_path / "streamed.parquet", schema) as writer:
        writer.write(frame)
    assert (tmp_path / "streamed.parquet").read_bytes() == (tmp_path / "plain.parquet").read_bytes()
