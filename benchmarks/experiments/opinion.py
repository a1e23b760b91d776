"""A generic opinion lexicon for evaluative words the seed cues miss ("naive", "toothless", "outrageous").

Source: the word list of VADER (Hutto & Gilbert 2014), shipped in the PyPI package ``vaderSentiment`` (MIT
licence), read from the installed package, never downloaded. Only its polarity is used (sign of the mean valence,
words with |valence| >= ``min_valence``), as extra evaluative cues of ``pipeline.classifiers.roles``. Words that
the role rules already bind (acts of aggression, aid, measures, engagement), neutral conflict names and negations
are left out: sentiment is not stance ("war" and "crisis" are negative words but say nothing against the country
they are named after, and a victim's suffering is sympathy, not blame).
"""

from __future__ import annotations

import functools
import importlib.resources

from pipeline.classifiers import cues

_BOUND = (
    cues.LOADED_ACTS
    | cues.WEAK_ACTS
    | cues.AID_NOUNS
    | cues.AID_VERBS
    | cues.MEASURE_NOUNS
    | cues.MEASURE_VERBS
    | cues.ENGAGEMENT_NOUNS
    | cues.TREATMENT_NOUNS
    | cues.EUPHEMISM_HEADS
    | cues.NEGATIONS
    | cues.HARMFUL
    | cues.ENDORSE
    | cues.TOO_WEAK
    | frozenset(
        [
            "victim",
            "victims",
            "suffering",
            "suffer",
            "suffered",
            "killed",
            "death",
            "deaths",
            "died",
            "destroyed",
            "destruction",
            "conflict",
            "conflicts",
            "crises",
            "tension",
            "tensions",
            "dispute",
            "disputes",
            "fight",
            "fighting",
            "struggle",
            "casualties",
            "refugees",
            "hurt",
            "pain",
            "tragedy",
            "tragic",
        ]
    )
)


class OpinionLexiconMissing(ImportError):
    """vaderSentiment is not installed."""


@functools.lru_cache(maxsize=4)
def opinion_words(min_valence: float = 1.5) -> tuple[tuple[str, float], ...]:
    """(word, +1.0 / -1.0) for single alphabetic words of the VADER lexicon not bound by the role rules."""
    try:
        text = (
            importlib.resources.files("vaderSentiment")
            .joinpath("vader_lexicon.txt")
            .read_text(encoding="utf-8", errors="replace")
        )
    except ModuleNotFoundError as exc:
        raise OpinionLexiconMissing("pip install vaderSentiment (MIT) to use the opinion lexicon") from exc
    out = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].isalpha() or parts[0] in _BOUND:
            continue
        valence = float(parts[1])
        if abs(valence) >= min_valence:
            out.append((parts[0], 1.0 if valence > 0 else -1.0))
    return tuple(sorted(out))
