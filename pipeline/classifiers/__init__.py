"""Stance classifiers behind one interface (``base.StanceClassifier``), chosen by name in params.yaml.

A classifier is one module in this package with one decorator,
``@classifiers.register("name")`` (``from pipeline.plugins import
classifiers``), on a factory whose typed keyword arguments are its params
section ``classifiers.<name>``; nothing else to edit. Modules here are found
automatically, and a project's own classifiers live in ``plugins/*.py``
(pipeline.plugins). ``stance.classifier`` and ``evaluate.classifiers`` name
the ones to use.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pyarrow.parquet as pq

from pipeline import paths, plugins
from pipeline.classifiers.base import ClassifierContext, StanceClassifier, alias_rows
from pipeline.params import ConfigError, Params

AUTO = "auto"
"""``stance.classifier: auto``: the classifier the evaluate stage selected."""


def available() -> list[str]:
    """Names of every registered classifier (built-in modules and loaded project plugins)."""
    return sorted(plugins.registered_classifiers())


def context_for(params: Params) -> ClassifierContext:
    return ClassifierContext(
        targets=tuple(params.target_names),
        aliases=alias_rows(params.aliases()),
        actors=tuple((actor_id, tuple(actor.names)) for actor_id, actor in sorted(params.nlp.actors.items())),
        seed=params.seed,
        root=str(params.root),
        build=functools.partial(make_classifier, params=params),
        label_spec=label_spec(params.root / paths.GOLD),
    )


def label_spec(gold: Path) -> str:
    """ "v2" when the gold table (parquet, as the gold stage writes it) has a ``basis`` column (spec v2 made it
    required) or there is none yet; "v1" for gold labels of guide v1 (the experiments score those too)."""
    if not gold.is_file():
        return "v2"
    return "v2" if "basis" in pq.read_schema(gold).names else "v1"


def make_classifier(name: str, params: Params) -> StanceClassifier:
    """The classifier ``name``, built by its factory from ``classifiers.<name>``."""
    factories = plugins.registered_classifiers()
    if name not in factories:
        raise ConfigError(f"params.yaml: classifier '{name}' is unknown; known: {sorted(factories)}")
    model = plugins.call(factories[name], params.classifiers.get(name), f"classifiers.{name}", context_for(params))
    if not isinstance(model, StanceClassifier):
        raise TypeError(f"classifier '{name}': its factory returned {type(model).__name__}, not a StanceClassifier")
    return model


def check_settings(params: Params, names: list[str], key: str) -> None:
    """The ``classifiers`` section and the classifier ``names`` a stage will use (given at params ``key``),
    checked before the stage reads anything: every name registered, every section bound to its factory."""
    factories = plugins.registered_classifiers()
    known = ", ".join(sorted(factories))
    for name in names:
        if name not in factories:
            raise ConfigError(f"params.yaml: {key}: '{name}' is not allowed (a registered classifier: {known})")
    for name, section in params.classifiers.items():
        if name not in factories:
            raise ConfigError(f"params.yaml: classifiers.{name}: unknown classifier (registered: {known})")
        plugins.bind(factories[name], section, f"classifiers.{name}")


__all__ = [
    "AUTO",
    "ClassifierContext",
    "StanceClassifier",
    "available",
    "check_settings",
    "context_for",
    "label_spec",
    "make_classifier",
]
