"""Targets of the stance analysis: the alias table in params.yaml ``targets`` and its checks.

A target is a name (``russia``) with aliases grouped by kind; a mention is a
whole-word, case-insensitive match of an alias (pipeline.nlp.mentions). A
new target is a new entry under ``targets:`` in params.yaml, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal, get_args

from pydantic import Field

from pipeline.validation import problem

AliasKind = Literal["state", "capital", "leader", "demonym", "territory", "historical"]
ALIAS_KINDS: frozenset[str] = frozenset(get_args(AliasKind))


@dataclass(frozen=True)
class Alias:
    target: str
    text: str
    kind: str


Targets = dict[str, dict[AliasKind, Annotated[list[str], Field(min_length=1)]]]


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


def check_actors(actors: Mapping[str, Sequence[str]], targets: Targets) -> None:
    """An actor is not a target, and none of its names is a target alias (one span, one actor id)."""
    alias_target = {
        " ".join(name.split()).casefold(): target
        for target, kinds in targets.items()
        for names in kinds.values()
        for name in names
    }
    for actor_id, names in actors.items():
        if actor_id in targets:
            raise problem(f"nlp.actors.{actor_id} duplicates a target; list its names under targets")
        for name in names:
            key = " ".join(name.split()).casefold()
            if key in alias_target:
                raise problem(
                    f"nlp.actors.{actor_id} lists '{name}', which is an alias of target "
                    f"'{alias_target[key]}'; keep it in one place"
                )
