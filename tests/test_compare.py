"""The compare stage end to end on a small corpus with known answers, under gold and model labels,
and the published seed-corpus tables recomputed from their evidence rows."""

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, make_project, write_census_pass

from pipeline import paths
from pipeline.analysis.label_sources import LabelSourceError
from pipeline.nlp.units import stance_units
from pipeline.params import ConfigError
from pipeline.paths import DOCUMENTS, LABELS, MENTIONS, SENTENCES
from pipeline.stages import compare, gold, ingest, stance, tag

pytestmark = pytest.mark.slow

# (origin, russia label of every Russia sentence, number of Russia sentences)
DESIGN = {
    "ua-long": ("Ukrainian", "neutral", 12),
    "ua-short-1": ("Ukrainian", "against", 2),
    "ua-short-2": ("Ukrainian", "against", 3),
    "in-1": ("Indian", "against", 4),
    "in-2": ("Indian", "against", 2),
    "ru-1": ("Russian", "favor", 5),
}


def document_text(doc_id: str, n_russia: int) -> str:
    lines = [
        f"Paragraph {i} of {doc_id}: Moscow and the Kremlin acted in the Russian aggression case {i}."
        for i in range(n_russia)
    ]
    lines.insert(1, f"Japan sent humanitarian aid to Ukraine in {doc_id}.")
    lines.append("Japan and China discussed energy and sanctions in Tokyo.")
    return "\n\n".join(lines) + "\n"


def write_gold(params, skip: int = 0) -> None:
    """A census pass with the designed Russia label for every unit (Ukraine: favor), minus the first ``skip``."""
    units = stance_units(*(pd.read_parquet(params.root / p) for p in (SENTENCES, MENTIONS, DOCUMENTS)))
    units = units.iloc[skip:]
    labels = [DESIGN[d][1] if t == "russia" else "favor" for d, t in zip(units["doc_id"], units["target"])]
    write_census_pass(params, labels, units)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compare")
    docs = {d: (origin, document_text(d, n)) for d, (origin, _, n) in DESIGN.items()}
    params = make_project(tmp, docs, **{"compare.bootstrap.n_resamples": 500, "stance.labels": "gold"})
    for stage in (ingest, tag, gold, stance):  # no passes yet: the lexicon labels, no model to fit
        stage.run(params)
    write_gold(params)
    compare.run(params)
    return params


def table(params, name: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(params.root / paths.tables("compare") / f"{name}.csv", **kwargs)


def caption(params, name: str) -> str:
    return (params.root / paths.tables("compare") / f"{name}.md").read_text(encoding="utf-8").split("\n\n")[0]


def test_gold_shares_are_document_weighted(project):
    g = table(project, "stance_by_group").set_index(["author_origin", "target"])
    # Ukrainian: mean(0, 1, 1) = 2/3 against; pooling sentences would give 5/17.
    assert g.loc[("Ukrainian", "russia"), "share_against"] == pytest.approx(2 / 3, abs=1e-6)
    assert g.loc[("Ukrainian", "russia"), "n_units"] == 17
    # A group of all-against documents: share 1, interval [1, 1], net index -1.
    indian = g.loc[("Indian", "russia")]
    assert (indian["share_against"], indian["share_against_lo"], indian["share_against_hi"]) == (1, 1, 1)
    assert indian["net_index"] == -1 and not indian["single_document"]
    russian = g.loc[("Russian", "russia")]
    assert russian["single_document"] and russian["interval_over"] == "sentences within one document"
    assert russian["net_index"] == 1


def test_captions_name_the_labels_and_the_design(project):
    for name in ("stance_by_document", "stance_by_group", "stance_group_differences", "stance_evidence"):
        assert "gold labels (full reading) from the annotation passes" in caption(project, name)
    for name in ("framing_terms", "frame_rates_by_group", "actor_salience_by_group", "actor_cooccurrence"):
        assert "Does not use stance labels" in caption(project, name)
    assert "Russian: one document each" in caption(project, "stance_by_group")
    tex = (project.root / paths.tables("compare") / "framing_terms.tex").read_text(encoding="utf-8")
    assert r"Colaresi \& Quinn" in tex and r"count\_group" in tex  # the caption compiles in LaTeX
    m = json.loads((project.root / paths.metrics("compare")).read_text())
    assert m["label_source"] == "gold" and m["single_document_groups"] == "Russian"
    assert not m["model_labels_unvalidated"]
    per_group = table(project, "stance_by_group").set_index(["target", "author_origin"])
    assert m["net_index"]["russia"]["Indian"] == pytest.approx(
        per_group.loc[("russia", "Indian"), "net_index"], abs=1e-4
    )
    assert m["net_index"]["russia"]["Indian"] == -1.0  # every Indian unit about Russia is against


def test_differences_and_permutation_design(project):
    d = table(project, "stance_group_differences")
    row = d[
        (d["target"] == "russia")
        & (d["measure"] == "share_against")
        & (d["group_a"] == "Indian")
        & (d["group_b"] == "Russian")
    ].iloc[0]
    assert row["difference"] == 1 and row["difference_lo"] == 1
    assert row["n_assignments"] == 3 and row["min_attainable_p"] == pytest.approx(1 / 3)
    assert row["p_permutation"] == pytest.approx(1 / 3)


def recompute_from_evidence(evidence: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-document counts and per-group document-weighted shares, from evidence rows alone."""
    ev = evidence[evidence["included"]]
    counts = ev.groupby(["author_origin", "doc_id", "target"])["label"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=list(LABELS), fill_value=0)
    shares = counts.div(counts.sum(axis=1), axis=0)
    shares["net"] = shares["favor"] - shares["against"]
    return counts, shares.groupby(["author_origin", "target"]).mean()


def assert_evidence_recomputes(tables: Path) -> None:
    evidence = pd.read_csv(tables / "stance_evidence.csv")
    counts, group = recompute_from_evidence(evidence)
    per_doc = pd.read_csv(tables / "stance_by_document.csv").set_index(["author_origin", "doc_id", "target"])
    for label in LABELS:
        assert (per_doc.loc[counts.index, f"n_{label}"] == counts[label]).all()
    published = pd.read_csv(tables / "stance_by_group.csv", dtype=str).set_index(["author_origin", "target"])
    for key, row in group.iterrows():
        for label in LABELS:  # the CSV carries 6 significant digits: recompute to that precision exactly
            assert published.loc[key, f"share_{label}"] == f"{row[label]:.6g}", (key, label)
        assert published.loc[key, "net_index"] == f"{row['net']:.6g}"
    assert len(group) == len(published.dropna(subset=["share_against"]))


def test_evidence_recomputes_the_shares(project):
    assert_evidence_recomputes(project.root / paths.tables("compare"))


def test_frame_rates_recompute_from_matches(project):
    matches = table(project, "frame_matches")
    rates = table(project, "frame_rates_by_document").set_index(["doc_id", "category"])
    counted = matches.groupby(["doc_id", "category"]).size()
    assert (rates.loc[counted.index, "n_matches"] == counted).all()
    assert rates["n_matches"].sum() == len(matches)
    assert {"aggression", "aid", "energy", "sanctions", "china_factor"} <= set(counted.index.get_level_values(1))


def test_vocabulary_and_actor_tables(project):
    terms = table(project, "framing_terms")
    assert set(terms["target"]) <= {"russia", "ukraine"} and (terms["z"] > 0).all()
    salience = table(project, "actor_salience_by_document").set_index(["doc_id", "actor"])
    assert salience.loc[("ua-long", "russia"), "n_matches"] == 12 * 3  # Moscow, Kremlin, Russian per line
    matrix = table(project, "actor_cooccurrence_matrix")
    assert {"japan", "russia", "ukraine", "china"} <= set(matrix.columns)


def test_model_labels_run_and_say_so(tmp_path):
    params = make_project(
        tmp_path,
        {d: (o, document_text(d, n)) for d, (o, _, n) in DESIGN.items()},
        **{"compare.bootstrap.n_resamples": 200, "stance.labels": "model"},
    )
    for stage in (ingest, tag, gold, stance, compare):
        stage.run(params)
    assert "model labels (classifier: lexicon)" in caption(params, "stance_by_group")
    assert_evidence_recomputes(params.root / paths.tables("compare"))


def test_gold_labels_must_cover_every_unit(tmp_path):
    params = make_project(
        tmp_path,
        {d: (o, document_text(d, n)) for d, (o, _, n) in DESIGN.items()},
        **{"compare.bootstrap.n_resamples": 50, "stance.labels": "gold"},
    )
    for stage in (ingest, tag, gold, stance):  # no passes yet: the lexicon labels
        stage.run(params)
    write_gold(params, skip=1)
    with pytest.raises(
        LabelSourceError, match=r"stance.labels is 'gold', but \w+ x \w+ has no gold estimate: document\(s\) "
    ):
        compare.run(params)
    assert not (tmp_path / paths.tables("compare")).exists()  # nothing half-written


def test_unknown_label_source_is_a_config_error(tmp_path):
    """Refused when params.yaml is loaded, before any stage runs."""
    with pytest.raises(ConfigError, match=r"stance.labels: 'crowd' is not allowed \(one of 'auto', 'gold', 'model'\)"):
        make_project(tmp_path, {"x": ("Indian", "Russia acted.")}, **{"stance.labels": "crowd"})


def test_published_seed_tables_recompute_from_their_evidence():
    tables = ROOT / paths.tables("compare")
    if not (tables / "stance_evidence.csv").is_file():
        pytest.skip("no published tables yet (run `dvc repro`)")
    assert_evidence_recomputes(tables)
