"""params.yaml as typed settings, validated once when it is loaded.

One pydantic model per section. Validation is strict: a bool is not an
integer, 2.9 is not an integer, "many" is not a number, ``.nan`` is not a
finite number, and a key the model does not know is an error (a typo would
otherwise be silently ignored). Each problem becomes ONE line naming the
dotted key, the value and what is allowed::

    params.yaml: compare.bootstrap.n_resamples: true is not allowed (an integer >= 1)

Problems are rendered by pipeline.validation. Stages read typed attributes (``params.compare.bootstrap.level``) and the
project root (``params.root``); artefact paths are in pipeline.paths. The
``classifiers`` section maps each classifier's name to the keyword
arguments of its factory; pipeline.plugins binds and validates each one
against the factory's signature when a stage builds classifiers.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from pipeline import paths
from pipeline.targets import Alias, Targets, check_actors, check_aliases
from pipeline.validation import ConfigError, first_problem, problem, read_yaml

SPACY_MAX_LENGTH = 1_000_000
"""spaCy's default ``nlp.max_length``: the tag stage cannot take a longer document."""


STRICT = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
PositiveNumber = Annotated[float, Field(gt=0)]
Level = Annotated[float, Field(gt=0, lt=1)]
Text = Annotated[str, Field(min_length=1)]
Texts = Annotated[list[Text], Field(min_length=1)]


class Section(BaseModel):
    model_config = STRICT


class Corpus(Section):
    origins: Texts
    """author_origin values a manifest row may use."""

    @field_validator("origins")
    @classmethod
    def _unique(cls, origins: list[str]) -> list[str]:
        repeated = sorted({o for o in origins if origins.count(o) > 1})
        if repeated:
            raise problem(f"corpus.origins lists {repeated} more than once")
        return origins


class CleaningInput(Section):
    """How raw files become text before the cleaning rules run (pipeline.ingestion.decoding)."""

    encodings: Texts = ["cp1252", "cp1251"]
    encoding_margin: Annotated[float, Field(ge=0, le=1)] = 0.05
    html: Literal["strip", "refuse"] = "strip"
    max_line_chars: PositiveInt = 50_000
    max_document_chars: Annotated[
        int,
        Field(
            ge=1,
            le=SPACY_MAX_LENGTH,
            json_schema_extra={
                "allowed": f"an integer from 1 to {SPACY_MAX_LENGTH:,}, spaCy's max_length; split longer documents "
                "into several manifest rows"
            },
        ),
    ] = SPACY_MAX_LENGTH

    @field_validator("encodings")
    @classmethod
    def _known_codecs(cls, encodings: list[str]) -> list[str]:
        for name in encodings:
            try:
                codecs.lookup(name)
            except LookupError:
                raise problem(f"cleaning.input.encodings: unknown codec '{name}'") from None
        return encodings


class Cleaning(Section):
    input: CleaningInput = CleaningInput()


class Actor(Section):
    label: Text = "ORG"
    names: Texts


class Nlp(Section):
    model: Text = "blank"
    lang: Text = "en"
    batch_size: PositiveInt = 32
    actors: dict[str, Actor] = {}


class Stance(Section):
    classifier: Text
    """A registered classifier, or ``auto``: the evaluate stage's choice."""
    labels: Literal["auto", "gold", "model"]
    """Reported label source per group: ``auto`` = gold if complete, else ppi where there is gold, else model."""
    basis: Literal["full", "text"] = "full"
    """Reading of gold labels: ``full`` as annotated; ``text``: context-basis labels count as neutral."""


class Evaluate(Section):
    classifiers: Texts
    selection_tolerance: Annotated[float, Field(ge=0)]
    calibration_bins: PositiveInt

    @field_validator("classifiers")
    @classmethod
    def _each_once(cls, names: list[str]) -> list[str]:
        if len(set(names)) != len(names):
            raise problem(f"evaluate.classifiers {names} must list each classifier once")
        return names


class CrossValidation(Section):
    loo_max_documents: PositiveInt | None = 20
    """Leave-one-document-out up to this many documents (None: always); grouped K folds above."""
    k_folds: Annotated[int, Field(ge=2)] = 10


class Resampling(Section):
    n_resamples: PositiveInt
    level: Level


class Permutation(Section):
    n_permutations: PositiveInt


class LogOdds(Section):
    prior_scale: PositiveNumber
    top_n: PositiveInt
    min_count: PositiveInt
    ngram_max: PositiveInt
    english_stop_words: bool


class Cooccurrence(Section):
    window: NonNegativeInt
    max_actors: PositiveInt


class Compare(Section):
    min_mentions: PositiveInt
    bootstrap: Resampling
    permutation: Permutation
    log_odds: LogOdds
    cooccurrence: Cooccurrence


class FrameSpec(Section):
    description: str = ""
    terms: Texts
    exclude: list[Text] = []
    within: list[Text] = []

    @field_validator("terms")
    @classmethod
    def _no_empty_term(cls, terms: list[str]) -> list[str]:
        if any(not t.rstrip("*").strip() for t in terms):
            raise ValueError("empty term")
        return terms


class Frames(Section):
    categories: Annotated[dict[str, FrameSpec], Field(min_length=1)]


class Widths(Section):
    single: PositiveNumber = 3.5
    double: PositiveNumber = 7.2


class Report(Section):
    formats: Annotated[list[Literal["png", "svg", "pdf"]], Field(min_length=1)]
    dpi: PositiveInt
    palette: Text
    width_in: Widths = Widths()
    title: str
    embed: Literal["svg", "png"]
    examples_per_label: NonNegativeInt
    max_document_rows: PositiveInt = 30
    """Figures list documents one per row up to this many; above, they pool documents by origin group."""

    @model_validator(mode="after")
    def _embed_is_written(self) -> Report:
        if self.embed not in self.formats:
            raise problem(f"report.embed: '{self.embed}' is not allowed (one of report.formats {self.formats})")
        return self


class Gold(Section):
    bootstrap: Resampling
    """Resamples and level of the agreement intervals (units resampled within document x target)."""


class Annotate(Section):
    min_per_cell: PositiveInt = 15
    """Units `annotate export` draws at least from every document x target cell (all of a smaller cell)."""


class Executor(Section):
    kind: Literal["local", "dask"] = "local"
    scheduler: Text | None = None
    workers: PositiveInt = 2
    threads_per_worker: PositiveInt = 1
    partition_docs: PositiveInt = 64


class Params(Section):
    """Every section of params.yaml, plus the project root paths are resolved against."""

    seed: int
    corpus: Corpus
    cleaning: Cleaning = Cleaning()
    nlp: Nlp = Nlp()
    targets: Annotated[Targets, Field(min_length=1)]
    stance: Stance
    classifiers: dict[str, dict[str, Any]] = {}
    """Keyword arguments of each classifier's factory (checked against its signature by pipeline.plugins)."""
    evaluate: Evaluate
    cross_validation: CrossValidation = CrossValidation()
    compare: Compare
    frames: Frames
    report: Report
    gold: Gold
    annotate: Annotate = Annotate()
    executor: Executor = Executor()

    _root: Path = PrivateAttr(default=Path("."))

    @property
    def root(self) -> Path:
        """The project folder: params.yaml's folder, which every path in pipeline.paths is relative to."""
        return self._root

    @property
    def target_names(self) -> list[str]:
        return list(self.targets)

    def aliases(self) -> list[Alias]:
        """Every target alias with its kind."""
        return [
            Alias(target, name.strip(), kind)
            for target, kinds in self.targets.items()
            for kind, names in kinds.items()
            for name in names
        ]

    @model_validator(mode="after")
    def _consistent(self) -> Params:
        check_aliases(self.targets)
        check_actors({actor_id: actor.names for actor_id, actor in self.nlp.actors.items()}, self.targets)
        for name, category in self.frames.categories.items():
            unknown = sorted(set(category.within) - set(self.targets))
            if unknown:
                raise problem(f"frames.categories.{name}.within: unknown target(s) {unknown}")
        return self


def with_root(params: Params, root: Path) -> Params:
    params._root = root
    return params


# --- loading ------------------------------------------------------------------------------


def parse_params(raw: Any, root: Path, where: str = "params.yaml") -> Params:
    """Validate a params mapping; the first problem becomes a one-line ConfigError."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: top level must be a mapping of keys")
    try:
        params = Params.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {first_problem(exc, Params)}") from None
    return with_root(params, root)


def load_params(path: str | Path = paths.PARAMS) -> Params:
    """Read and validate params.yaml; the project root is the file's folder."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: params file not found")
    return parse_params(read_yaml(path, ConfigError) or {}, path.resolve().parent, where=path.name)
