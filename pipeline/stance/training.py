"""What the evaluate, train and stance stages share: the labelled units and the chosen classifier."""
from __future__ import annotations

import json

import pandas as pd

from pipeline import io
from pipeline.config import ConfigError, Params
from pipeline.gold import GOLD, attach_gold, load_gold
from pipeline.stages.tag import MENTIONS, SENTENCES
from pipeline.units import KEY, stance_units

OOF = "outputs/data/oof_stances.parquet"
EVALUATION = "outputs/metrics/evaluate.json"
AUTO = "auto"


def all_units(params: Params) -> pd.DataFrame:
    """Every (sentence, target) unit of the tagged corpus."""
    return stance_units(io.read_parquet(params.root / SENTENCES), io.read_parquet(params.root / MENTIONS))


def gold_units(units: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Units of the gold documents with their gold ``label``, in a fixed order.

    GoldError (from pipeline.gold) when the gold set and the corpus disagree.
    """
    gold = load_gold(params.root / GOLD)
    labelled = attach_gold(units, gold, where=GOLD)
    return labelled.sort_values(KEY).reset_index(drop=True)


def evaluated_classifiers(params: Params) -> list[str]:
    names = [str(n) for n in params.get("stance.evaluate.classifiers")]
    if not names or len(set(names)) != len(names):
        raise ConfigError(f"params.yaml: stance.evaluate.classifiers {names} must list classifiers, each once")
    return names


def resolve_classifier(params: Params) -> str:
    """``stance.classifier``; ``auto`` means the evaluate stage's choice (best out-of-fold macro-F1)."""
    name = str(params.get("stance.classifier"))
    if name != AUTO:
        return name
    path = params.root / EVALUATION
    if not path.is_file():
        raise FileNotFoundError(f"{path}: stance.classifier is 'auto' but the evaluate stage has not run")
    return str(json.loads(path.read_text(encoding="utf-8"))["selected"])
