"""The spaCy pipeline: sentences and gazetteer entities with canonical actor ids.

Default: ``spacy.blank(lang)`` + ``sentencizer`` + ``paragraph_breaks`` +
an ``entity_ruler`` built from params (targets' aliases and other actors).
With ``nlp.model`` naming an installed pipeline or a path, that pipeline is
loaded and the ruler runs before its statistical NER, so gazetteer names
win and the NER adds whatever the gazetteer does not know.
"""
from __future__ import annotations

from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.config import ConfigError, Params

# Entity label for a target alias, by alias kind.
KIND_LABEL = {
    "state": "GPE", "capital": "GPE", "leader": "PERSON",
    "demonym": "NORP", "territory": "LOC", "historical": "GPE",
}


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break: headings and list items have
    no final full stop, and a sentence never runs across paragraphs."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
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
    actors = params.get("nlp.actors", {}) or {}
    for actor_id, spec in actors.items():
        if actor_id in params.targets:
            raise ConfigError(f"params.yaml: nlp.actors.{actor_id} duplicates a target; list its names under targets")
        if not isinstance(spec, dict) or not spec.get("names"):
            raise ConfigError(f"params.yaml: nlp.actors.{actor_id} needs a non-empty 'names' list")
        for name in spec["names"]:
            patterns.append(
                {"label": spec.get("label", "ORG"), "pattern": _token_pattern(nlp, str(name)), "id": actor_id}
            )
    return patterns


def build_nlp(params: Params) -> Language:
    """The configured pipeline (see module docstring)."""
    model = str(params.get("nlp.model", "blank"))
    if model == "blank":
        nlp = spacy.blank(str(params.get("nlp.lang", "en")))
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("paragraph_breaks")
    else:
        try:
            nlp = spacy.load(model, exclude=["lemmatizer"])
        except OSError as exc:
            raise ConfigError(
                f"params.yaml: nlp.model '{model}' is neither 'blank' nor an installed spaCy "
                f"pipeline or a pipeline folder: {exc}"
            ) from exc
        first_sentence_setter = next(
            (n for n in ("parser", "senter", "sentencizer") if n in nlp.pipe_names), None
        )
        if first_sentence_setter is None:
            nlp.add_pipe("sentencizer", first=True)
            first_sentence_setter = "sentencizer"
        # Paragraph breaks must be set before a parser decides sentence starts.
        if first_sentence_setter == "sentencizer":
            nlp.add_pipe("paragraph_breaks", after="sentencizer")
        else:
            nlp.add_pipe("paragraph_breaks", before=first_sentence_setter)
    ruler_at = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True}, **ruler_at)
    ruler.add_patterns(gazetteer_patterns(nlp, params))
    return nlp
