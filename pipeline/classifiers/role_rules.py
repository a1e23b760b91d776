"""The binding rules behind ``pipeline.classifiers.roles``: which token patterns tie an act, aid, a measure or an
engagement to the unit's own target, and in which role (see that module's docstring for the rules and their spec
sources). Each rule adds to a ``Signals`` record and returns the token positions it used, so the evaluative-word
pass does not count the same word twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from pipeline.classifiers import cues
from pipeline.classifiers.tokens import OTHER, OWN, SentenceView

_BLOCKERS = {",", ".", ";", ":", "(", ")", "—", "–", "and", "or", "but", "while", "which", "that", "who"}


@dataclass
class Signals:
    """Role signals of one unit; every field is a non-negative strength (votes, not probabilities)."""

    aggressor: float = 0.0
    victim: float = 0.0
    aid_praised: float = 0.0
    aid_bare: float = 0.0
    measure_endorsed: float = 0.0
    measure_weak: float = 0.0
    measure_harmful: float = 0.0
    measure_bare: float = 0.0
    engagement_praised: float = 0.0
    engagement_futile: float = 0.0
    cooperation_bare: float = 0.0
    eval_favor: float = 0.0
    eval_against: float = 0.0
    euphemism: float = 0.0
    historical: float = 0.0
    statistic: float = 0.0
    reported: float = 0.0
    bilateral_name: float = 0.0

    def votes(self, aid_is_favor: bool = True) -> tuple[float, float]:
        """(favor, against) votes; ``aid_is_favor``: bare aid counts for the recipient (spec v2 rule 7)."""
        return summed_votes(lambda name: getattr(self, name), aid_is_favor)


FAVOR_SIGNALS = ("victim", "aid_praised", "aid_bare", "measure_harmful", "engagement_praised", "eval_favor")
AGAINST_SIGNALS = ("aggressor", "measure_endorsed", "measure_weak", "engagement_futile", "eval_against")


def summed_votes(get: Callable[[str], Any], aid_is_favor: bool = True) -> tuple[Any, Any]:
    """(favor, against): the signals ``get(name)`` returns (strengths of one unit, or arrays of every unit's)
    summed in a fixed order; bare aid counts for the recipient only under ``aid_is_favor``."""
    favor = sum((get(name) for name in FAVOR_SIGNALS if aid_is_favor or name != "aid_bare"), 0.0)
    against = sum((get(name) for name in AGAINST_SIGNALS), 0.0)
    return favor, against


SIGNAL_NAMES = tuple(f.name for f in fields(Signals))


def _skip(v: SentenceView, i: int, step: int, limit: int, allowed: Callable[[str], bool]) -> int:
    """Index reached from ``i`` moving by ``step`` over at most ``limit`` tokens that satisfy ``allowed``."""
    j = i + step
    for _ in range(limit):
        if 0 <= j < len(v.tokens) and v.kind(j) == "word" and allowed(v.text(j)):
            j += step
        else:
            break
    return j


def _modifier(word: str) -> bool:
    """A word that can stand between a mention and its head noun ("Russia's full-scale military invasion")."""
    return (
        word not in _BLOCKERS
        and word not in cues.VICTIM_PREPOSITIONS
        and word not in cues.AGENT_PREPOSITIONS
        and word not in {"of", "to", "for", "with", "is", "was", "were", "are"}
        and (word.replace("-", "").isalnum() or word in {"'s", "-"})
    )


_ADJECTIVE_ENDINGS = ("al", "ic", "ian", "ese", "ish", "ive", "ous", "ful", "ary", "ern", "ent", "ant", "ed", "-scale")


def _determiner(word: str) -> bool:
    """A word that can open the noun phrase of an object ("the", "its", "eastern", "humanitarian", "2014"); verbs and
    prepositions stop the phrase, so "occupied territories remain under Russian control" binds nothing."""
    return (
        word in cues.FUNCTION_WORDS
        or word in {"'s", "-"}
        or word.isdigit()
        or (word.endswith(_ADJECTIVE_ENDINGS) and word not in _BLOCKERS and word not in cues.AGENT_PREPOSITIONS)
    )


def _phrase_after(v: SentenceView, i: int, limit: int = 3) -> int:
    """The token after skipping up to ``limit`` determiners / modifiers right of ``i``."""
    return _skip(v, i, +1, limit, _determiner)


def _agent_role(v: SentenceView, i: int, word: str) -> str | None:
    """``OWN`` / ``OTHER`` when that mention is the agent of the act at ``i``, else None."""
    is_participle = word.endswith("ed")
    if v.text(i - 1) == "of" and v.text(i - 2) in {"act", "acts", "war", "policy"}:
        i -= 2  # "Russia's act of aggression"
    left = _skip(v, i, -1, 4, _modifier)
    if v.kind(left) in (OWN, OTHER):
        between = v.words[left + 1 : i]
        if is_participle and between[:1] == ["'s"]:
            return None  # "Ukraine's occupied territories": the possessor is the victim
        return v.kind(left)
    if is_participle or word in cues.LOADED_ACTS:
        subject = _skip(v, i, -1, 3, lambda w: w in cues.AUXILIARIES or w.endswith("ly"))
        if v.kind(subject) in (OWN, OTHER) and not set(v.words[subject + 1 : i]) & cues.PASSIVE_AUX:
            return v.kind(subject)
    for j in range(i + 1, min(len(v.tokens), i + 7)):
        if v.text(j) in _BLOCKERS and v.text(j) != "and":
            break
        if v.text(j) in cues.AGENT_PREPOSITIONS:
            k = _phrase_after(v, j, 2)
            if v.kind(k) in (OWN, OTHER):
                return v.kind(k)
    if word in cues.LOADED_ACTS and v.text(i + 1) == "of" and word not in cues.OBJECT_NOMINALS:
        k = _phrase_after(v, i + 1, 2)
        if v.kind(k) in (OWN, OTHER):
            return v.kind(k)  # "the aggression of Russia (against Ukraine)"
    return None


def _victim_role(v: SentenceView, i: int, word: str) -> str | None:
    """``OWN`` / ``OTHER`` when that mention is the victim of the act at ``i``, else None."""
    nxt = v.text(i + 1)
    preps = cues.VICTIM_PREPOSITIONS | ({"of"} if word in cues.OBJECT_NOMINALS else set())
    if nxt in preps and not (word in cues.WEAK_ACTS and nxt not in {"against", "on", "upon"}):
        k = _phrase_after(v, i + 1, 3)
        if v.kind(k) in (OWN, OTHER) and v.text(k + 1) not in cues.AGENT_PREPOSITIONS | {"against"}:
            return v.kind(k)
        if v.kind(k) in (OWN, OTHER) and v.text(k + 1) in cues.AGENT_PREPOSITIONS:
            return v.kind(k)
    if word.endswith("ed") or word in {"invade", "occupy", "annex", "attack", "seize", "capture"}:
        k = _phrase_after(v, i, 3)
        if v.kind(k) in (OWN, OTHER):
            return v.kind(k)  # "invaded Ukraine", "occupied Ukrainian territories"
        left = _skip(v, i, -1, 3, lambda w: w in cues.PASSIVE_AUX or w in cues.AUXILIARIES or w.endswith("ly"))
        if v.kind(left) in (OWN, OTHER) and set(v.words[left + 1 : i]) & cues.PASSIVE_AUX:
            return v.kind(left)  # "Ukraine was invaded"
        if v.kind(left - 1) in (OWN, OTHER) and v.text(left) == "'s":
            return v.kind(left - 1)  # "Ukraine's occupied territories"
    return None


def aggression(v: SentenceView, s: Signals, historical: bool) -> None:
    for i, word in enumerate(v.words):
        weak = word in cues.WEAK_ACTS
        if v.kind(i) != "word" or not (word in cues.LOADED_ACTS or weak) or v.quoted[i]:
            continue
        if weak and historical:
            continue  # plain war history (guide R7)
        agent, victim = _agent_role(v, i, word), _victim_role(v, i, word)
        if weak and agent is not None and victim is None and _bilateral(v, i):
            continue
        if agent == OWN:
            s.aggressor += 1.0
        elif victim == OWN or (agent == OTHER and victim is None and any(v.same_clause(i, j) for j in v.own())):
            s.victim += 1.0  # named victim, or the target that faces the other target's aggression (guide §3.6)


def _bilateral(v: SentenceView, i: int) -> bool:
    """A mention inside a hyphen compound with another name just before the act ("Japan-Russia war")."""
    return "-" in v.words[max(0, i - 3) : i]


def _recipient(v: SentenceView, i: int, word: str) -> bool:
    """Whether the unit's target receives the aid named at ``i``."""
    if (
        word in cues.AID_NOUNS
        and v.text(i + 1) in {"to", "for", "towards", "toward"}
        and v.kind(_phrase_after(v, i + 1, 3)) == OWN
    ):
        return True
    if word in cues.AID_VERBS:
        k = _phrase_after(v, i, 2)
        if v.kind(k) == OWN and v.text(k + 1) not in {"in", "on"}:
            return True
    for j in range(i + 1, min(len(v.tokens), i + 9)):
        if v.text(j) in {";", ".", ":"} or not v.same_clause(i, j):
            break
        if v.text(j) in {"to", "for"} and v.kind(_phrase_after(v, j, 2)) == OWN and word in cues.AID_VERBS:
            return True
    return False


def aid(v: SentenceView, s: Signals) -> set[int]:
    """Aid received by the target: one signal per clause (praised when the clause praises it, guide R6)."""
    used: set[int] = set()
    clauses: dict[int, bool] = {}
    words = v.words
    for i, word in enumerate(words):
        if v.kind(i) != "word" or v.quoted[i]:
            continue
        hit = False
        if word in cues.AID_NOUNS | cues.AID_VERBS:
            hit = _recipient(v, i, word) and not negated(v, i)
        elif word in cues.AMOUNT_WORDS and v.text(i + 1) in {"to", "for"}:
            hit = v.kind(_phrase_after(v, i + 1, 2)) == OWN
        elif word == "'s" and v.kind(i - 1) == OWN and v.text(i + 1) in {"reconstruction", "recovery", "rebuilding"}:
            hit = True
        elif word in cues.RECEIVE_VERBS and v.kind(i - 1) == OWN:
            hit = bool(set(words[i + 1 : i + 7]) & (cues.AID_NOUNS | cues.AMOUNT_WORDS))
        if hit:
            used.add(i)
            clause = [w for j, w in enumerate(words) if v.same_clause(i, j) and not v.quoted[j]]
            clauses[v.clause[i]] = clauses.get(v.clause[i], False) or bool(set(clause) & cues.PRAISE)
    s.aid_praised += sum(clauses.values())
    s.aid_bare += len(clauses) - sum(clauses.values())
    return used


def _measure_target(v: SentenceView, i: int, word: str) -> bool:
    if (
        word in cues.MEASURE_NOUNS
        and v.text(i + 1) in cues.MEASURE_PREPOSITIONS
        and v.kind(_phrase_after(v, i + 1, 3)) == OWN
    ):
        return True
    if word in cues.MEASURE_VERBS:
        k = _phrase_after(v, i, 3)
        if v.kind(k) == OWN or (v.text(k + 1) == "of" and v.kind(_phrase_after(v, k + 1, 2)) == OWN):
            return True  # "froze Russian assets", "froze the assets of Russian banks"
    # "anti-Russian sanctions", "anti-Soviet sanctions"
    return word in cues.MEASURE_NOUNS and any(
        v.kind(j) == OWN and v.text(j - 1) == "-" and v.text(j - 2) == "anti" for j in range(max(0, i - 3), i)
    )


def measures(v: SentenceView, s: Signals) -> set[int]:
    used: set[int] = set()
    sentence = {w for j, w in enumerate(v.words) if not v.quoted[j]}
    for i, word in enumerate(v.words):
        if v.kind(i) != "word" or not _measure_target(v, i, word):
            continue
        used.add(i)
        if sentence & cues.HARMFUL or (v.text(i + 1) == "war"):
            s.measure_harmful += 1.0
        elif sentence & cues.TOO_WEAK or _negated_praise(v):
            s.measure_weak += 1.0
        elif sentence & cues.ENDORSE or set(v.words) & cues.LOADED_ACTS:
            s.measure_endorsed += 1.0  # endorsed, or a response to aggression named in the sentence
        else:
            s.measure_bare += 1.0
    return used


def _negated_praise(v: SentenceView) -> bool:
    """ "no substantial assets", "not enough": praise words under negation read as "too weak" (guide R5)."""
    return any(w in cues.PRAISE | {"enough", "effective"} and negated(v, i) for i, w in enumerate(v.words))


def engagement(v: SentenceView, s: Signals) -> set[int]:
    used: set[int] = set()
    own = v.own()
    for i, word in enumerate(v.words):
        if v.kind(i) != "word" or word not in cues.ENGAGEMENT_NOUNS | cues.TREATMENT_NOUNS:
            continue
        near = [j for j in own if abs(j - i) <= 4 and v.same_clause(i, j)]
        if not near:
            continue
        if word in cues.TREATMENT_NOUNS and v.text(i + 1) not in {"to", "toward", "towards", "on", "with"}:
            continue
        used.add(i)
        window = {
            v.text(j)
            for j in range(max(0, i - 4), min(len(v.tokens), i + 5))
            if v.same_clause(i, j) and not v.quoted[j]
        }
        clause = {w for j, w in enumerate(v.words) if v.same_clause(i, j) and not v.quoted[j]}
        if window & cues.FUTILE:
            s.engagement_futile += 1.0
        elif clause & cues.PRAISE and word in cues.ENGAGEMENT_NOUNS:
            s.engagement_praised += 1.0
        elif word in cues.ENGAGEMENT_NOUNS:
            s.cooperation_bare += 1.0
    return used


def negated(v: SentenceView, i: int, window: int = 3) -> bool:
    return any(w in cues.NEGATIONS or w.endswith("n't") for w in v.words[max(0, i - window) : i])
