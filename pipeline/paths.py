"""Every artefact path of the project and every row schema, in one place.

Paths are relative to the project root (the folder holding params.yaml);
a stage joins them to ``params.root``. dvc.yaml names the same paths (a test
keeps them equal), and nothing else in the package spells one out. Each
stage writes its tables to one folder ``outputs/tables/<stage>/`` and its
metrics to ``outputs/metrics/<stage>.json``.

The row schemas are the column dtypes of the Parquet files stages hand to
each other: one schema for every row group, so a partition without, say,
entities writes the same types as one with them.
"""

from __future__ import annotations

from pathlib import Path

# --- inputs (hand-edited, committed) -----------------------------------------------------
PARAMS = Path("params.yaml")
MANIFEST = Path("corpus/manifest.csv")
RAW = Path("corpus/raw")
CLEANING_RULES = Path("corpus/cleaning_rules.yaml")
ANNOTATIONS = Path("corpus/annotations")
PASSES = ANNOTATIONS / "passes"
"""One CSV per annotation pass (corpus/annotations/README.md); gold labels are derived from them."""
ADJUDICATION = ANNOTATIONS / "adjudication.csv"
SAMPLES = ANNOTATIONS / "samples"
"""Draw records of `annotate export`: which units a sample drew, with their inclusion probabilities."""
GUIDE = Path("docs/annotation-guide.md")
MODEL_CARD = Path("docs/model-card.md")
EXPERIMENT_RESULTS = Path("benchmarks/experiments/results")
"""Committed results of the classifier experiments (benchmarks/experiments), one folder per gold file."""
PLUGINS = Path("plugins")
"""User plugins: every ``*.py`` here is imported before a stage runs (pipeline.plugins)."""

# --- row data (DVC-cached, git-ignored) --------------------------------------------------
DATA = Path("outputs/data")
DOCUMENTS = DATA / "documents.parquet"
CLEAN = DATA / "clean"
SENTENCES = DATA / "sentences.parquet"
ENTITIES = DATA / "entities.parquet"
MENTIONS = DATA / "mentions.parquet"
STANCES = DATA / "stances.parquet"
OOF_STANCES = DATA / "oof_stances.parquet"
GOLD = DATA / "gold.parquet"
"""Gold labels derived by the gold stage from the passes and the adjudication (never hand-edited)."""

# --- results (small, uncached, committed) ------------------------------------------------
TABLES = Path("outputs/tables")
METRICS = Path("outputs/metrics")
FIGURES = Path("outputs/figures")
PLOTS = Path("outputs/plots")
CONFUSION_PLOTS = PLOTS / "confusion"
REPORT_HTML = Path("outputs/report.html")
REPORT_MD = Path("outputs/report.md")
EXPLORER_HTML = Path("outputs/explorer.html")
"""The sentence explorer: the units behind every figure cell, offline (pipeline.report.explorer)."""
PLOTS_TEMPLATE = PLOTS / "vega_offline.html"
"""`dvc plots show`'s page with Vega inlined (.dvc/config plots.html_template points here)."""
MODELS = Path("models/stance")
EMBEDDING_CACHE = Path(".cache/embeddings")
"""Content-hash cache of sentence embeddings: a pure speed-up, safe to delete."""
LLM_CACHE = Path(".cache/llm")
"""Content-hash cache of the llm classifier's validated answers: reruns never ask again (docs/llm-classifier.md)."""


def tables(stage: str) -> Path:
    """The folder a stage writes its tables to (one DVC out per stage)."""
    return TABLES / stage


def table(stage: str, name: str) -> Path:
    """One table's CSV file (its .md and .tex twins sit beside it)."""
    return tables(stage) / f"{name}.csv"


def metrics(stage: str) -> Path:
    """A stage's headline numbers (DVC metrics)."""
    return METRICS / f"{stage}.json"


EVALUATION = metrics("evaluate")
EVALUATION_SCORES = tables("evaluate") / "eval_scores.json"
"""Every classifier's full out-of-fold scores (per target and class); evaluate.json holds the headline."""
GOLD_METRICS = metrics("gold")

# --- row schemas -------------------------------------------------------------------------
LABELS: tuple[str, ...] = ("against", "favor", "neutral")
"""Stance labels in the fixed column order of every probability matrix (``p_<label>`` columns)."""
PROBA = [f"p_{label}" for label in LABELS]

KEY = ["doc_id", "sent_id", "target"]
"""A stance unit: one (sentence, target) pair with a mention."""

DOCUMENT_COLUMNS = ["raw_sha256", "n_words", "n_chars", "text"]
"""Added by ingest after the manifest's own columns."""

SENTENCE_DTYPES = {
    "doc_id": "str",
    "sent_id": "int64",
    "start_char": "int64",
    "end_char": "int64",
    "position": "float64",
    "n_words": "int64",
    "sent_key": "str",
    "text": "str",
}
ENTITY_DTYPES = {
    "doc_id": "str",
    "sent_id": "int64",
    "start_char": "int64",
    "end_char": "int64",
    "label": "str",
    "actor_id": "str",
    "text": "str",
}
MENTION_DTYPES = {
    "doc_id": "str",
    "sent_id": "int64",
    "target": "str",
    "alias": "str",
    "alias_kind": "str",
    "start_char": "int64",
    "end_char": "int64",
    "text": "str",
}
STANCE_DTYPES = {
    "doc_id": "str",
    "sent_id": "int64",
    "target": "str",
    "sent_key": "str",
    "label": "str",
    **{p: "float64" for p in PROBA},
    "classifier": "str",
    "prediction": "str",
}
OOF_STANCE_COLUMNS = ["classifier", *KEY, "sent_key", "label", *PROBA, "predicted"]

UNIT_CONTEXT_COLUMNS = ["paragraph", "paragraph_text", "context_before", "context_after"]
"""Where a unit's sentence sits in its article (STANCE-SPEC v2 rule 6); classifiers work without them too."""
UNIT_COLUMNS = [
    *KEY,
    "sent_key",
    "text",
    "mention_starts",
    "mention_ends",
    "aliases",
    "alias_kinds",
    "other_targets",
    *UNIT_CONTEXT_COLUMNS,
]
"""The unit table classifiers consume (pipeline.nlp.units.stance_units)."""
GOLD_DTYPES = {
    "doc_id": "str",
    "sent_key": "str",
    "target": "str",
    "sent_id": "int64",
    "label": "str",
    "basis": "str",
    "source": "str",
    "rule": "str",
    "n_annotators": "int64",
    "annotators": "str",
    "annotator_kinds": "str",
    "sample_id": "str",
    "guide_version": "str",
}
"""One row per gold-labelled unit; ``source``: agreed, adjudicated or single (one pass only)."""

PARQUET_SCHEMAS: dict[Path, dict[str, str]] = {
    DOCUMENTS: {"doc_id": "str", "author_origin": "str", "n_words": "int64", "n_chars": "int64", "text": "str"},
    SENTENCES: SENTENCE_DTYPES,
    ENTITIES: ENTITY_DTYPES,
    MENTIONS: MENTION_DTYPES,
    STANCES: STANCE_DTYPES,
    OOF_STANCES: {c: "float64" if c in PROBA else "int64" if c == "sent_id" else "str" for c in OOF_STANCE_COLUMNS},
    GOLD: GOLD_DTYPES,
}
"""Columns (and their dtypes) a stage reading each Parquet file relies on; checked when it is read (pipeline.io)."""
_ARROW_TYPES = {"str": ("string", "large_string"), "int64": ("int64",), "float64": ("double",)}


def schema_problem(path: Path, arrow_types: dict[str, str]) -> str | None:
    """What is wrong with a Parquet file of ``PARQUET_SCHEMAS`` whose columns have these Arrow types, if anything."""
    expected = next((d for rel, d in PARQUET_SCHEMAS.items() if path.parts[-len(rel.parts) :] == rel.parts), {})
    rerun = "the file was not written by this version of the pipeline, or was edited: rerun the stage that writes it"
    missing = [column for column in expected if column not in arrow_types]
    if missing:
        return f"{path}: missing column(s) {missing} (expected {list(expected)}); {rerun}"
    for column, dtype in expected.items():
        if arrow_types[column] not in _ARROW_TYPES[dtype]:
            return f"{path}: column '{column}' holds {arrow_types[column]}, expected {dtype}; {rerun}"
    return None
