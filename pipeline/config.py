"""Load and validate params.yaml.

Every stage receives a :class:`Params` built here, so a bad key is reported
once, with its dotted path, before any stage writes anything.
"""
from __future__ import annotations

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
                key = text.casefold()
                if key in owner and owner[key] != target:
                    raise ConfigError(
                        f"params.yaml: alias '{text}' is given for both targets "
                        f"'{owner[key]}' and '{target}'"
                    )
                owner[key] = target
                aliases.append(Alias(target=str(target), text=text, kind=str(kind)))
    return aliases


def load_params(path: str | Path = "params.yaml") -> Params:
    """Read params.yaml; paths inside it are relative to the file's folder."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: params file not found")
    with path.open(encoding="utf-8") as fh:
        try:
            raw = yaml.safe_load(fh) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: top level must be a mapping of keys")
    params = Params(raw=raw, root=path.resolve().parent)
    params.aliases()  # fail early on a broken alias table
    return params
