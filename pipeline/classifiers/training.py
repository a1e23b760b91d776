"""What the evaluate, train and stance stages share: the labelled units and the chosen classifier."""

from __future__ import annotations

import json

import pandas as pd

from pipeline import io, paths
from pipeline.annotation.gold import attach_gold, read_gold
from pipeline.classifiers import AUTO, check_settings
from pipeline.nlp.units import stance_units
from pipeline.params import Params
from pipeline.paths import KEY


def all_units(params: Params) -> pd.DataFrame:
    """Every (sentence, target) unit of the tagged corpus."""
    return stance_units(
        io.read_parquet(params.root / paths.SENTENCES),
        io.read_parquet(params.root / paths.MENTIONS),
        io.read_parquet(params.root / paths.DOCUMENTS),
    )


def gold_units(units: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The gold-labelled units with ``label`` under ``stance.basis`` (and ``basis``), in a fixed order."""
    labelled = attach_gold(units, read_gold(params.root), reading=params.stance.basis)
    return labelled.sort_values(KEY).reset_index(drop=True)


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
