"""What keeps the pipeline linear and its figures bounded when the corpus has thousands of documents.

Cross-validation: leave-one-document-out up to ``cross_validation.loo_max_documents`` gold documents,
grouped K folds above, also for the choice a classifier makes inside its training folds. Figures with a row
or panel per document pool documents by origin group above ``report.max_document_rows``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from pipeline.classifiers.base import StanceClassifier
from pipeline.classifiers.cv import LEAVE_ONE_OUT, document_folds, fold_phrase, folds_from, out_of_fold_proba
from pipeline.classifiers.selection import NestedSelect
from pipeline.figures import FigureContext, draw, registered_figures
from pipeline.figures.annotation import pooled_by_origin
from pipeline.figures.marks import n_docs, n_short
from pipeline.figures.position import POSITION_BINS, position_shares
from pipeline.figures.shares import ALL_DOCUMENTS, _net_row_label
from pipeline.params import CrossValidation, load_params
from pipeline.paths import LABELS
from pipeline.report.sections import documents_by_origin

PLAN = CrossValidation(loo_max_documents=20, k_folds=10)


def _groups(n_documents: int, per_document: int = 3) -> np.ndarray:
    return np.repeat([f"d{i:04d}" for i in range(n_documents)], per_document)


@pytest.mark.parametrize(("n_documents", "n_folds"), [(2, 2), (20, 20), (21, 10), (500, 10)])
def test_leave_one_out_up_to_the_threshold_then_k_folds_of_whole_documents(n_documents, n_folds):
    groups = _groups(n_documents)
    folds = document_folds(groups, PLAN)
    assert len(folds) == n_folds
    held_out = np.concatenate([test for _, test in folds])
    assert sorted(held_out) == list(range(len(groups)))  # every unit held out exactly once
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])  # no document on both sides
    assert fold_phrase(n_documents, PLAN) == (
        "leave-one-document-out" if n_documents <= 20 else f"{n_folds} folds of whole documents"
    )


def test_outside_a_stage_cross_validation_is_leave_one_document_out_at_any_size():
    assert len(document_folds(_groups(60))) == 60
    assert len(document_folds(_groups(60), LEAVE_ONE_OUT)) == 60
    with folds_from(PLAN):
        assert len(document_folds(_groups(60))) == 10
    assert len(document_folds(_groups(60))) == 60  # the plan ends with its block


class CountingMajority(StanceClassifier):
    """Predicts the training majority; counts its fits (one per fold)."""

    fits: list[int] = []

    def __init__(self, shift: float = 0.0):
        self.shift = shift

    def fit(self, units, labels=None):
        CountingMajority.fits.append(len(units))
        values, counts = np.unique(np.asarray(labels), return_counts=True)
        self.majority_ = LABELS.index(str(values[counts.argmax()]))
        return self

    def predict_proba(self, units):
        proba = np.full((len(units), len(LABELS)), 0.1)
        proba[:, self.majority_] = 0.8
        return proba


def _units(n_documents: int) -> tuple[pd.DataFrame, np.ndarray]:
    groups = _groups(n_documents)
    units = pd.DataFrame({"doc_id": groups, "target": np.where(np.arange(len(groups)) % 2, "russia", "ukraine")})
    labels = np.asarray(LABELS)[np.arange(len(groups)) % 3]
    return units, labels


def test_a_choice_inside_the_training_folds_splits_by_the_plan_too():
    """Outer K folds x inner K folds: fits grow with the number of folds, not with the square of the documents."""
    units, labels = _units(60)
    nested = NestedSelect((("a", CountingMajority()), ("b", CountingMajority(1.0))))
    CountingMajority.fits = []
    with folds_from(PLAN):
        proba = out_of_fold_proba(nested, units, labels)
    assert not np.isnan(proba).any()
    # 10 outer folds, each: 2 candidates x 10 inner folds + 1 refit of the chosen one
    assert len(CountingMajority.fits) == 10 * (2 * 10 + 1)
    CountingMajority.fits = []
    out_of_fold_proba(nested, units, labels)  # leave-one-document-out, nested: 60 * (2 * 59 + 1)
    assert len(CountingMajority.fits) == 60 * (2 * 59 + 1)


def test_position_shares_are_bounded_by_groups_not_documents():
    rng = np.random.default_rng(0)
    n = 50_000
    units = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in rng.integers(0, 5000, n)],
            "author_origin": rng.choice(["A", "B", "C", "D", "E"], n),
            "target": rng.choice(["russia", "ukraine"], n),
            "label": rng.choice(list(LABELS), n),
            "position": np.append(rng.random(n - 1), 1.0),  # the last sentence may start at 100%
        }
    )
    shares = position_shares(units)
    assert len(shares) == 5 * 2 * POSITION_BINS
    assert shares["bin"].between(0, POSITION_BINS - 1).all()
    assert np.allclose(shares[list(LABELS)].sum(axis=1), 1.0)
    assert shares["n"].sum() == n


def test_gold_counts_pool_to_one_row_per_origin_and_target():
    counts = pd.DataFrame(
        {
            "author_origin": ["A", "A", "A", "A", "B", "B"],
            "doc_id": ["a1", "a1", "a2", "a2", "b1", "b1"],
            "target": ["russia", "ukraine"] * 3,
            "n_units": [5, 4, 3, 2, 6, 1],
            "n_gold": [5, 4, 0, 0, 6, 1],
            "against": [1, 0, 0, 0, 2, 0],
            "favor": [2, 3, 0, 0, 1, 1],
            "neutral": [2, 1, 0, 0, 3, 0],
        }
    )
    pooled = pooled_by_origin(counts).set_index(["author_origin", "target"])
    assert len(pooled) == 4
    assert pooled.loc[("A", "russia"), "n_gold"] == 5 and pooled.loc[("A", "russia"), "n_units"] == 8
    assert pooled.loc[("A", "russia"), "doc_id"] == "A: 1 doc with gold"
    assert pooled[list(LABELS)].sum().sum() == counts[list(LABELS)].sum().sum()


@pytest.fixture(scope="module")
def pooled_figures(built_project):
    """The seed project's figures drawn with report.max_document_rows below its five documents."""
    raw = yaml.safe_load((built_project / "params.yaml").read_text(encoding="utf-8"))
    raw["report"]["max_document_rows"] = 2
    path = built_project / "params.pooled.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    ctx = FigureContext.from_params(load_params(path))
    stems = ("stance_position", "net_stance", "gold_agreement")
    return ctx, {spec.stem: draw(spec, ctx) for spec in registered_figures() if spec.stem in stems}


def test_figures_with_a_row_per_document_pool_documents_by_origin_above_the_limit(pooled_figures):
    ctx, drawn = pooled_figures
    origins = ctx.read("outputs/tables/compare/stance_by_document.csv")["author_origin"].nunique()
    targets = len(ctx.params.target_names)

    position = drawn["stance_position"]
    assert len(position.fig.axes) == origins * targets  # a panel per group and target, none per document
    assert "pooled by author origin" in position.caption
    # every panel names its n (units), every row its documents: shares are never shown without them
    evidence = ctx.read("outputs/tables/compare/stance_evidence.csv")
    units_shown = sum(int(ax.get_title(loc="right").split()[2].replace(",", "")) for ax in position.fig.axes)
    assert units_shown == len(evidence)
    row_labels = [ax.get_ylabel() for ax in position.fig.axes if ax.get_ylabel()]
    assert len(row_labels) == origins and any("(3 docs)" in label for label in row_labels)

    net = drawn["net_stance"]
    labels = [t.get_text() for t in net.fig.axes[0].get_yticklabels()]
    assert "3 documents" in labels  # the Ukrainian group's three documents: one pooled row
    assert not any(label.startswith("ua-") for label in labels)
    assert "darker where documents crowd" in net.caption

    gold = drawn["gold_agreement"]
    rows = [t.get_text() for t in gold.fig.axes[0].get_yticklabels()]
    assert len(rows) == origins * targets
    assert all("with gold" in row for row in rows)
    for d in drawn.values():
        assert d.fig.get_size_inches()[1] <= 9.0


def test_counts_in_figure_labels_carry_thousands_separators_like_the_tables():
    """At 5,000 documents a pooled row read "mean of 1000" beside "1,000 documents": one style for every n."""
    per_doc = pd.DataFrame({"author_origin": "Japanese", "doc_id": [f"jp-{i:04d}" for i in range(1000)]})
    assert _net_row_label(per_doc, "Japanese", None) == "Japanese: mean of 1,000"
    assert _net_row_label(per_doc, "Japanese", ALL_DOCUMENTS) == "1,000 documents"
    assert n_short(1800, 54885) == "1,800 docs, 54,885 units"
    assert n_docs(1) == "1 document" and n_docs(5000) == "5,000 documents"


def test_the_report_lists_one_row_per_origin_group_when_documents_are_many():
    overview = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(5000)],
            "author_origin": np.repeat(["A", "B", "C", "D", "E"], 1000),
            "author": "x",
            "title": "y",
            "outlet": "z",
            "published": "2024",
            "n_words": 100,
            "n_sentences": 5,
            "units_russia": 2,
            "units_ukraine": 1,
        }
    )
    rows = documents_by_origin(overview)
    assert len(rows) == 5
    assert set(overview.columns) <= set(rows.columns)  # the report's template reads the same fields
    assert rows.loc[0, "doc_id"] == "1,000 documents"
    assert rows["n_words"].sum() == overview["n_words"].sum() and rows["units_russia"].tolist() == [2000] * 5


def test_below_the_limit_every_document_keeps_its_own_row(built_project):
    ctx = FigureContext.from_params(load_params(built_project / "params.yaml"))
    (spec,) = [s for s in registered_figures() if s.stem == "net_stance"]
    labels = [t.get_text() for t in draw(spec, ctx).fig.axes[0].get_yticklabels()]
    assert {"ua-getmanchuk-2021", "ua-polishchuk-2024", "ua-shagina-2018"} <= set(labels)
    assert "Ukrainian: mean of 3" in labels
