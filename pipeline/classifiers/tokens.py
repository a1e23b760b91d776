"""A token view of one (sentence, target) unit: words, the unit's own mentions, the other target's mentions,
clauses and quotation scope.

No trained parser is available (spaCy's trained pipelines are not on PyPI), so the role rules
(``pipeline.classifiers.roles``) work on this flat view. Each mention is one token of its own, so a hyphen
compound ("Russian-occupied", "anti-Russian", "Japan-Russia") keeps the mention and its neighbour apart, and a
possessive "'s" is a token of its own ("Russia's aggression" -> OWN 's aggression).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*|[^\w\s]")
_QUOTES = {'"', "“", "”", "«", "»"}
#: tokens that end a clause; guide §3.4 weighs clauses separately
CLAUSE_BREAKS = {";", ":", "—", "–", "(", ")", "?", "!"}
#: words that open a new (often concessive or contrastive) clause
CLAUSE_OPENERS = {"while", "whereas", "but", "although", "though", "despite", "however", "yet"}
OWN, OTHER, WORD = "own", "other", "word"


@dataclass(frozen=True)
class Token:
    text: str  # lower-cased, typographic apostrophe as "'"
    start: int
    end: int
    kind: str  # OWN, OTHER or WORD
    capital: bool = False  # starts with a capital letter in the sentence (a name, or the first word)


@dataclass(frozen=True)
class SentenceView:
    tokens: tuple[Token, ...]
    clause: tuple[int, ...]
    quoted: tuple[bool, ...]

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens]

    def own(self) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if t.kind == OWN]

    def other(self) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if t.kind == OTHER]

    def kind(self, i: int) -> str:
        return self.tokens[i].kind if 0 <= i < len(self.tokens) else ""

    def text(self, i: int) -> str:
        return self.tokens[i].text if 0 <= i < len(self.tokens) else ""

    def capital(self, i: int) -> bool:
        return self.tokens[i].capital if 0 <= i < len(self.tokens) else False

    def same_clause(self, i: int, j: int) -> bool:
        return self.clause[i] == self.clause[j]


def _word_tokens(text: str, offset: int) -> list[Token]:
    out = []
    for m in _WORD.finditer(text):
        word = m.group(0).lower().replace("’", "'")
        start, capital = offset + m.start(), m.group(0)[:1].isupper()
        if word.endswith("'s") and len(word) > 2:  # "japan's" -> "japan" "'s"
            out += [
                Token(word[:-2], start, start + len(word) - 2, WORD, capital),
                Token("'s", start + len(word) - 2, offset + m.end(), WORD),
            ]
        else:
            out.append(Token(word, start, offset + m.end(), WORD, capital))
    return _merge_possessive(out)


def _merge_possessive(tokens: list[Token]) -> list[Token]:
    """A possessive split from its mention ("Russia" + "’" + "s") becomes one "'s" token."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        if tokens[i].text == "'" and i + 1 < len(tokens) and tokens[i + 1].text == "s":
            out.append(Token("'s", tokens[i].start, tokens[i + 1].end, WORD))
            i += 2
            continue
        out.append(tokens[i])
        i += 1
    return out


def view(text: str, own: Sequence[tuple[int, int]], other: Sequence[tuple[int, int]] = ()) -> SentenceView:
    """The token view of ``text`` with the unit's own mention spans and the other target's spans."""
    spans = sorted([(s, e, OWN) for s, e in own] + [(s, e, OTHER) for s, e in other])
    tokens: list[Token] = []
    last = 0
    for start, end, kind in spans:
        if start < last:
            continue
        tokens += _word_tokens(text[last:start], last)
        tokens.append(Token(text[start:end].lower(), start, end, kind, True))
        last = end
    tokens += _word_tokens(text[last:], last)
    tokens = _merge_possessive(tokens)
    return SentenceView(tuple(tokens), _clauses(tokens), _quoted(text, tokens))


def _clauses(tokens: Sequence[Token]) -> tuple[int, ...]:
    """Clause id per token: breaks at clause punctuation and before clause-opening conjunctions; a comma ends a
    clause that a concessive opener ("despite ...,") started."""
    ids, current, concessive = [], 0, False
    for i, tok in enumerate(tokens):
        if tok.kind == WORD and tok.text in CLAUSE_OPENERS and i > 0:
            current += 1
            concessive = tok.text in {"despite", "although", "though", "while", "whereas"}
        ids.append(current)
        if tok.text in CLAUSE_BREAKS or (tok.text == "," and concessive):
            current += 1
            concessive = False
    return tuple(ids)


def _quoted(text: str, tokens: Sequence[Token]) -> tuple[bool, ...]:
    """Whether each token sits inside quotation marks (guide R8: quoted words are the speaker's)."""
    inside, out = False, []
    for tok in tokens:
        if tok.kind == WORD and tok.text in _QUOTES:
            if tok.text == "“" or tok.text == "«":
                inside = True
            elif tok.text in {"”", "»"}:
                inside = False
            else:
                inside = not inside
            out.append(False)
            continue
        out.append(inside)
    return tuple(out)
