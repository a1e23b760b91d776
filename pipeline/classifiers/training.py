"""What the evaluate, train and stance stages share: the labelled units and the chosen classifier."""

from __future__ import annotations

import json

import pandas as pd

from pipeline import io, paths
from pipeline.annotation.gold import attach_gold, read_gold
from pipeline.classifiers import AUTO, check_settings
from pipeline.diagnostics import warn
from pipeline.nlp.units import stance_units
from pipeline.params import Params
from pipeline.paths import KEY

SENTENCE_COLUMNS = ["doc_id", "sent_id", "start_char", "sent_key", "text"]
DOCUMENT_COLUMNS = ["doc_id", "text"]
"""What the unit table needs of documents.parquet: the text whose blank lines part paragraphs."""


def read_units(params: Params, doc_ids: list[str]) -> pd.DataFrame:
    """The units of just these documents, read with Parquet filters: a unit carries its sentence, paragraph
    and neighbours, so building every unit of a large corpus to keep the gold documents' would cost memory
    in proportion to the corpus. A document's units depend on that document alone, so they are the same."""
    root = params.root
    return stance_units(
        io.read_parquet(root / paths.SENTENCES, columns=SENTENCE_COLUMNS, doc_ids=doc_ids),
        io.read_parquet(root / paths.MENTIONS, columns=list(paths.MENTION_DTYPES), doc_ids=doc_ids),
        io.read_parquet(root / paths.DOCUMENTS, columns=DOCUMENT_COLUMNS, doc_ids=doc_ids),
    )


def gold_units(params: Params) -> pd.DataFrame:
    """The gold-labelled units with ``label`` under ``stance.basis`` (and ``basis``), in a fixed order.

    Only the gold documents' units are built (:func:`read_units`). Warns once
    per target that has no gold at all (a target just added): it is neither
    scored nor learned from, and compare reports it from model labels.
    """
    gold = read_gold(params.root)
    units = read_units(params, sorted(gold["doc_id"].unique()))
    labelled = attach_gold(units, gold, reading=params.stance.basis)
    warn_targets_without_gold(labelled, params.target_names)
    return labelled.sort_values(KEY).reset_index(drop=True)


def warn_targets_without_gold(labelled: pd.DataFrame, targets: list[str]) -> list[str]:
    """The targets no gold unit has, each with one warning saying what follows and how to start its gold."""
    missing = [t for t in targets if t not in set(labelled["target"])]
    for target in missing:
        warn(
            f"no gold for target {target}: classifiers are scored and fitted on the other targets' gold only, "
            f"and compare reports {target} from model labels with a warning; start its gold with "
            f"`python -m pipeline annotate export --target {target}`"
        )
    return missing


def resolve_classifier(params: Params) -> str:
    """``stance.classifier``; ``auto`` means the evaluate stage's choice (best out-of-fold macro-F1)."""
    name = params.stance.classifier
    if name != AUTO:
        check_settings(params, [name], "stance.classifier")
        return name
    check_settings(params, [], "stance.classifier")
    path = params.root / paths.EVALUATION
    if not path.is_file():
        raise FileNotFoundError(f"{path}: stance.classifier is 'auto' but the evaluate stage has not run")
    return str(json.loads(path.read_text(encoding="utf-8"))["selected"])
