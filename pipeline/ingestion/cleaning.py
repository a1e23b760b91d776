"""Rule-driven removal of web boilerplate, with an audit of every removal.

The rules live in a YAML file (corpus/cleaning_rules.yaml), not in code, so
a researcher can see and change exactly what is removed. ``clean`` first
normalises the text (pipeline.ingestion.normalise: invisible characters,
spaces, NFKC), then applies the rules, and returns the clean text with a
record of each change and of each line or fragment a rule removed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.ingestion.extraction import RULE as EXTRACTOR_RULE
from pipeline.ingestion.normalise import normalise_text
from pipeline.validation import read_yaml

RULE_KINDS = frozenset(
    {"strip", "drop_line", "truncate_from", "toc_block", "table_block", "author_line", "repeated_line", "teaser_line"}
)
RULE_KEYS = frozenset({"name", "kind", "pattern", "max_len", "prose_min_len", "min_len"})
_PAGE_REF = re.compile(r"\s+\d{1,4}\s*$")
_SPACES = re.compile(r"[ \t]+")


class RulesError(ValueError):
    """The cleaning rules file is malformed."""


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    pattern: re.Pattern[str] | None
    max_len: int | None = None
    prose_min_len: int = 80
    min_len: int = 40


@dataclass
class CleanResult:
    text: str
    removed: list[dict[str, Any]] = field(default_factory=list)
    raw_lines: int = 0
    kept_lines: int = 0
    normalisation: dict[str, Any] = field(default_factory=dict)

    def audit(self, doc_id: str) -> dict[str, Any]:
        counts = Counter(r["rule"] for r in self.removed)
        return {
            "doc_id": doc_id,
            "raw_lines": self.raw_lines,
            "kept_lines": self.kept_lines,
            "normalisation": self.normalisation,
            "counts": dict(sorted(counts.items())),
            "removed": self.removed,
        }


def load_rules(path: Path) -> list[Rule]:
    if not path.is_file():
        raise RulesError(f"{path}: cleaning rules file not found")
    data = read_yaml(path, RulesError) or {}
    if not isinstance(data, dict) or not isinstance(data.get("rules", []), list):
        raise RulesError(f"{path}: expected a mapping with a 'rules' list")
    rules: list[Rule] = []
    names: set[str] = set()
    for i, spec in enumerate(data.get("rules", [])):
        where = f"{path}: rules[{i}]"
        if not isinstance(spec, dict) or "name" not in spec or spec.get("kind") not in RULE_KINDS:
            raise RulesError(f"{where}: needs a name and a kind in {sorted(RULE_KINDS)}")
        unknown = sorted(set(spec) - RULE_KEYS)
        if unknown:
            raise RulesError(f"{where} ({spec['name']}): unknown key(s) {unknown}; known: {sorted(RULE_KEYS)}")
        if spec["name"] in names:
            raise RulesError(f"{where}: rule name '{spec['name']}' is used twice; the audit needs unique names")
        names.add(spec["name"])
        for key in ("max_len", "prose_min_len", "min_len"):
            value = spec.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise RulesError(f"{where} ({spec['name']}): {key} must be a non-negative integer, not {value!r}")
        needs_pattern = spec["kind"] not in {"author_line", "repeated_line", "teaser_line"}
        pattern = None
        if needs_pattern:
            if not spec.get("pattern"):
                raise RulesError(f"{where} ({spec['name']}): kind {spec['kind']} needs a pattern")
            try:
                pattern = re.compile(spec["pattern"])
            except re.error as exc:
                raise RulesError(f"{where} ({spec['name']}): bad regex: {exc}") from exc
        rules.append(
            Rule(
                name=str(spec["name"]),
                kind=spec["kind"],
                pattern=pattern,
                max_len=spec.get("max_len"),
                prose_min_len=int(spec.get("prose_min_len", 80)),
                min_len=int(spec.get("min_len", 40)),
            )
        )
    if not rules:
        raise RulesError(f"{path}: no rules")
    return rules


def normalise_line(line: str) -> str:
    """Runs of spaces and tabs to one space, no edge whitespace (the text is already normalised)."""
    return _SPACES.sub(" ", line).strip()


def _key(line: str) -> str:
    return normalise_line(line).casefold()


Line = tuple[int, str]  # (1-based raw line number, text)


def _apply(rule: Rule, lines: list[Line], author: str, log: list[dict[str, Any]]) -> list[Line]:
    def drop(entry: Line) -> None:
        if entry[1].strip():  # blank lines carry nothing worth auditing
            log.append({"rule": rule.name, "line": entry[0], "text": entry[1]})

    def short_enough(text: str) -> bool:
        return rule.max_len is None or len(text) <= rule.max_len

    kept: list[Line] = []
    if rule.kind == "strip":
        assert rule.pattern is not None
        for no, text in lines:
            hits = [m.group(0) for m in rule.pattern.finditer(text) if m.group(0)]
            if hits:
                log.extend({"rule": rule.name, "line": no, "text": h} for h in hits)
                text = rule.pattern.sub("", text)
            kept.append((no, text))
    elif rule.kind == "drop_line":
        assert rule.pattern is not None
        for entry in lines:
            if rule.pattern.search(entry[1]) and short_enough(entry[1]):
                drop(entry)
            else:
                kept.append(entry)
    elif rule.kind == "truncate_from":
        assert rule.pattern is not None
        cut = next((i for i, (_, t) in enumerate(lines) if rule.pattern.search(t)), None)
        kept = lines if cut is None else lines[:cut]
        for entry in lines[len(kept) :]:
            drop(entry)
    elif rule.kind == "toc_block":
        kept = _drop_toc(rule, lines, drop)
    elif rule.kind == "table_block":
        assert rule.pattern is not None
        in_table = False
        for entry in lines:
            if rule.pattern.search(entry[1]):
                in_table = True
            elif in_table and len(entry[1].strip()) >= rule.prose_min_len:
                in_table = False
            if in_table:
                drop(entry)
            else:
                kept.append(entry)
    elif rule.kind == "author_line":
        names = [n.strip() for n in author.split(";") if n.strip()]
        for entry in lines:
            text = entry[1].strip()
            if names and any(text.startswith(n) for n in names) and short_enough(text):
                drop(entry)
            else:
                kept.append(entry)
    elif rule.kind == "repeated_line":
        seen: set[str] = set()
        for entry in lines:
            key = _key(entry[1])
            if key and key in seen:
                drop(entry)
            else:
                seen.add(key)
                kept.append(entry)
    elif rule.kind == "teaser_line":
        keys = [_key(t) for _, t in lines]
        for i, entry in enumerate(lines):
            key = keys[i]
            if len(key) >= rule.min_len and any(k.startswith(key) and k != key for k in keys[i + 1 :]):
                drop(entry)
            else:
                kept.append(entry)
    return kept


def _drop_toc(rule: Rule, lines: list[Line], drop: Callable[[Line], None]) -> list[Line]:
    """A contents block ends where its first entry reappears as a body heading."""
    assert rule.pattern is not None
    start = next((i for i, (_, t) in enumerate(lines) if rule.pattern.search(t)), None)
    if start is None:
        return lines
    first_entry = next((t for _, t in lines[start + 1 :] if t.strip()), "")
    heading = _key(_PAGE_REF.sub("", first_entry))
    end = next(
        (j for j in range(start + 2, len(lines)) if heading and _key(lines[j][1]) == heading),
        None,
    )
    if end is None:  # no reappearing heading: drop only the contents heading
        drop(lines[start])
        return lines[:start] + lines[start + 1 :]
    for entry in lines[start:end]:
        drop(entry)
    return lines[:start] + lines[end:]


def clean(raw: str, rules: list[Rule], author: str = "", left_out: Sequence[str] = ()) -> CleanResult:
    """Normalise ``raw``, apply ``rules`` in order; paragraphs of the result are separated by one blank line.

    ``left_out``: blocks of an HTML page its extractor dropped before ``raw``
    (pipeline.ingestion.extraction), recorded first in the audit, at line 0
    (they are not lines of ``raw``).
    """
    text, normalisation = normalise_text(raw)
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[Line] = [(i + 1, t) for i, t in enumerate(raw_lines)]
    log: list[dict[str, Any]] = []
    for rule in rules:
        lines = _apply(rule, lines, author, log)
    paragraphs = [p for p in (normalise_line(t) for _, t in lines) if p]
    log.sort(key=lambda r: (r["line"], r["rule"]))
    log[:0] = [{"rule": EXTRACTOR_RULE, "line": 0, "text": block} for block in left_out]
    return CleanResult(
        text="\n\n".join(paragraphs),
        removed=log,
        raw_lines=len(raw_lines),
        kept_lines=len(paragraphs),
        normalisation=normalisation,
    )
