"""The spaCy pipeline: sentences and gazetteer entities with canonical actor ids.

Default: ``spacy.blank(lang)`` + ``sentencizer`` + ``paragraph_breaks`` +
an ``entity_ruler`` built from params (targets' aliases and other actors).
With ``nlp.model`` naming an installed pipeline or a path, that pipeline is
loaded and the ruler runs before its statistical NER, so gazetteer names
win and the NER adds whatever the gazetteer does not know.
"""

from __future__ import annotations

import re
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.params import ConfigError, Params

# Entity label for a target alias, by alias kind.
KIND_LABEL = {
    "state": "GPE",
    "capital": "GPE",
    "leader": "PERSON",
    "demonym": "NORP",
    "territory": "LOC",
    "historical": "GPE",
}


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break: headings and list items have
    no final full stop, and a sentence never runs across paragraphs."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


# Abbreviations that take a number ("No. 5", "pp. 12", "Art. 9"): the full
# stop is not a sentence end when a number follows on the same line.
NUMBER_ABBREVIATIONS = frozenset(
    {
        "no",
        "nos",
        "p",
        "pp",
        "art",
        "arts",
        "vol",
        "vols",
        "fig",
        "figs",
        "para",
        "paras",
        "sec",
        "ch",
        "chap",
        "approx",
        "ca",
        "op",
        "nr",
    }
)


def _line_break_before(doc: Doc, i: int) -> bool:
    return i > 0 and doc[i - 1].is_space and "\n" in doc[i - 1].text


# A footnote mark glued to a full stop: the tokenizer reads "relations.[1" as one token.
_FOOTNOTE_AFTER_STOP = re.compile(r"[.!?]\[\d{1,3}$")


@Language.component("sentence_repairs")
def sentence_repairs(doc: Doc) -> Doc:
    """Undo the rule-based sentencizer's false splits inside a line; add the ones it misses.

    The sentencizer ends a sentence at every "!", "?" or "." token, so it
    cuts "a record 27 (!) times, began ...", "etc., can be considered" and
    "Resolution No. 5". A split inside a line is undone when the next
    "sentence" starts with a lower-case letter, or is a number after an
    abbreviation that takes one. A footnote mark after a full stop
    ("relations.[1] Putin ...") ends the sentence after the mark. Line breaks
    are left to ``paragraph_breaks``, which runs after this component.
    """
    for token in doc[1:]:
        i = token.i
        if token.is_space or _line_break_before(doc, i):
            continue
        prev = doc[i - 1]
        if token.is_sent_start:
            after_abbreviation = (
                prev.text == "." and i > 1 and not doc[i - 2].whitespace_ and doc[i - 2].lower_ in NUMBER_ABBREVIATIONS
            )
            if token.text[:1].islower() or (token.like_num and after_abbreviation):
                token.is_sent_start = False
        elif prev.text == "]" and i > 1 and _FOOTNOTE_AFTER_STOP.search(doc[i - 2].text) and token.text[:1].isupper():
            token.is_sent_start = True
    return doc


def _token_pattern(nlp: Language, name: str) -> list[dict[str, str]]:
    """Acronyms (US, UN, EU) match exactly, so "us" and "un-" stay plain words."""
    attr = "ORTH" if name.isupper() or any(c.isdigit() for c in name) else "LOWER"
    return [{attr: tok.text if attr == "ORTH" else tok.lower_} for tok in nlp.make_doc(name)]


def gazetteer_patterns(nlp: Language, params: Params) -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = []
    for alias in params.aliases():
        patterns.append(
            {"label": KIND_LABEL[alias.kind], "pattern": _token_pattern(nlp, alias.text), "id": alias.target}
        )
    for actor_id, actor in params.nlp.actors.items():  # params checked: no actor is a target
        for name in actor.names:
            patterns.append({"label": actor.label, "pattern": _token_pattern(nlp, name), "id": actor_id})
    return patterns


def build_nlp(params: Params) -> Language:
    """The configured pipeline (see module docstring)."""
    model = str(params.nlp.model)
    if model == "blank":
        nlp = spacy.blank(params.nlp.lang)
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("sentence_repairs")
        nlp.add_pipe("paragraph_breaks")
    else:
        try:
            nlp = spacy.load(model, exclude=["lemmatizer"])
        except OSError as exc:
            raise ConfigError(
                f"params.yaml: nlp.model '{model}' is neither 'blank' nor an installed spaCy "
                f"pipeline or a pipeline folder: {exc}"
            ) from exc
        first_sentence_setter = next((n for n in ("parser", "senter", "sentencizer") if n in nlp.pipe_names), None)
        if first_sentence_setter is None:
            nlp.add_pipe("sentencizer", first=True)
            first_sentence_setter = "sentencizer"
        # Paragraph breaks must be set before a parser decides sentence starts;
        # a parser's or senter's boundaries are statistical and left as they are.
        if first_sentence_setter == "sentencizer":
            nlp.add_pipe("sentence_repairs", after="sentencizer")
            nlp.add_pipe("paragraph_breaks", after="sentence_repairs")
        else:
            nlp.add_pipe("paragraph_breaks", before=first_sentence_setter)
    ruler_at = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True}, **ruler_at)
    ruler.add_patterns(gazetteer_patterns(nlp, params))
    return nlp
