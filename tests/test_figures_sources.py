"""Label sources side by side (PLAN.md Phase 2) and the provenance every caption names.

The compare tables written today hold one source (params stance.labels); the
PPI wiring adds ``label_source`` and ``reported``. Both shapes are drawn from
small synthetic tables here, so the figures are ready for either.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from figure_text import clipped, drawn_texts, overlaps
from stance_data import params_with

from pipeline import paths
from pipeline.figures import FigureContext, draw, get_figure
from pipeline.figures.marks import SOURCE_MARKERS
from pipeline.figures.provenance import read_provenance
from pipeline.figures.sources import sources_in, with_sources

ROOT = Path(__file__).resolve().parents[1]
DOCS = {"Indian": ["in-1"], "Russian": ["ru-1", "ru-2"], "Ukrainian": ["ua-1", "ua-2", "ua-3"]}
#: source -> shift of every share, so the sources' marks sit apart
SHIFT = {"gold": 0.0, "ppi": 0.05, "model": 0.1}
REPORTED = {"Indian": "model", "Russian": "ppi", "Ukrainian": "gold"}


def _shares(base: float, shift: float) -> dict[str, float]:
    shares = {"against": base + shift, "favor": 0.3 - shift, "neutral": 0.7 - base}
    row: dict[str, float] = {}
    for label, value in shares.items():
        row |= {f"share_{label}": value, f"share_{label}_lo": value - 0.1, f"share_{label}_hi": value + 0.1}
    net = shares["favor"] - shares["against"]
    return row | {"net_index": net, "net_index_lo": net - 0.2, "net_index_hi": net + 0.2}


def _sources_of(origin: str) -> list[str]:
    return ["gold", "ppi", "model"] if origin == "Russian" else ["gold", "model"]


def _tables(targets: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    groups, documents = [], []
    for k, (origin, docs) in enumerate(DOCS.items()):
        for target in targets:
            for source in _sources_of(origin):
                reported = source == REPORTED[origin]
                groups.append(
                    {"author_origin": origin, "target": target, "n_docs": len(docs), "n_docs_mentioning": len(docs)}
                    | {"single_document": len(docs) == 1, "n_units": 20 * len(docs), "label_source": source}
                    | {"reported": reported, "n_docs_model": 1 if source == "ppi" else 0}
                    | _shares(0.1 + 0.1 * k, SHIFT[source])
                )
                for j, doc in enumerate(docs):
                    documents.append(
                        {"author_origin": origin, "doc_id": doc, "target": target, "n_units": 20, "included": True}
                        | {"label_source": source, "reported": reported}
                        | _shares(0.05 + 0.1 * k + 0.05 * j, SHIFT[source])
                    )
    return pd.DataFrame(groups), pd.DataFrame(documents)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project holding only the two compare tables, with three label sources."""
    from pipeline.params import load_params

    root = tmp_path_factory.mktemp("sources")
    shutil.copy(ROOT / "params.yaml", root / "params.yaml")
    params = load_params(root / "params.yaml")
    by_group, by_document = _tables(params.target_names)
    folder = root / paths.tables("compare")
    folder.mkdir(parents=True)
    by_group.to_csv(folder / "stance_by_group.csv", index=False)
    by_document.to_csv(folder / "stance_by_document.csv", index=False)
    return params


def _estimate_marks(fig) -> list[tuple[str, str, bool]]:
    """(colour, marker, filled) of every group-estimate mark (one point, a source marker)."""
    marks = []
    for ax in fig.axes:
        for line in ax.get_lines():
            if len(line.get_xdata()) == 1 and line.get_marker() in SOURCE_MARKERS.values():
                filled = mcolors.to_hex(line.get_markerfacecolor()) != "#ffffff"
                marks.append((mcolors.to_hex(line.get_markeredgecolor()), line.get_marker(), filled))
    return marks


@pytest.mark.parametrize("stem", ["stance_by_group", "net_stance"])
def test_every_source_is_drawn_and_the_reported_one_filled(project, stem):
    ctx = FigureContext.from_params(project)
    drawn = draw(get_figure(stem), ctx)
    colours = ctx.palette.origins(DOCS)
    marks = _estimate_marks(drawn.fig)
    for origin, reported in REPORTED.items():
        mine = [(marker, filled) for colour, marker, filled in marks if colour == mcolors.to_hex(colours[origin])]
        for source in _sources_of(origin):
            assert (SOURCE_MARKERS[source], source == reported) in mine, (stem, origin, source)
        assert {marker for marker, filled in mine if filled} == {SOURCE_MARKERS[reported]}, (stem, origin)
    assert drawn.labels == "label sources"
    legend = " ".join(t.get_text() for t in drawn.fig.legends[0].get_texts())
    assert "gold labels" in legend and "PPI" in legend and "model labels" in legend and "filled: reported" in legend
    plt.close(drawn.fig)


def test_the_caption_names_the_source_of_every_estimate_and_warns_about_model_labels(project):
    drawn = draw(get_figure("stance_by_group"), FigureContext.from_params(project))
    caption = drawn.caption
    assert "Label sources side by side" in caption
    assert "gold labels for Ukrainian" in caption and "PPI (gold + model) for Russian" in caption
    assert "model labels for Indian" in caption
    assert "PPI estimates include documents with no gold label at all" in caption and "Russian, Russia: 1" in caption
    assert "(Indian) are not corrected by gold labels" in caption
    # two documents are a small group too: flagged in words and drawn dashed
    assert "Russian (2 documents)" in caption and "Ukrainian (3" not in caption
    plt.close(drawn.fig)


@pytest.mark.parametrize("width", [3.5, 7.2])
@pytest.mark.parametrize("stem", ["stance_by_group", "net_stance"])
def test_side_by_side_sources_keep_text_apart(project, stem, width):
    params = params_with(project, **{"report.width_in": {"single": width, "double": width}})
    drawn = draw(get_figure(stem), FigureContext.from_params(params))
    placed = drawn_texts(drawn.fig)
    assert not overlaps(placed) and not clipped(placed, drawn.fig)
    plt.close(drawn.fig)


def test_a_table_without_label_source_holds_the_params_source_reported_everywhere(params):
    ctx = FigureContext.from_params(params)
    table = pd.DataFrame({"author_origin": ["Indian"], "target": ["russia"]})
    shown = with_sources(table, ctx)
    assert shown["label_source"].tolist() == [ctx.labels] and shown["reported"].tolist() == [True]
    assert sources_in(shown) == [ctx.labels]
    with pytest.raises(ValueError, match="label_source"):
        with_sources(table.assign(label_source="crowd", reported=True), ctx)


def _write_pass(folder: Path, name: str, kind: str, guide: str) -> None:
    rows = {"doc_id": ["d"], "sent_key": ["k"], "target": ["russia"], "label": ["neutral"]}
    pd.DataFrame(rows | {"annotator": [name], "annotator_kind": [kind], "guide_version": [guide]}).to_csv(
        folder / f"{name}.csv", index=False
    )


def test_provenance_says_plainly_when_annotators_are_model_based(params, tmp_path):
    passes = tmp_path / "corpus/annotations/passes"
    passes.mkdir(parents=True)
    _write_pass(passes, "llm_a", "model", "2.1")
    _write_pass(passes, "llm_b", "model", "2.1")
    pd.DataFrame({"doc_id": ["d"], "adjudicator_kind": ["model"]}).to_csv(
        tmp_path / "corpus/annotations/adjudication.csv", index=False
    )
    found = read_provenance(params_with(params, root=tmp_path))
    assert found.gold == "gold v2 (annotation guide 2.1)"
    assert found.annotators == (
        "model-based annotators (LLM sessions), not human coders, disagreements settled by a model-based adjudicator"
    )
    _write_pass(passes, "coder_c", "human", "2.1")
    assert read_provenance(params_with(params, root=tmp_path)).annotators.startswith("human and model-based")


def test_provenance_unknown_is_said_with_the_file_that_would_tell(params, tmp_path):
    found = read_provenance(params_with(params, root=tmp_path))
    assert "unknown" in found.gold and "corpus/annotations/passes" in found.gold
    assert "unknown" in found.annotators and found.annotators != "human annotators"
