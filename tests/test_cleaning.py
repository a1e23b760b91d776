"""Each boilerplate kind seen in the seed corpus, on the real seed texts and on small cases."""

from pathlib import Path

import pytest

from pipeline import paths
from pipeline.ingestion.cleaning import RulesError, clean, load_rules
from pipeline.ingestion.decoding import read_document
from pipeline.ingestion.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rules():
    return load_rules(ROOT / "corpus" / "cleaning_rules.yaml")


@pytest.fixture(scope="module")
def seeds(params, rules):
    manifest = load_manifest(params.root / paths.MANIFEST, params.corpus.origins)
    out = {}
    for rec in manifest.to_dict("records"):
        out[rec["doc_id"]] = clean(read_document(Path(rec["abs_path"])), rules, author=rec["author"])
    return out


def removed_by(result, rule):
    return [r["text"] for r in result.removed if r["rule"] == rule]


def test_glued_navigation_is_cut_but_text_kept(seeds):
    r = seeds["ua-getmanchuk-2021"]
    assert removed_by(r, "nav_glued_prefix") == ["Kremlin Russia", "USA flag"]
    assert "\n\nUkraine’s intentions to use China as a deterrent" in r.text
    assert "\n\nThe American factor will be important" in r.text
    assert "All News" not in r.text and "Director of the New Europe Centre" not in r.text


def test_menus_and_non_english_navigation(seeds):
    r = seeds["ru-streltsov-2015"]
    for fragment in (
        "Menu Content/Inhalt",
        "Главная",
        "Пред.",
        "Институт",
        "RIAC 02 february 2015",
        "Doctor of History",
    ):
        assert fragment not in r.text
    assert r.text.startswith("Russian-Japanese Relations: a Systemic Crisis or a New Opportunity?\n\nJapan joined")


def test_picture_credit_caption_dateline_and_bio(seeds):
    r = seeds["ua-shagina-2018"]
    assert removed_by(r, "picture_credit")[0].endswith("Credit: Kremlin.ru")
    assert removed_by(r, "dateline") == ["26 May, 2018"]
    assert removed_by(r, "republication_note")
    assert "JSPS Postdoctoral Fellow" not in r.text
    assert r.text.startswith("How to Make Sense of Japan’s Delicate Balance")  # "ARTICLE | " stripped


def test_table_of_contents_table_and_disclaimer(seeds):
    r = seeds["ua-polishchuk-2024"]
    toc = removed_by(r, "table_of_contents")
    assert toc[0] == "Content" and "4.4 Japan’s Constraints in Supporting Ukraine 32" in toc
    # the body headings the contents pointed to are kept
    assert "\n\n4.4 Japan’s Constraints in Supporting Ukraine\n\n" in r.text
    assert "27,360,935.00" not in r.text and "Table 1." not in r.text
    assert "Subscribe for Newsletter" not in r.text
    assert "International Renaissance Foundation" not in r.text
    assert r.text.count("This paper explores the dynamic and evolving relationship") == 1  # teaser dropped


def test_footnotes_notes_section_title_and_credits(seeds):
    r = seeds["in-cescube-2022"]
    assert "[1]" not in r.text and "[11]" not in r.text
    assert len(removed_by(r, "footnote_marker")) >= 11
    assert "carnegiemoscow.org" not in r.text and "Pic Courtesy" not in r.text
    assert "views expressed" not in r.text
    assert r.text.count("Japan’s approach towards Ukraine Crisis") == 1
    assert r.text.rstrip().endswith("future foreign policy moves.")


def test_audit_counts_match_removed_lines(seeds):
    for doc_id, r in seeds.items():
        audit = r.audit(doc_id)
        assert sum(audit["counts"].values()) == len(audit["removed"])
        assert all(entry["line"] >= 1 for entry in audit["removed"])


def test_clean_keeps_prose_and_only_declared_removals(rules):
    raw = "A title\n\nRussia met Ukraine [2] in Kyiv.\n\n12\n\nSecond paragraph.\n"
    r = clean(raw, rules)
    assert r.text == "A title\n\nRussia met Ukraine in Kyiv.\n\nSecond paragraph."
    assert {e["rule"] for e in r.removed} == {"footnote_marker", "page_number"}


def test_notes_section_truncates_to_end(rules):
    r = clean("Body text here.\nNotes\n[1] A reference.\nMore.", rules)
    assert r.text == "Body text here."
    assert [e["rule"] for e in r.removed].count("notes_section") == 3


def test_bad_rules_file_is_named(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - {name: x, kind: drop_line, pattern: '('}\n")
    with pytest.raises(RulesError, match=r"rules\.yaml: rules\[0\] \(x\): bad regex"):
        load_rules(bad)
    bad.write_text("rules:\n  - {name: x, kind: nonsense}\n")
    with pytest.raises(RulesError, match=r"rules\[0\]: needs a name and a kind"):
        load_rules(bad)


# -- generic web boilerplate (issue #17): texts the test writes itself --------------------------

WEB_PAGE = """Home | World | Asia | Opinion
- New sanctions on Russia
- Japan pledges aid to Ukraine
Editorial: Japan must stay the course on Ukraine
Published: 12 March 2024, 09:15 GMT
Updated 3 hours ago
Share on Facebook
TOKYO, March 12 (Reuters) - Japan's government said on Tuesday it would extend its support for Ukraine.
Advertisement
Critics in Tokyo argue that the sanctions hurt Japanese firms more than they hurt Moscow, but the cabinet disagrees.
Subscribe to our newsletter for the latest news.
Related articles
- Kishida visits Kyiv
- What the G7 decided on frozen Russian assets
© 2024 The Daily Example. All rights reserved.
"""


def test_web_boilerplate_is_removed_and_each_removal_audited(rules):
    result = clean(WEB_PAGE, rules)
    assert result.text == (
        "Editorial: Japan must stay the course on Ukraine\n\n"
        "Japan's government said on Tuesday it would extend its support for Ukraine.\n\n"
        "Critics in Tokyo argue that the sanctions hurt Japanese firms more than they hurt Moscow, but the cabinet "
        "disagrees."
    )
    assert removed_by(result, "web_breadcrumb") == ["Home | World | Asia | Opinion"]
    assert removed_by(result, "web_navigation_bullet") == [
        "- New sanctions on Russia",
        "- Japan pledges aid to Ukraine",
    ]
    assert removed_by(result, "web_timestamp") == ["Published: 12 March 2024, 09:15 GMT", "Updated 3 hours ago"]
    assert removed_by(result, "web_share_line") == [
        "Share on Facebook",
        "Advertisement",
        "Subscribe to our newsletter for the latest news.",
    ]
    assert removed_by(result, "web_dateline_prefix") == ["TOKYO, March 12 (Reuters) - "]
    assert removed_by(result, "web_related_block")[0] == "Related articles"
    assert len(removed_by(result, "web_related_block")) == 4  # the heading, two links and the footer


@pytest.mark.parametrize(
    "line",
    [
        "Share of Japanese aid to Ukraine",  # a heading, not a share button
        "Published research on Japan and Russia",  # no date or time
        "Copyright law in Japan",  # no year
        "- Japan's aid to Ukraine grew in 2023, as the table shows.",  # a list item that is a sentence
        "UKRAINE – JAPAN: THROUGH HARDSHIPS TO THE STARS",  # a title, not a dateline
        "Sunday talks in Kyiv ended without a deal",
    ],
)
def test_web_rules_keep_prose_that_looks_alike(rules, line):
    assert clean(line + "\n", rules).text == line


def test_web_rules_remove_nothing_from_the_seed_corpus(seeds):
    removed = [r for result in seeds.values() for r in result.removed if r["rule"].startswith("web_")]
    assert removed == []
