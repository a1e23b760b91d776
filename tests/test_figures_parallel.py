"""The figure set drawn on worker processes is the set drawn in one process, byte for byte, in the same order."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_project, write_census_pass

from pipeline.figures import FigureContext, render_all, worker_pool
from pipeline.nlp.units import stance_units
from pipeline.paths import DOCUMENTS, MENTIONS, SENTENCES
from pipeline.stages import compare, evaluate, ingest, stance, tag, train

pytestmark = pytest.mark.slow

ORIGINS = {"ua-1": "Ukrainian", "ua-2": "Ukrainian", "in-1": "Indian", "in-2": "Indian", "ru-1": "Russian"}


def document_text(doc_id: str) -> str:
    return (
        f"Russia's invasion of Ukraine was condemned in {doc_id}.\n\n"
        "Japan sent humanitarian aid to Kyiv and imposed sanctions on Moscow.\n\n"
        "The Kremlin praised its partnership with China and India on energy.\n\n"
        "Ukraine's reconstruction needs support, said Tokyo.\n"
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A five-document project with a census gold pass, through every stage the figures read."""
    tmp = tmp_path_factory.mktemp("parallel_figures")
    params = make_project(tmp, {d: (origin, document_text(d)) for d, origin in ORIGINS.items()})
    for stage in (ingest, tag):
        stage.run(params)
    units = stance_units(*(pd.read_parquet(params.root / p) for p in (SENTENCES, MENTIONS, DOCUMENTS)))
    labels = ["against" if t == "russia" else "favor" for t in units["target"]]
    labels[1::4] = ["neutral"] * len(labels[1::4])
    write_census_pass(params, labels, units)  # runs the gold stage
    for stage in (evaluate, train, stance, compare):
        stage.run(params)
    return params


def _files(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_parallel_drawing_writes_the_serial_files(project, tmp_path):
    formats, dpi = ["png", "svg", "pdf"], 100
    (tmp_path / "serial").mkdir()
    (tmp_path / "parallel").mkdir()
    serial, serial_not_drawn = render_all(FigureContext.from_params(project), tmp_path / "serial", formats, dpi)
    ctx = FigureContext.from_params(project)
    with worker_pool(ctx, workers=2) as pool:
        assert pool is not None
        parallel, parallel_not_drawn = render_all(ctx, tmp_path / "parallel", formats, dpi, pool)

    assert len(serial) >= 10, "the project should draw most of the figure set"
    assert [(r.number, r.spec.stem, r.caption, r.alt, r.labels, r.size_in) for r in parallel] == [
        (r.number, r.spec.stem, r.caption, r.alt, r.labels, r.size_in) for r in serial
    ]
    assert [(n.spec.stem, n.reason) for n in parallel_not_drawn] == [(n.spec.stem, n.reason) for n in serial_not_drawn]
    serial_files, parallel_files = _files(tmp_path / "serial"), _files(tmp_path / "parallel")
    assert len(serial_files) == len(formats) * len(serial)
    assert serial_files.keys() == parallel_files.keys()
    assert [name for name in serial_files if serial_files[name] != parallel_files[name]] == []


def test_one_worker_draws_here(project):
    with worker_pool(FigureContext.from_params(project), workers=1) as pool:
        assert pool is None
