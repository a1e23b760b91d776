"""Load and validate params.yaml.

Every stage receives a :class:`Params` built here, so a bad key is reported
once, with its dotted path, before any stage writes anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LABELS: tuple[str, ...] = ("against", "favor", "neutral")
"""Stance labels in the fixed column order of every probability matrix."""

ALIAS_KINDS: frozenset[str] = frozenset(
    {"state", "capital", "leader", "demonym", "territory", "historical"}
)


class ConfigError(ValueError):
    """A params.yaml key is missing or has a value the pipeline cannot use."""


@dataclass(frozen=True)
class Alias:
    target: str
    text: str
    kind: str


@dataclass(frozen=True)
class Params:
    """params.yaml as read, plus the project root paths are resolved against."""

    raw: dict[str, Any]
    root: Path

    def get(self, dotted: str, default: Any = ...) -> Any:
        """Value at a dotted key (``"stance.lexicon.window"``); ConfigError names it if absent."""
        node: Any = self.raw
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is not ...:
                    return default
                raise ConfigError(f"params.yaml: missing key '{dotted}'")
            node = node[part]
        return node

    def path(self, dotted: str) -> Path:
        """A path-valued key resolved against the project root."""
        return self.root / str(self.get(dotted))

    @property
    def seed(self) -> int:
        return int(self.get("seed"))

    @property
    def targets(self) -> list[str]:
        return list(self.get("targets"))

    def aliases(self) -> list[Alias]:
        """Every target alias with its kind, validated (no empty list, no alias on two targets)."""
        return parse_aliases(self.get("targets"))


def parse_aliases(targets: Any) -> list[Alias]:
    if not isinstance(targets, dict) or not targets:
        raise ConfigError("params.yaml: 'targets' must map each target to its alias kinds")
    aliases: list[Alias] = []
    owner: dict[str, str] = {}
    for target, kinds in targets.items():
        if not isinstance(kinds, dict) or not any(kinds.values()):
            raise ConfigError(f"params.yaml: targets.{target} has no aliases")
        for kind, names in kinds.items():
            if kind not in ALIAS_KINDS:
                raise ConfigError(
                    f"params.yaml: targets.{target}.{kind}: unknown alias kind "
                    f"(expected one of {sorted(ALIAS_KINDS)})"
                )
            if not isinstance(names, list) or not names:
                raise ConfigError(f"params.yaml: targets.{target}.{kind} is an empty alias list")
            for name in names:
                text = str(name).strip()
                if not text:
                    raise ConfigError(f"params.yaml: targets.{target}.{kind} has an empty alias")
                if not re.search(r"\w", text):
                    raise ConfigError(
                        f"params.yaml: targets.{target}.{kind}: alias '{text}' has no letter or digit"
                    )
                key = " ".join(text.split()).casefold()
                if key in owner and owner[key][0] != target:
                    raise ConfigError(
                        f"params.yaml: alias '{text}' is given for both targets "
                        f"'{owner[key][0]}' and '{target}'"
                    )
                if key in owner:
                    raise ConfigError(
                        f"params.yaml: alias '{text}' is listed twice under targets.{target} "
                        f"(kinds '{owner[key][1]}' and '{kind}'); keep it under one kind"
                    )
                owner[key] = (str(target), str(kind))
                aliases.append(Alias(target=str(target), text=text, kind=str(kind)))
    return aliases


def validate_params(raw: dict[str, Any]) -> None:
    """Checks of the keys several stages rely on, so a typo fails before any stage writes.

    Stage-specific keys are checked where they are read (e.g. ``cleaning.input``
    by the ingest stage, ``stance.classifier`` by the stance stage).
    """
    seed = raw.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"params.yaml: 'seed' must be an integer, not {seed!r}")
    origins = raw.get("corpus", {}).get("origins") if isinstance(raw.get("corpus"), dict) else None
    if origins is not None:
        if (not isinstance(origins, list) or not origins
                or not all(isinstance(o, str) and o.strip() for o in origins)):
            raise ConfigError("params.yaml: corpus.origins must be a non-empty list of group names")
        repeated = sorted({o for o in origins if origins.count(o) > 1})
        if repeated:
            raise ConfigError(f"params.yaml: corpus.origins lists {repeated} more than once")
    aliases = parse_aliases(raw.get("targets"))
    _check_actor_names(raw, aliases)


def _check_actor_names(raw: dict[str, Any], aliases: list[Alias]) -> None:
    """A name under nlp.actors that is also a target alias would give one span two actor ids."""
    actors = raw.get("nlp", {}).get("actors") if isinstance(raw.get("nlp"), dict) else None
    if not isinstance(actors, dict):
        return
    alias_target = {" ".join(a.text.split()).casefold(): a.target for a in aliases}
    for actor_id, spec in actors.items():
        names = spec.get("names", []) if isinstance(spec, dict) else []
        for name in names if isinstance(names, list) else []:
            key = " ".join(str(name).split()).casefold()
            if key in alias_target:
                raise ConfigError(
                    f"params.yaml: nlp.actors.{actor_id} lists '{name}', which is an alias of target "
                    f"'{alias_target[key]}'; keep it in one place"
                )


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


def load_params(path: str | Path = "params.yaml") -> Params:
    """Read params.yaml; paths inside it are relative to the file's folder."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: params file not found")
    raw = read_yaml(path, ConfigError) or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: top level must be a mapping of keys")
    validate_params(raw)  # fail early on a broken alias table or group list
    return Params(raw=raw, root=path.resolve().parent)
