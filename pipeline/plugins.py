"""The two plugin registries, ``classifiers`` and ``figures``, and how they are filled.

One style for both (catalogue, spaCy's registry library): a plugin is one
module with one decorator, and nothing else to edit.

- A classifier: ``@classifiers.register("name")`` on a factory whose typed
  keyword arguments ARE its params section ``classifiers.<name>`` (bound
  and validated against the signature by :func:`bind`: strict types,
  unknown keys refused); an argument named ``context`` receives a
  ``pipeline.classifiers.base.ClassifierContext`` (targets, aliases, actors,
  seed, project root, and ``build(name)`` for classifiers made of others).
  ``stance.classifier`` or ``evaluate.classifiers`` then select it.
- A figure: ``@figures.register("stem", order=..., title=..., sources=(...))``
  on a draw function ``(FigureContext) -> Drawn`` (pipeline.figures.registry);
  the report stage draws every registered figure in ``order``.

Where plugins come from:

- built-in: every module under ``pipeline/classifiers/`` and
  ``pipeline/figures/`` is imported (pkgutil) the first time a stage asks a
  registry for its entries, so a new built-in is one new file;
- the project's own: every ``*.py`` under ``<project root>/plugins/`` is
  imported before a stage runs (the CLI calls :func:`load_project_plugins`;
  like spaCy's ``--code``). dvc.yaml lists ``plugins`` as a dependency of the
  stages that use a registry (evaluate, train, stance, report).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import pkgutil
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import catalogue
from pydantic import ValidationError, create_model

from pipeline import paths
from pipeline.params import STRICT
from pipeline.validation import ConfigError, first_problem

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = "context"
"""A factory argument of this name gets the classifier context instead of a params value."""

classifiers = catalogue.create("stance_pipeline", "classifiers", entry_points=False)
"""name -> factory of a StanceClassifier (see the module docstring)."""


@dataclass(frozen=True)
class FigureSpec:
    """A registered figure: where it sits in the set, its file stem and title, the files it reads."""

    order: int
    stem: str
    title: str
    sources: tuple[str, ...]
    draw: Callable[..., Any]
    optional: bool = False  # drawn only when every source exists


class FigureRegistry:
    """A catalogue registry of :class:`FigureSpec` whose ``register`` takes the figure's metadata."""

    def __init__(self) -> None:
        self._registry = catalogue.create("stance_pipeline", "figures", entry_points=False)

    def register(
        self, stem: str, *, order: int, title: str, sources: tuple[str | Path, ...], optional: bool = False
    ) -> Callable[[F], F]:
        """Register a draw function; stems and order slots are unique within the set."""

        def add(draw: F) -> F:
            for other in self._registry.get_all().values():
                if other.stem != stem and other.order == order:
                    raise ValueError(f"figure '{stem}': order {order} is taken by '{other.stem}'")
            spec = FigureSpec(order, stem, title, tuple(str(s) for s in sources), draw, optional)
            self._registry.register(stem, func=spec)
            return draw

        return add

    def specs(self) -> list[FigureSpec]:
        """Every figure of the built-in modules and the loaded project plugins, in figure-set order."""
        discover("pipeline.figures")
        return sorted(self._registry.get_all().values(), key=lambda spec: spec.order)


figures = FigureRegistry()


def discover(package: str) -> None:
    """Import every module of a built-in plugin package, so their decorators fill the registries."""
    module = importlib.import_module(package)
    for info in pkgutil.iter_modules(module.__path__, prefix=f"{package}."):
        importlib.import_module(info.name)


def load_project_plugins(root: Path) -> list[str]:
    """Import every ``*.py`` in ``<root>/plugins/`` (sorted by name); returns the module names.

    Each file becomes a module named after a hash of its path, so two
    projects' plugins of the same file name never replace each other, and a
    file is imported once per process.
    """
    loaded = []
    for path in sorted((root / paths.PLUGINS).glob("*.py")):
        resolved = path.resolve()
        name = f"project_plugins_{hashlib.sha1(str(resolved).encode()).hexdigest()[:10]}_{path.stem}"
        if name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, resolved)
            if spec is None or spec.loader is None:
                raise ConfigError(f"{path}: cannot be imported as a Python module")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
        loaded.append(name)
    return loaded


def registered_classifiers() -> dict[str, Callable[..., Any]]:
    """name -> factory, built-in modules imported first."""
    discover("pipeline.classifiers")
    return dict(classifiers.get_all())


def bind(factory: Callable[..., Any], section: Mapping[str, Any] | None, where: str) -> dict[str, Any]:
    """The factory's keyword arguments from its params section, validated against its signature.

    Strict as params.yaml itself: types must match the annotations, every
    argument without a default must be given, and a key the factory does
    not take is refused. Errors are one line naming ``where.<key>``.
    """
    hints = typing.get_type_hints(factory, include_extras=True)
    fields: dict[str, Any] = {}
    for name, parameter in inspect.signature(factory).parameters.items():
        if name == CONTEXT:
            continue
        if parameter.kind not in (parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            raise TypeError(f"{factory.__qualname__}: argument '{name}' must be a keyword argument")
        default = ... if parameter.default is parameter.empty else parameter.default
        fields[name] = (hints.get(name, Any), default)
    model = create_model(f"{factory.__name__}_settings", __config__=STRICT, **fields)
    try:
        settings = model.model_validate(dict(section or {}))
    except ValidationError as exc:
        raise ConfigError(f"params.yaml: {first_problem(exc, model, prefix=where)}") from None
    return {name: getattr(settings, name) for name in fields}


def call(factory: Callable[..., Any], section: Mapping[str, Any] | None, where: str, context: Any) -> Any:
    """Call a factory with its bound settings (and the context, if it takes one)."""
    kwargs = bind(factory, section, where)
    if CONTEXT in inspect.signature(factory).parameters:
        kwargs[CONTEXT] = context
    return factory(**kwargs)
