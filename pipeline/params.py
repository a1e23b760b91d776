"""params.yaml as typed settings, validated once when it is loaded.

One pydantic model per section. Validation is strict: a bool is not an
integer, 2.9 is not an integer, "many" is not a number, ``.nan`` is not a
finite number, and a key the model does not know is an error (a typo would
otherwise be silently ignored). Each problem becomes ONE line naming the
dotted key, the value and what is allowed::

    params.yaml: compare.bootstrap.n_resamples: true is not allowed (an integer >= 1)

Stages read typed attributes (``params.compare.bootstrap.level``) and the
project root (``params.root``); artefact paths are in pipeline.paths. The
``classifiers`` section maps each classifier's name to the keyword
arguments of its factory; pipeline.plugins binds and validates each one
against the factory's signature when a stage builds classifiers.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from pipeline import paths

ALIAS_KINDS: frozenset[str] = frozenset({"state", "capital", "leader", "demonym", "territory", "historical"})
AliasKind = Literal["state", "capital", "leader", "demonym", "territory", "historical"]
SPACY_MAX_LENGTH = 1_000_000
"""spaCy's default ``nlp.max_length``: the tag stage cannot take a longer document."""


class ConfigError(ValueError):
    """A params.yaml key is missing or has a value the pipeline cannot use."""


@dataclass(frozen=True)
class Alias:
    target: str
    text: str
    kind: str


STRICT = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
PositiveNumber = Annotated[float, Field(gt=0)]
Level = Annotated[float, Field(gt=0, lt=1)]
Text = Annotated[str, Field(min_length=1)]
Texts = Annotated[list[Text], Field(min_length=1)]


def problem(message: str) -> PydanticCustomError:
    """A cross-key error whose message already names its dotted key."""
    return PydanticCustomError("params", "{message}", {"message": message})


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
    labels: Literal["model", "gold"]


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
    table_max_rows: PositiveInt
    examples_per_label: NonNegativeInt

    @model_validator(mode="after")
    def _embed_is_written(self) -> Report:
        if self.embed not in self.formats:
            raise problem(f"report.embed: '{self.embed}' is not allowed (one of report.formats {self.formats})")
        return self


class SecondPass(Section):
    share: Annotated[float, Field(gt=0, le=1)]
    seed: int


class Agreement(Section):
    bootstrap: Resampling
    second_pass: SecondPass


class Executor(Section):
    kind: Literal["local", "dask"] = "local"
    scheduler: Text | None = None
    workers: PositiveInt = 2
    threads_per_worker: PositiveInt = 1
    partition_docs: PositiveInt = 64


Targets = dict[str, dict[AliasKind, Annotated[list[str], Field(min_length=1)]]]


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
    compare: Compare
    frames: Frames
    report: Report
    agreement: Agreement
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
        check_actors(self.nlp.actors, self.targets)
        for name, category in self.frames.categories.items():
            unknown = sorted(set(category.within) - set(self.targets))
            if unknown:
                raise problem(f"frames.categories.{name}.within: unknown target(s) {unknown}")
        return self


def with_root(params: Params, root: Path) -> Params:
    params._root = root
    return params


def check_aliases(targets: Targets) -> None:
    """No alias without a letter, none given twice (in one target or for two targets)."""
    owner: dict[str, tuple[str, str]] = {}
    for target, kinds in targets.items():
        if not kinds:
            raise problem(f"targets.{target} has no aliases")
        for kind, names in kinds.items():
            for name in names:
                text = name.strip()
                if not text:
                    raise problem(f"targets.{target}.{kind} has an empty alias")
                if not re.search(r"\w", text):
                    raise problem(f"targets.{target}.{kind}: alias '{text}' has no letter or digit")
                key = " ".join(text.split()).casefold()
                if key in owner and owner[key][0] != target:
                    raise problem(f"alias '{text}' is given for both targets '{owner[key][0]}' and '{target}'")
                if key in owner:
                    raise problem(
                        f"alias '{text}' is listed twice under targets.{target} "
                        f"(kinds '{owner[key][1]}' and '{kind}'); keep it under one kind"
                    )
                owner[key] = (target, kind)


def check_actors(actors: Mapping[str, Actor], targets: Targets) -> None:
    """An actor is not a target, and none of its names is a target alias (one span, one actor id)."""
    alias_target = {
        " ".join(name.split()).casefold(): target
        for target, kinds in targets.items()
        for names in kinds.values()
        for name in names
    }
    for actor_id, actor in actors.items():
        if actor_id in targets:
            raise problem(f"nlp.actors.{actor_id} duplicates a target; list its names under targets")
        for name in actor.names:
            key = " ".join(name.split()).casefold()
            if key in alias_target:
                raise problem(
                    f"nlp.actors.{actor_id} lists '{name}', which is an alias of target "
                    f"'{alias_target[key]}'; keep it in one place"
                )


# --- loading ------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error, not 'last wins'."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(
                    f"line {key_node.start_mark.line + 1}: key '{key}' is given twice in one mapping "
                    f"(first at line {seen[key]}); YAML would silently keep only the last"
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, error: type[ValueError]) -> Any:
    """Parse a hand-edited YAML file; any problem becomes ``error`` naming the file (and line)."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except ConfigError as exc:
        raise error(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start})") from exc


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


# --- one line per problem -----------------------------------------------------------------


def first_problem(exc: ValidationError, model: type[BaseModel], prefix: str = "") -> str:
    """The first validation error as ``key: value is not allowed (what is allowed)``."""
    errors = exc.errors()
    line = describe_error(errors[0], model.model_json_schema(), prefix)
    return line + (f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else "")


def describe_error(error: Mapping[str, Any], schema: dict[str, Any], prefix: str = "") -> str:
    if error["type"] == "params":
        return str(error["ctx"]["message"])
    loc = [part for part in error["loc"] if part != "[key]"]
    key = ".".join(str(part) for part in [*([prefix] if prefix else []), *loc])
    node = _schema_at(schema, loc)
    if error["type"] == "missing":
        return f"{key}: missing ({allowed(node, schema)})"
    if error["type"] == "extra_forbidden":
        parent = _schema_at(schema, loc[:-1])
        known = ", ".join(sorted(parent.get("properties", {})))
        return f"{key}: unknown key (known: {known})"
    if "[key]" in error["loc"]:
        parent = _resolve(_schema_at(schema, loc[:-1]), schema)
        return f"{key}: not allowed as a name here ({allowed(parent.get('propertyNames', {}), schema)})"
    if error["type"] == "value_error":
        return f"{key}: {yaml_value(error['input'])} is not allowed ({error['ctx']['error']})"
    return f"{key}: {yaml_value(error['input'])} is not allowed ({allowed(node, schema)})"


def _resolve(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = {**schema["$defs"][node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _schema_at(schema: dict[str, Any], loc: list[Any]) -> dict[str, Any]:
    node = _resolve(schema, schema)
    for part in loc:
        options = [_resolve(o, schema) for o in node.get("anyOf", [node])]
        node = next((o for o in options if o.get("type") != "null"), node)
        if isinstance(part, int):
            node = _resolve(node.get("items", {}), schema)
        elif part in node.get("properties", {}):
            node = _resolve(node["properties"][part], schema)
        elif isinstance(node.get("additionalProperties"), dict):
            node = _resolve(node["additionalProperties"], schema)
        else:
            return {}
    return node


def _bounds(node: dict[str, Any]) -> str:
    parts = []
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in node:
            parts.append(f"{sign} {node[key]:g}")
    return " " + " and ".join(parts) if parts else ""


def allowed(node: dict[str, Any], schema: dict[str, Any]) -> str:
    """What a schema node accepts, in words."""
    node = _resolve(node, schema)
    if "allowed" in node:
        return str(node["allowed"])
    if "anyOf" in node:
        return " or ".join(allowed(option, schema) for option in node["anyOf"])
    if "enum" in node:
        return "one of " + ", ".join(yaml_value(v) for v in node["enum"])
    if "const" in node:
        return yaml_value(node["const"])
    kind = node.get("type")
    if kind == "integer":
        return "an integer" + _bounds(node)
    if kind == "number":
        return "a finite number" + _bounds(node)
    if kind == "string":
        return "a non-empty text" if node.get("minLength") else "a text"
    if kind == "boolean":
        return "true or false"
    if kind == "null":
        return "null"
    if kind == "array":
        head = "a non-empty list" if node.get("minItems") else "a list"
        return f"{head}, each {allowed(node.get('items', {}), schema)}"
    if kind == "object":
        if node.get("properties"):
            return "a mapping with keys " + ", ".join(node["properties"])
        return "a mapping of names to values"
    return "a value of another kind"


def yaml_value(value: Any) -> str:
    """A value as it would be written in params.yaml (true, null, .nan, 'text'), shortened."""
    if value is True or value is False:
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, float) and math.isnan(value):
        return ".nan"
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, int | float):
        return f"{value!r}"
    if isinstance(value, str):
        return repr(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text if len(text) <= 60 else text[:57] + "..."
