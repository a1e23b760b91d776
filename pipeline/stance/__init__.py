"""Stance classifiers behind one interface, chosen by name in params.yaml.

Each classifier module registers a factory ``(params) -> StanceClassifier``
in ``registry``; ``make_classifier`` looks the name up, so adding a
classifier is one module and one decorator.
"""
from __future__ import annotations

import catalogue

from pipeline.config import ConfigError, Params
from pipeline.stance.base import StanceClassifier

registry = catalogue.create("stance_pipeline", "classifiers")


def make_classifier(name: str, params: Params) -> StanceClassifier:
    _import_builtin()
    if name not in registry.get_all():
        raise ConfigError(
            f"params.yaml: stance.classifier '{name}' is unknown; known: {sorted(registry.get_all())}"
        )
    return registry.get(name)(params)


def _import_builtin() -> None:
    """Import the modules whose decorators fill the registry."""
    from pipeline.stance import calibration, embedding, ensemble, lexicon, linear, nli  # noqa: F401


def available() -> list[str]:
    """Names of every registered classifier (the built-in modules are imported first)."""
    _import_builtin()
    return sorted(registry.get_all())


__all__ = ["StanceClassifier", "available", "make_classifier", "registry"]
