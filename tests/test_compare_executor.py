"""compare's resampling on the executors: a 2-worker Dask cluster writes the same bytes as the
local executor, and neither the batching of jobs nor the chunking of draws changes a number."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import make_project

from pipeline import paths
from pipeline.analysis.jobs import Job, Runner, batches
from pipeline.analysis.ppi_bootstrap import DocumentCell, hierarchical_ppi_bootstrap
from pipeline.analysis.resampling import (
    PERMUTATION_CHUNK,
    DocumentUnits,
    bootstrap_interval,
    hierarchical_bootstrap,
    permutation_test,
    slots_by_document,
    stable_rng,
)
from pipeline.executor import DaskExecutor
from pipeline.params import load_params
from pipeline.stages import compare, gold, ingest, stance, tag

# several documents per origin, each mentioning both targets, so groups have real two-stage bootstraps
DOCS = {
    f"{origin[:2].lower()}{i}": (origin, text)
    for origin, texts in {
        "Ukrainian": [
            "Russia's invasion of Ukraine was condemned. Kyiv thanked Tokyo. Moscow denied everything.",
            "Russian aggression against Ukraine continues. Ukrainians resist. The Kremlin lies.",
            "Ukraine deserves support. Putin must be stopped. Kyiv stands.",
        ],
        "Indian": [
            "India and Russia keep close ties. Moscow welcomed the visit. Trade with Ukraine fell.",
            "Russia is a partner. Ukraine is far away. Kyiv asked for help.",
        ],
        "Russian": [
            "The reunification of Crimea with Russia was legitimate, Lavrov said. Ukraine provoked it.",
            "Russia defends its people. Kyiv is run by the West. Moscow seeks peace with Ukraine.",
        ],
    }.items()
    for i, text in enumerate(texts)
}


def compare_bytes(root: Path) -> dict[str, bytes]:
    folder = root / paths.tables("compare")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} | {
        "metrics": (root / paths.metrics("compare")).read_bytes()
    }


def with_executor(root: Path, **executor: object) -> None:
    raw = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    raw["executor"].update(executor)
    (root / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def test_dask_cluster_gives_identical_compare_tables(tmp_path, monkeypatch):
    from distributed import LocalCluster

    local_root = tmp_path / "local"
    local_root.mkdir()
    params = make_project(local_root, DOCS)
    for stage in (ingest, tag, gold, stance, compare):
        stage.run(params)
    local = compare_bytes(local_root)
    assert "stance_group_differences.csv" in local

    dask_root = tmp_path / "dask"
    shutil.copytree(local_root, dask_root)
    shutil.rmtree(dask_root / paths.tables("compare"))
    # one job per Dask task: every bootstrap and permutation test may land on either worker
    monkeypatch.setattr(compare, "Runner", functools.partial(Runner, batch_cost=1))
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        with_executor(dask_root, kind="dask", scheduler=cluster.scheduler_address)
        compare.run(load_params(dask_root / "params.yaml"))
    assert compare_bytes(dask_root) == local


def group(rng: np.random.Generator, n_docs: int) -> list[DocumentUnits]:
    sizes = rng.integers(1, 12, n_docs)
    return [DocumentUnits(rng.integers(0, 2, (n, 3)).astype(float), np.ones(n)) for n in sizes]


def test_batching_never_changes_results():
    rng = np.random.default_rng(0)
    groups = [group(rng, n) for n in (1, 3, 8, 2)]
    direct = [hierarchical_bootstrap(g, 300, stable_rng(7, str(i))) for i, g in enumerate(groups)]
    for batch_cost in (1, 1000, 10**9):
        # a job's generator is consumed when it runs: fresh jobs for every runner
        jobs = [
            Job(hierarchical_bootstrap, (g, 300, stable_rng(7, str(i))), 300 * len(g)) for i, g in enumerate(groups)
        ]
        results = Runner(batch_cost=batch_cost).run(jobs)
        assert len(results) == len(direct) and all(np.array_equal(a, b) for a, b in zip(results, direct))


def test_batches_keep_order_and_cap_cost():
    jobs = [Job(int, (str(i),), cost) for i, cost in enumerate([3, 3, 5, 20, 1, 1])]
    grouped = list(batches(jobs, 6))
    assert [[j.args[0] for j in b] for b in grouped] == [["0", "1"], ["2"], ["3"], ["4", "5"]]
    assert list(batches([], 6)) == []


@pytest.mark.parametrize("n_docs", [1, 2, 7, 40])
def test_slots_by_document_equal_a_scan_per_document(n_docs):
    picks = np.random.default_rng(n_docs).integers(n_docs, size=(50, n_docs))
    slots = slots_by_document(picks, n_docs)
    assert [s.tolist() for s in slots] == [np.flatnonzero(picks == i).tolist() for i in range(n_docs)]


def test_chunked_permutation_draws_equal_one_draw():
    """The Monte Carlo test draws its assignments a chunk at a time: the same uniforms, the same
    group-a sets (argpartition) as one (n_permutations, n) draw sorted in full."""
    rng = np.random.default_rng(3)
    a, b = rng.random(9), rng.random(14) + 0.2
    n_permutations = 2 * PERMUTATION_CHUNK + 17
    result = permutation_test(a, b, n_permutations, np.random.default_rng(11))
    pooled = np.concatenate([a, b])
    order = np.argsort(np.random.default_rng(11).random((n_permutations, len(pooled))), axis=1)
    sum_a = pooled[order[:, : len(a)]].sum(axis=1)
    diffs = np.abs(sum_a / len(a) - (pooled.sum() - sum_a) / len(b))
    hits = int((diffs >= abs(a.mean() - b.mean()) - 1e-12 * max(1.0, pooled.max())).sum())
    assert not result.exact and result.p_value == (1 + hits) / (1 + n_permutations)


def every_kind_of_job() -> list[Job]:
    """One job of each kind compare sends (fresh generators: a job's generator is consumed when it runs)."""
    rng = np.random.default_rng(4)
    docs = group(rng, 5)
    y = np.eye(3)[rng.integers(0, 3, 6)]
    cell = DocumentCell(np.column_stack([y, y[:, 1] - y[:, 0]]), np.full((6, 4), 0.25), np.full((9, 4), 0.25))
    return [
        Job(hierarchical_bootstrap, (docs, 200, stable_rng(1, "group")), 1),
        Job(bootstrap_interval, (docs[:1], 200, stable_rng(1, "doc"), 0.95), 1),
        Job(permutation_test, (rng.random(7), rng.random(30), 500, stable_rng(1, "pair")), 1),
        Job(hierarchical_ppi_bootstrap, ([cell, cell], 200, stable_rng(1, "ppi")), 1),
    ]


def test_every_kind_of_job_gives_the_same_result_on_dask_workers():
    local = Runner().run(every_kind_of_job())
    with DaskExecutor(workers=2) as executor:
        remote = Runner(executor, batch_cost=1).run(every_kind_of_job())
    assert len(remote) == 4
    assert np.array_equal(local[0], remote[0])  # a group's replicates
    assert all(np.array_equal(a, b) for a, b in zip(local[1], remote[1]))  # a document's interval
    assert local[2] == remote[2]  # a permutation test
    assert np.array_equal(local[3], remote[3])  # a ppi group's replicates
