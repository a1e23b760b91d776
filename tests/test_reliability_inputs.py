"""Bad input through the real CLI: a clear message naming file/row/key, exit 2, and no output touched.

Each case starts from a small project whose ingest, tag and stance outputs
already exist, breaks one input, runs the stage as a user would
(``python -m pipeline <stage>``, in-process for speed) and compares every
file under outputs/ byte for byte with the state before.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import make_project
from project_copy import tree_hashes

from pipeline.cli import main
from pipeline.ingestion.cleaning import clean, load_rules

DOCS = {
    "ua-one": ("Ukrainian", "Japan condemned Russia's invasion of Ukraine.\n\nKyiv welcomed the aid from Tokyo.\n"),
    "in-one": ("Indian", "India and Russia have long ties.\n\nUkraine asked New Delhi for support.\n"),
}
HEADER = "doc_id,path,title,author,affiliation,outlet,author_origin,origin_basis,published,period,notes"


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under outputs/, hidden temp files included."""
    return tree_hashes(root / "outputs")


def run_stage(root: Path, stage: str, capsys) -> tuple[int, str]:
    rc = main(["--params", str(root / "params.yaml"), stage])
    err = capsys.readouterr().err
    return rc, err


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A tiny project with ingest, tag and stance outputs in place."""
    root = tmp_path_factory.mktemp("built")
    make_project(root, DOCS)
    for stage in ("ingest", "tag", "gold", "stance"):
        assert main(["--params", str(root / "params.yaml"), stage]) == 0
    return root


@pytest.fixture
def project(built, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built, root)
    return root


def add_doc(root: Path, doc_id: str, content: bytes | str, origin: str = "Indian", path: str | None = None) -> None:
    path = path or f"raw/{doc_id}.txt"
    target = root / "corpus" / path
    if isinstance(content, str):
        content = content.encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    with (root / "corpus" / "manifest.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{doc_id},{path},,,,,{origin},test,,,\n")


def add_row(root: Path, row: str) -> None:
    with (root / "corpus" / "manifest.csv").open("a", encoding="utf-8") as fh:
        fh.write(row + "\n")


def set_param(root: Path, dotted: str, value) -> None:
    path = root / "params.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    node = raw
    *parents, last = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def rewrite_manifest(root: Path, edit: Callable[[str], str]) -> None:
    manifest = root / "corpus" / "manifest.csv"
    manifest.write_text(edit(manifest.read_text(encoding="utf-8")), encoding="utf-8")


PROSE = "Japan and Ukraine signed a memorandum on reconstruction in Kyiv.\n"

INGEST_ERRORS: dict[str, tuple[Callable[[Path], None], str]] = {
    "missing file": (
        lambda r: add_row(r, "gone,raw/gone.txt,,,,,Indian,test,,,"),
        r"manifest\.csv: row 4, column 'path': file not found: .*raw/gone\.txt",
    ),
    "duplicate doc_id": (
        lambda r: add_doc(r, "ua-one", PROSE, path="raw/other.txt"),
        r"manifest\.csv: row 4, column 'doc_id': duplicate doc_id 'ua-one' \(first at row 2\)",
    ),
    "unknown origin": (
        lambda r: add_doc(r, "x", PROSE, origin="ukrainian"),
        r"row 4, column 'author_origin': unknown origin 'ukrainian'; did you mean 'Ukrainian'\?",
    ),
    "empty origin": (
        lambda r: add_doc(r, "x", PROSE, origin=""),
        r"row 4, column 'author_origin': is empty",
    ),
    "empty document": (
        lambda r: add_doc(r, "x", b""),
        r"raw/x\.txt: empty file; remove its manifest row",
    ),
    "whitespace-only document": (
        lambda r: add_doc(r, "x", b" \n\n\t\n"),
        r"raw/x\.txt: empty file",
    ),
    "only boilerplate": (
        lambda r: add_doc(r, "x", "Print\nShare\n12\n"),
        r"raw/x\.txt \(doc_id 'x'\): only boilerplate: the cleaning rules removed every line "
        r"\(\{'page_number': 1, 'site_navigation': 2\}\)",
    ),
    "no words, only symbols": (
        lambda r: add_doc(r, "x", "??? !!! ... ---\n"),
        r"raw/x\.txt \(doc_id 'x'\): no words after cleaning, only punctuation or symbols \('\?\?\? !!! \.\.\. ---'\)",
    ),
    "undetectable encoding": (
        lambda r: add_doc(r, "x", "The café.\n".encode("latin-1")),
        r"raw/x\.txt: not UTF-8, and its encoding is unclear: cp125\d and cp125\d decode it",
    ),
    "mixed encodings": (
        lambda r: add_doc(r, "x", "Japan’s “view” of Ukraine.\n".encode() + b"A stray \x92 byte.\n"),
        r"raw/x\.txt: mostly UTF-8, but 1 byte\(s\) are not \(first at line 2: b'\\x92'\)",
    ),
    "binary PDF": (
        lambda r: add_doc(r, "x", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        r"raw/x\.txt: binary file \(a PDF document\), not text",
    ),
    "binary with NUL bytes": (
        lambda r: add_doc(r, "x", "Ukraine".encode("utf-16-le")),
        r"raw/x\.txt: binary file \(NUL byte at line 1\)",
    ),
    "binary noise": (
        lambda r: add_doc(r, "x", bytes(range(1, 9)) * 40),
        r"raw/x\.txt: binary file \(320 control characters, first U\+0001 at line 1\)",
    ),
    "enormous line": (
        lambda r: add_doc(r, "x", "Russia and Ukraine talk. " * 2500),
        r"raw/x\.txt: line 1 has 62,500 characters, more than cleaning\.input\.max_line_chars \(50,000\)",
    ),
    "enormous document": (
        lambda r: (set_param(r, "cleaning.input.max_document_chars", 1000), add_doc(r, "x", PROSE * 20)),
        r"raw/x\.txt: 1,300 characters, more than cleaning\.input\.max_document_chars \(1,000\)",
    ),
    "path with ..": (
        lambda r: add_row(r, "x,../params.yaml,,,,,Indian,test,,,"),
        r"row 4, column 'path': '\.\./params\.yaml' is outside the corpus folder",
    ),
    "absolute path": (
        lambda r: add_row(r, f"x,{r / 'params.yaml'},,,,,Indian,test,,,"),
        r"row 4, column 'path': '/.*params\.yaml' is outside the corpus folder",
    ),
    "doc_id that is a path": (
        lambda r: add_doc(r, "../../evil", PROSE, path="raw/evil.txt"),
        r"row 4, column 'doc_id': '\.\./\.\./evil' is not a safe file name",
    ),
    "extra column": (
        lambda r: rewrite_manifest(r, lambda t: t.replace(HEADER, HEADER + ",extra", 1)),
        r"manifest\.csv: unknown column\(s\) \['extra'\]",
    ),
    "missing column": (
        lambda r: rewrite_manifest(r, lambda t: "\n".join(line.rsplit(",", 1)[0] for line in t.splitlines()) + "\n"),
        r"manifest\.csv: missing column\(s\) \['notes'\]",
    ),
    "empty manifest": (
        lambda r: (r / "corpus" / "manifest.csv").write_text(""),
        r"manifest\.csv: empty file; expected a header row",
    ),
    "several problems at once": (
        lambda r: (
            add_row(r, "gone,raw/gone.txt,,,,,Indian,test,,,"),
            add_row(r, "ua-one,raw/ua-one.txt,,,,,Mars,t,,,"),
        ),
        r"4 problems \(fix them all, then rerun\):\n  .*manifest\.csv: row 4, column 'path': file not "
        r"found.*\n  .*manifest\.csv: row 5, column 'doc_id': duplicate doc_id 'ua-one'.*\n  .*manifest\.csv: row 5, "
        r"column 'author_origin': unknown origin 'Mars'.*\n  .*manifest\.csv: row 5, column 'path': same file as row 2 "
        r"\(raw/ua-one\.txt\)",
    ),
    "doc_ids that differ only in case": (
        lambda r: add_doc(r, "UA-One", PROSE),
        r"manifest\.csv: row 4, column 'doc_id': 'UA-One' differs from 'ua-one' \(row 2\) only in case; doc_ids "
        r"name files, which collide on case-insensitive file systems",
    ),
    "doc_id too long": (
        lambda r: add_doc(r, "d" * 300, PROSE, path="raw/long.txt"),
        r"manifest\.csv: row 4, column 'doc_id': 'd{20}\.\.\.' has 300 characters, more than 100 \(it names files "
        r"under outputs/data/clean\); shorten it",
    ),
    "every bad row and document in one run": (
        lambda r: (
            add_row(r, "gone,raw/gone.txt,,,,,Indian,test,,,"),
            add_doc(r, "x", b""),
            add_doc(r, "y", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        ),
        r"3 problems \(fix them all, then rerun\):\n  [^\n]*manifest\.csv: row 4, column 'path': file not found"
        r"[^\n]*\n  [^\n]*raw/x\.txt: empty file[^\n]*\n  [^\n]*raw/y\.txt: binary file \(a PDF document\)",
    ),
    "more problems than are listed": (
        lambda r: [add_row(r, f"gone-{i},raw/gone-{i}.txt,,,,,Indian,test,,,") for i in range(55)],
        r"55 problems \(fix them all, then rerun\):\n(  [^\n]*manifest\.csv: row \d+, column 'path': file not found"
        r"[^\n]*\n){50}  \.\.\. and 5 more",
    ),
    "HTML refused": (
        lambda r: (set_param(r, "cleaning.input.html", "refuse"), add_doc(r, "x", "<p>Russia &amp; Ukraine</p>\n")),
        r"raw/x\.txt: HTML markup found \('<p>' at line 1\), and cleaning\.input\.html is 'refuse'",
    ),
    "HTML without text": (
        lambda r: add_doc(r, "x", "<html><head><title>Ukraine</title></head><body><script>x()</script></body></html>"),
        r"raw/x\.txt: HTML page with no visible text",
    ),
    "bad cleaning.input option": (
        lambda r: set_param(r, "cleaning.input.encodings", ["cp1252", "klingon-8"]),
        r"params\.yaml: cleaning\.input\.encodings: unknown codec 'klingon-8'",
    ),
    "cleaning.input typo": (
        lambda r: set_param(r, "cleaning.input.max_line_char", 10),
        r"params\.yaml: cleaning\.input\.max_line_char: unknown key \(known: encoding_margin, encodings, html, "
        r"max_document_chars, max_line_chars\)",
    ),
    "max_document_chars beyond spaCy": (
        lambda r: set_param(r, "cleaning.input.max_document_chars", 5_000_000),
        r"cleaning\.input\.max_document_chars: 5000000 is not allowed \(an integer from 1 to 1,000,000, spaCy's "
        r"max_length",
    ),
    "broken rules file": (
        lambda r: (r / "corpus" / "cleaning_rules.yaml").write_text(
            "rules:\n  - {name: x, kind: strip, pattern: '(' }\n"
        ),
        r"cleaning_rules\.yaml: rules\[0\] \(x\): bad regex",
    ),
    "rules file with a typo": (
        lambda r: (r / "corpus" / "cleaning_rules.yaml").write_text(
            "rules:\n  - {name: x, kind: drop_line, pattern: 'a', max_lenght: 3}\n"
        ),
        r"cleaning_rules\.yaml: rules\[0\] \(x\): unknown key\(s\) \['max_lenght'\]",
    ),
    "rules file not YAML": (
        lambda r: (r / "corpus" / "cleaning_rules.yaml").write_text("rules: [\n"),
        r"cleaning_rules\.yaml: not valid YAML",
    ),
}


@pytest.mark.parametrize("case", list(INGEST_ERRORS))
def test_ingest_refuses_bad_input_and_writes_nothing(project, capsys, case):
    break_input, message = INGEST_ERRORS[case]
    before = snapshot(project)
    break_input(project)
    rc, err = run_stage(project, "ingest", capsys)
    assert rc == 2
    assert re.search(r"error: ingest: .*" + message, err, re.DOTALL), err
    assert "Traceback" not in err
    assert snapshot(project) == before


PARAMS_ERRORS: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "unknown classifier": (
        "stance",
        lambda r: set_param(r, "stance.classifier", "gpt7"),
        r"params\.yaml: stance\.classifier: 'gpt7' is not allowed \(a registered classifier: .*lexicon.*\)",
    ),
    "unknown classifier section": (
        "stance",
        lambda r: set_param(r, "classifiers.lexicn", {"window": 3}),
        r"params\.yaml: classifiers\.lexicn: unknown classifier \(registered: .*lexicon.*\)",
    ),
    "classifier setting the factory does not take": (
        "stance",
        lambda r: set_param(r, "classifiers.lexicon.object_markers", ["of"]),
        r"params\.yaml: classifiers\.lexicon\.object_markers: unknown key \(known: ",
    ),
    "classifier setting of the wrong type": (
        "stance",
        lambda r: set_param(r, "classifiers.lexicon.window", 2.5),
        r"params\.yaml: classifiers\.lexicon\.window: 2\.5 is not allowed \(an integer >= 1\)",
    ),
    "bool for an integer": (
        "compare",
        lambda r: set_param(r, "compare.bootstrap.n_resamples", True),
        r"params\.yaml: compare\.bootstrap\.n_resamples: true is not allowed \(an integer >= 1\)",
    ),
    "float for an integer": (
        "compare",
        lambda r: set_param(r, "compare.min_mentions", 2.9),
        r"params\.yaml: compare\.min_mentions: 2\.9 is not allowed \(an integer >= 1\)",
    ),
    "text for an integer": (
        "gold",
        lambda r: set_param(r, "gold.bootstrap.n_resamples", "many"),
        r"params\.yaml: gold\.bootstrap\.n_resamples: 'many' is not allowed \(an integer >= 1\)",
    ),
    "nan for a finite number": (
        "compare",
        lambda r: set_param(r, "compare.bootstrap.level", float("nan")),
        r"params\.yaml: compare\.bootstrap\.level: \.nan is not allowed \(a finite number > 0 and < 1\)",
    ),
    "value outside the allowed ones": (
        "report",
        lambda r: set_param(r, "stance.labels", "both"),
        r"params\.yaml: stance\.labels: 'both' is not allowed \(one of 'auto', 'gold', 'model'\)",
    ),
    "unknown section": (
        "ingest",
        lambda r: set_param(r, "reprot", {"dpi": 300}),
        r"params\.yaml: reprot: unknown key \(known: annotate, classifiers, cleaning, compare, ",
    ),
    "empty alias list": (
        "tag",
        lambda r: set_param(r, "targets.ukraine.capital", []),
        r"params\.yaml: targets\.ukraine\.capital: \[\] is not allowed \(a non-empty list, each a text\)",
    ),
    "target without aliases": (
        "tag",
        lambda r: set_param(r, "targets.belarus", {"state": None}),
        r"params\.yaml: targets\.belarus\.state: null is not allowed \(a non-empty list, each a text\)",
    ),
    "same alias for two targets": (
        "tag",
        lambda r: set_param(r, "targets.russia.territory", ["Crimea"]),
        r"params\.yaml: alias 'Crimea' is given for both targets 'russia' and 'ukraine'",
    ),
    "same alias twice in one target": (
        "tag",
        lambda r: set_param(r, "targets.russia.leader", ["Putin", "russia"]),
        r"alias 'russia' is listed twice under targets\.russia \(kinds 'state' and 'leader'\)",
    ),
    "alias that is all punctuation": (
        "tag",
        lambda r: set_param(r, "targets.russia.leader", ["--"]),
        r"targets\.russia\.leader: alias '--' has no letter or digit",
    ),
    "actor name that is a target alias": (
        "tag",
        lambda r: set_param(r, "nlp.actors.usa.names", ["United States", "Moscow"]),
        r"nlp\.actors\.usa lists 'Moscow', which is an alias of target 'russia'",
    ),
    "unknown origin list": (
        "ingest",
        lambda r: set_param(r, "corpus.origins", ["Indian", "Indian"]),
        r"corpus\.origins lists \['Indian'\] more than once",
    ),
    "seed not a number": (
        "stance",
        lambda r: set_param(r, "seed", "twelve"),
        r"params\.yaml: seed: 'twelve' is not allowed \(an integer\)",
    ),
    "duplicate key in params.yaml": (
        "tag",
        lambda r: (r / "params.yaml").write_text(
            (r / "params.yaml").read_text(encoding="utf-8") + "seed: 1\n", encoding="utf-8"
        ),
        r"params\.yaml: line \d+: key 'seed' is given twice in one mapping \(first at line \d+\)",
    ),
    "params not YAML": (
        "ingest",
        lambda r: (r / "params.yaml").write_text("targets: [\n"),
        r"params\.yaml: not valid YAML",
    ),
}


@pytest.mark.parametrize("case", list(PARAMS_ERRORS))
def test_bad_params_are_refused_before_writing(project, capsys, case):
    stage, break_params, message = PARAMS_ERRORS[case]
    before = snapshot(project)
    break_params(project)
    rc, err = run_stage(project, stage, capsys)
    assert rc == 2
    assert re.search(rf"error: {stage}: .*" + message, err, re.DOTALL), err
    assert len(err.strip().splitlines()) == 1, err  # one line: key, value, what is allowed
    assert snapshot(project) == before


def rewrite_parquet(path: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    edit(pd.read_parquet(path)).to_parquet(path)


UPSTREAM_ERRORS: dict[str, tuple[str, str, Callable[[Path], None], str]] = {
    "column missing": (
        "tag",
        "documents.parquet",
        lambda p: rewrite_parquet(p, lambda df: df.drop(columns="text")),
        r"documents\.parquet: missing column\(s\) \['text'\] \(expected \['doc_id', .*\]\); the file was not "
        r"written by this version of the pipeline, or was edited: rerun the stage that writes it",
    ),
    "column of the wrong type": (
        "stance",
        "sentences.parquet",
        lambda p: rewrite_parquet(p, lambda df: df.assign(sent_id=df["sent_id"].astype(str))),
        r"sentences\.parquet: column 'sent_id' holds (large_)?string, expected int64; the file was not written",
    ),
    "not Parquet": (
        "compare",
        "mentions.parquet",
        lambda p: p.write_text("doc_id,sent_id\nua-one,1\n", encoding="utf-8"),
        r"mentions\.parquet: not a readable Parquet file \(.*\); rerun the stage that writes it",
    ),
}


@pytest.mark.parametrize("case", list(UPSTREAM_ERRORS))
def test_upstream_parquet_with_the_wrong_schema_is_named(project, capsys, case):
    stage, name, break_file, message = UPSTREAM_ERRORS[case]
    break_file(project / "outputs" / "data" / name)
    before = snapshot(project)
    rc, err = run_stage(project, stage, capsys)
    assert rc == 2
    assert re.search(rf"error: {stage}: .*" + message, err), err
    assert len(err.strip().splitlines()) == 1 and "FieldRef" not in err, err
    assert snapshot(project) == before


def test_missing_params_file_and_missing_upstream_output(tmp_path, capsys):
    assert main(["--params", str(tmp_path / "nope.yaml"), "ingest"]) == 2
    assert "error: ingest: " + str(tmp_path / "nope.yaml") + ": params file not found" in capsys.readouterr().err
    make_project(tmp_path, DOCS)
    assert main(["--params", str(tmp_path / "params.yaml"), "tag"]) == 2
    assert re.search(
        r"error: tag: .*documents\.parquet: not found; run the stage that writes it first", capsys.readouterr().err
    )
    assert not (tmp_path / "outputs" / "data" / "sentences.parquet").exists()


def documents_of(root: Path) -> pd.DataFrame:
    return pd.read_parquet(root / "outputs" / "data" / "documents.parquet").set_index("doc_id")


@pytest.mark.parametrize(
    "encoding, text, detected",
    [
        (
            "cp1251",
            "Russia and Ukraine met in Minsk.\nThe Kremlin said: «Мы не признаём эти выборы», per TASS.\n",
            "cp1251",
        ),
        ("latin-1", "Japan's approach, as Müller noted in the café, was naïve about Ukraine's résumé.\n" * 2, "cp1252"),
        ("cp1252", "Japan’s “strategic” view of Russia’s war — and of Ukraine’s résumé.\n", "cp125[12]"),
    ],
)
def test_non_utf8_is_decoded_with_a_warning(project, capsys, encoding, text, detected):
    add_doc(project, "x", text.encode(encoding))
    rc, err = run_stage(project, "ingest", capsys)
    assert rc == 0, err
    assert re.search(rf"warning: ingest: .*raw/x\.txt: not UTF-8; decoded as {detected}", err), err
    rules = load_rules(project / "corpus" / "cleaning_rules.yaml")
    assert documents_of(project).loc["x", "text"] == clean(text, rules).text


def test_utf16_with_bom_is_decoded_with_a_warning(project, capsys):
    add_doc(project, "x", PROSE.encode("utf-16"))
    rc, err = run_stage(project, "ingest", capsys)
    assert rc == 0 and "raw/x.txt: decoded as UTF-16 (byte-order mark)" in err
    assert documents_of(project).loc["x", "text"] == PROSE.strip()


def test_html_is_stripped_with_a_warning(project, capsys):
    page = (
        "<!DOCTYPE html><html><head><title>Site | News</title><style>p {color: red}</style></head>\n"
        "<body><nav><a href='/'>Print</a></nav><h1>Japan &amp; Ukraine</h1>\n"
        "<p>Japan&rsquo;s aid to <b>Ukraine</b>\ngrew.</p><script>alert('x')</script>"
        "<p>Russia objected.</p></body></html>\n"
    )
    add_doc(project, "x", page)
    rc, err = run_stage(project, "ingest", capsys)
    assert rc == 0, err
    assert re.search(
        r"warning: ingest: .*raw/x\.txt: HTML markup found \('<!DOCTYPE html>' at line 1\); "
        r"converted to plain text",
        err,
    )
    # "Print" is a navigation line the cleaning rules then remove, as in a text file
    assert (
        documents_of(project).loc["x", "text"] == "Japan & Ukraine\n\nJapan’s aid to Ukraine grew.\n\nRussia objected."
    )


def test_web_boilerplate_in_a_text_file_is_removed_and_audited(project, capsys):
    """Navigation bullets, timestamps, share lines and a related-articles block of a page saved as text."""
    from test_cleaning import WEB_PAGE

    add_doc(project, "web", WEB_PAGE)
    rc, err = run_stage(project, "ingest", capsys)
    assert rc == 0, err
    text = documents_of(project).loc["web", "text"]
    assert text.startswith("Editorial: Japan must stay the course on Ukraine\n\nJapan's government said")
    assert not re.search(r"Share|Published|Updated|Related|Kishida|Reuters|©|^- ", text, re.MULTILINE), text
    audit = json.loads((project / "outputs" / "data" / "clean" / "web.cleaning.json").read_text(encoding="utf-8"))
    assert audit["counts"] == {
        "web_breadcrumb": 1,
        "web_dateline_prefix": 1,
        "web_navigation_bullet": 2,
        "web_related_block": 4,
        "web_share_line": 3,
        "web_timestamp": 2,
    }
    assert len(audit["removed"]) == 13


def test_stray_control_characters_are_removed_with_a_warning(project, capsys):
    add_doc(project, "x", PROSE.replace("memorandum", "memo\x1brandum") + "\x1a")
    rc, err = run_stage(project, "ingest", capsys)
    assert rc == 0 and "raw/x.txt: removed 2 stray control character(s) (first U+001B at line 1)" in err
    assert documents_of(project).loc["x", "text"] == PROSE.strip()


def test_identical_files_are_a_warning(project, capsys):
    add_doc(project, "copy", DOCS["ua-one"][1], origin="Ukrainian")
    rc, err = run_stage(project, "ingest", capsys)
    assert rc == 0
    assert re.search(r"warning: ingest: .*manifest\.csv: row 4 \('copy'\) has the same text as row 2", err)


def test_document_and_group_without_target_mentions_warn_and_continue(project, capsys):
    add_doc(project, "ru-econ", "Japan and China discussed trade in Tokyo.\n", origin="Russian")
    assert run_stage(project, "ingest", capsys)[0] == 0
    rc, err = run_stage(project, "tag", capsys)
    assert rc == 0
    assert (
        "warning: tag: document 'ru-econ' mentions none of the targets ['russia', 'ukraine']; it yields no stance units"
    ) in err
    for target in ("russia", "ukraine"):
        assert (
            f"warning: tag: origin group 'Russian' (1 document(s)) never mentions target '{target}'; "
            f"its stance shares toward {target} are missing (no data), not zero"
        ) in err
    assert "group 'Indian'" not in err and "'ua-one' mentions none" not in err
    sentences = pd.read_parquet(project / "outputs" / "data" / "sentences.parquet")
    assert "ru-econ" in set(sentences["doc_id"])  # the document is kept


def test_debug_env_shows_the_traceback(project, monkeypatch):
    add_doc(project, "x", b"")
    monkeypatch.setenv("PIPELINE_DEBUG", "1")
    with pytest.raises(ValueError, match="empty file"):
        main(["--params", str(project / "params.yaml"), "ingest"])


@pytest.mark.parametrize(
    "html, text",
    [
        # a page: one line per block element, whitespace collapsed, entities decoded, scripts dropped
        (
            "<html><head><title>T</title></head><body><h1>Kyiv</h1><p>A\n  b &amp; c<br>d</p>"
            "<script>var s = '<p>x</p>';</script><ul><li>one</li><li>two</li></ul></body></html>",
            "Kyiv\n\nA b & c\n\nd\n\none\n\ntwo\n",
        ),
        # an unclosed <head> ends where <body> begins, as in a browser
        ("<html><head><meta charset=utf-8><body><p>Moscow</p>", "Moscow\n"),
        # inline tags left in a text file: its own line breaks stay
        (
            "Title\nA <b>bold</b> claim about Russia.\n\nMore <a href='x'>here</a>.\n",
            "Title\n\nA bold claim about Russia.\n\nMore here.\n",
        ),
        # table cells on one line, <pre> keeps its lines
        ("<table><tr><td>GDP</td><td>2%</td></tr></table><pre>a\nb</pre>", "GDP 2%\n\na\n\nb\n"),
    ],
)
def test_html_to_text(html, text):
    from pipeline.ingestion.html import html_to_text, looks_like_html

    assert looks_like_html(html)
    assert html_to_text(html) == text


@pytest.mark.parametrize("prose", ["x < y and y > z", "the <Ukraine> file", "a<b", "I <3 Kyiv"])
def test_angle_brackets_in_prose_are_not_html(prose):
    from pipeline.ingestion.html import looks_like_html

    assert not looks_like_html(prose)


def test_ctrl_c_exits_130_with_a_message(project, capsys, monkeypatch):
    from pipeline.stages import ingest

    def interrupted(params):
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest, "run", interrupted)
    before = snapshot(project)
    rc, err = run_stage(project, "ingest", capsys)
    assert rc == 130
    assert "error: ingest: interrupted; outputs not yet replaced keep their previous content" in err
    assert snapshot(project) == before


def test_os_error_on_write_is_a_one_line_error(project, capsys):
    """A folder where an output file should be (as root, permissions cannot be used to provoke this)."""
    documents = project / "outputs" / "data" / "documents.parquet"
    documents.unlink()
    documents.mkdir()
    rc, err = run_stage(project, "ingest", capsys)
    assert rc == 2 and re.search(r"error: ingest: \[Errno 21\] Is a directory: .*documents\.parquet", err), err
    assert "Traceback" not in err


NEWS_PAGE = """<!DOCTYPE html><html><head><title>Daily Example</title></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav></header>
<article><h1>Japan must stay the course on Ukraine</h1><p class="byline">By Staff | 12 March 2024</p>
<p>Japan's government said on Tuesday it would extend its support for Ukraine, adding new sanctions on Russian
banks and insurers.</p>
<p>Critics in Tokyo argue that the sanctions hurt Japanese firms more than they hurt Moscow, but the cabinet
disagrees.</p>
<div class="share"><a>Share on Facebook</a> <a>Share on X</a></div></article>
<aside><h3>Related articles</h3><ul><li><a>Kishida visits Kyiv</a></li><li><a>G7 and frozen assets</a></li></ul>
</aside><footer><p>Cookie settings</p><p>Contact the newsroom</p></footer></body></html>
"""


def test_a_news_page_keeps_its_article_and_audits_what_the_extractor_left_out(project, capsys):
    add_doc(project, "page", NEWS_PAGE)
    rc, err = run_stage(project, "ingest", capsys)
    assert rc == 0, err
    assert re.search(r"raw/page\.txt: HTML markup found .*; \d+ block\(s\) that are not its article left out", err)
    assert documents_of(project).loc["page", "text"] == (
        "Japan must stay the course on Ukraine\n\n"
        "Japan's government said on Tuesday it would extend its support for Ukraine, adding new sanctions on Russian "
        "banks and insurers.\n\n"
        "Critics in Tokyo argue that the sanctions hurt Japanese firms more than they hurt Moscow, but the cabinet "
        "disagrees."
    )
    audit = json.loads((project / "outputs" / "data" / "clean" / "page.cleaning.json").read_text(encoding="utf-8"))
    left_out = [r["text"] for r in audit["removed"] if r["rule"] == "html_extractor"]
    for furniture in ("Home", "World", "Related articles", "Kishida visits Kyiv", "Cookie settings"):
        assert furniture in left_out, left_out
    assert audit["counts"]["html_extractor"] == len(left_out)
