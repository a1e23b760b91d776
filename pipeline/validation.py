"""Reading hand-edited YAML, and turning a validation error into one line a user can act on.

Shared by params.yaml (pipeline.params), the classifier sections bound to
factory signatures (pipeline.plugins) and the cleaning rules: a key given
twice is an error (YAML would keep the last silently), and a pydantic error
becomes ``key: value is not allowed (what is allowed)``, with the value as
YAML writes it and the allowed values read from the model's JSON schema.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError


class ConfigError(ValueError):
    """A params.yaml key is missing or has a value the pipeline cannot use."""


def problem(message: str) -> PydanticCustomError:
    """A cross-key error whose message already names its dotted key."""
    return PydanticCustomError("params", "{message}", {"message": message})


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
        raise error(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start})") from exc


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
