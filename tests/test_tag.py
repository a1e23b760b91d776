"""Sentence splitting on the seeds' tricky spots, mention detection, entities."""

import pandas as pd
import pytest
from stance_data import params_with

from pipeline.nlp.mentions import MentionFinder
from pipeline.nlp.spacy_pipeline import build_nlp
from pipeline.nlp.tagger import tag_documents
from pipeline.params import ConfigError


@pytest.fixture(scope="module")
def finder(params):
    return MentionFinder(params.aliases())


def targets(finder, text):
    return [(m.target, m.text) for m in finder.find(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("RUSSIA and russia", [("russia", "RUSSIA"), ("russia", "russia")]),
        ("Russia’s war", [("russia", "Russia")]),
        ("Russia's war", [("russia", "Russia")]),
        ("Russians and Ukrainians", [("russia", "Russians"), ("ukraine", "Ukrainians")]),
        ("the Prussian army", []),
        ("Kyiv-Mohyla Academy", [("ukraine", "Kyiv")]),
        ("the Russian Federation", [("russia", "Russian Federation")]),
        ("the Russian\nFederation", [("russia", "Russian\nFederation")]),
        ("Japan-Russia trade", [("russia", "Russia")]),
        ("(Crimea)", [("ukraine", "Crimea")]),
        ("Ukrainecrisis and Russianists", []),
    ],
)
def test_mentions(finder, text, expected):
    assert targets(finder, text) == expected


def test_mention_offsets_slice_the_text(finder):
    text = "Since 2014, Moscow and Kyiv disagree; Putin said so."
    for m in finder.find(text):
        assert text[m.start : m.end] == m.text
    assert [m.kind for m in finder.find(text)] == ["capital", "capital", "leader"]


def test_alias_table_errors(params):
    def targets(table):
        return params_with(params, targets=table, **{"frames.categories.crisis.within": []})

    with pytest.raises(ConfigError, match="alias 'Crimea' is given for both targets 'russia' and 'ukraine'"):
        targets({"russia": {"state": ["Russia"], "territory": ["Crimea"]}, "ukraine": {"territory": ["Crimea"]}})
    with pytest.raises(ConfigError, match=r"targets\.ukraine\.state: \[\] is not allowed \(a non-empty list"):
        targets({"russia": {"state": ["Russia"]}, "ukraine": {"state": [], "capital": ["Kyiv"]}})
    with pytest.raises(ConfigError, match=r"targets\.russia\.city: not allowed as a name here \(one of 'state'"):
        targets({"russia": {"city": ["Moscow"]}})


def sentences_of(params, text):
    docs = pd.DataFrame({"doc_id": ["d"], "text": [text]})
    sents, ents, mentions = tag_documents(docs, params)
    return sents, ents, mentions


def test_headings_and_paragraphs_split(params):
    text = "Russian Factor\n\nThe U.S. and Japan met Dr. Smith in Kyiv. It went well.\n\nEconomic Power. Japan grew."
    sents, _, _ = sentences_of(params, text)
    assert sents["text"].tolist() == [
        "Russian Factor",
        "The U.S. and Japan met Dr. Smith in Kyiv.",
        "It went well.",
        "Economic Power.",
        "Japan grew.",
    ]
    for s in sents.itertuples():
        assert text[s.start_char : s.end_char] == s.text


def test_entities_carry_actor_ids_and_offsets(params):
    text = "Japan and the US condemned Russia at the UN. Let us wait."
    _, ents, mentions = sentences_of(params, text)
    assert list(zip(ents["text"], ents["actor_id"])) == [
        ("Japan", "japan"),
        ("US", "usa"),
        ("Russia", "russia"),
        ("UN", "un"),
    ]
    assert all(text[e.start_char : e.end_char] == e.text for e in ents.itertuples())
    assert mentions["target"].tolist() == ["russia"]


def test_trained_pipeline_is_used_with_gazetteer(tmp_path, params):
    """The statistical path: a tiny NER pipeline trained and saved here, named in params."""
    import random

    import spacy
    from spacy.training import Example

    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    ner.add_label("PERSON")
    train = [("Alice Novak spoke in Tokyo.", [(0, 11, "PERSON")]), ("Then Alice Novak left.", [(5, 16, "PERSON")])]
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in train]
    optimizer = nlp.initialize(lambda: examples)
    random.seed(0)
    for _ in range(30):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    path = tmp_path / "tiny_ner"
    nlp.to_disk(path)

    trained = params_with(params, **{"nlp.model": str(path)})
    loaded = build_nlp(trained)
    assert loaded.pipe_names.index("entity_ruler") < loaded.pipe_names.index("ner")
    doc = loaded("Alice Novak met Putin in Moscow.\n\nRussia objected.")
    ents = {(e.text, e.label_, e.ent_id_) for e in doc.ents}
    assert ("Putin", "PERSON", "russia") in ents and ("Moscow", "GPE", "russia") in ents
    assert ("Alice Novak", "PERSON", "") in ents  # from the statistical NER
    assert [s.text.strip() for s in doc.sents if s.text.strip()] == [
        "Alice Novak met Putin in Moscow.",
        "Russia objected.",
    ]


def test_unknown_model_is_a_config_error(params):
    with pytest.raises(ConfigError, match="nlp.model 'no_such_pipeline_xyz'"):
        build_nlp(params_with(params, **{"nlp.model": "no_such_pipeline_xyz"}))


@pytest.mark.parametrize(
    "text, expected",
    [
        # ua-getmanchuk-2021: "(!)" inside a sentence
        (
            "Abe met Putin a record 27 (!) times, began to arouse skepticism. It grew.",
            ["Abe met Putin a record 27 (!) times, began to arouse skepticism.", "It grew."],
        ),
        ("He said (?) that it was so.", ["He said (?) that it was so."]),
        # abbreviations that take a number
        ("Resolution No. 5 was adopted. It passed.", ["Resolution No. 5 was adopted.", "It passed."]),
        ("See pp. 12 and Art. 9 of the constitution.", ["See pp. 12 and Art. 9 of the constitution."]),
        # initials (ua-polishchuk-2024)
        (
            "Odesa I. I. Mechnikov National University signed. O. Stepaniuk sang.",
            ["Odesa I. I. Mechnikov National University signed.", "O. Stepaniuk sang."],
        ),
        # "etc.," runs on (ua-polishchuk-2024)
        ("Drones, radars, etc., can be considered. Yes.", ["Drones, radars, etc., can be considered.", "Yes."]),
        # footnote marks glued to the full stop (in-cescube-2022)
        (
            "A first in Russia-Japan relations.[1] Putin, however, was reluctant.[2] In July it ended.",
            ["A first in Russia-Japan relations.[1]", "Putin, however, was reluctant.[2]", "In July it ended."],
        ),
        # list items: one per line, lower-case starts kept apart; run-in heads stay separate
        (
            "This doctrine prioritised:\n\n  • economic development,\n  • reliance on the US.\n\nYoshida Doctrine. It held.",
            [
                "This doctrine prioritised:",
                "• economic development,",
                "• reliance on the US.",
                "Yoshida Doctrine.",
                "It held.",
            ],
        ),
    ],
)
def test_sentence_repairs_on_the_seeds_tricky_spots(params, text, expected):
    sents, _, _ = sentences_of(params, text)
    assert sents["text"].tolist() == expected
    for s in sents.itertuples():
        assert text[s.start_char : s.end_char] == s.text
