"""Decoding raw corpus files into text.

``read_document`` is the one gate every raw corpus file passes: it turns
bytes into text or refuses them with a message that names the file and
says what to do (docs/errors.md lists every message).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from pipeline.diagnostics import warn
from pipeline.ingestion.extraction import article_text
from pipeline.ingestion.html import first_html_tag, looks_like_html
from pipeline.params import CleaningInput


class DocumentError(ValueError):
    """A raw document cannot be read as text."""


# Leading bytes of file formats people save by mistake under a .txt name.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (.docx, .odt, .epub, .zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an MS Office 97-2003 file (.doc, .xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
)
# UTF-32 before UTF-16: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters (Unicode category Cc) other than those a text file may hold:
# tab, line feed, vertical tab, form feed (from PDF extraction), carriage return.
_STRAY_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Above this share (and more than two) of other control characters a file is binary; fewer are removed.
_MAX_CONTROL_SHARE = 0.01


def _line_of(data: bytes | str, offset: int) -> int:
    if isinstance(data, bytes):
        return data.count(b"\n", 0, offset) + 1
    return data.count("\n", 0, offset) + 1


def read_document(path: Path, options: CleaningInput | None = None) -> str:
    """A raw corpus file as text (``read_source`` without the blocks an HTML page's extractor left out)."""
    return read_source(path, options)[0]


def read_source(path: Path, options: CleaningInput | None = None) -> tuple[str, list[str]]:
    """A raw corpus file as text, and the blocks of an HTML page left out as not its article
    (pipeline.ingestion.extraction); or a DocumentError that says what is wrong and how to fix it.

    UTF-8 (with or without BOM) is read as is. UTF-16/32 with a BOM, a
    single-byte encoding detected with confidence, stray control
    characters and HTML markup are converted with an InputWarning; empty,
    binary, mixed-encoding, undetectable, oversized and (with
    ``html: refuse``) HTML files are refused. See docs/errors.md.
    """
    options = options or CleaningInput()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read the file: {exc.strerror}") from exc
    if not data.strip():
        raise DocumentError(f"{path}: empty file; remove its manifest row or restore its text")
    text = _decode(path, data, options)
    text = _drop_control_characters(path, text)
    if not text.strip():
        raise DocumentError(f"{path}: empty file (only whitespace); remove its manifest row or restore its text")
    left_out: list[str] = []
    if looks_like_html(text):
        text, left_out = _html(path, text, options)
    _check_size(path, text, options)
    return text, left_out


def _decode(path: Path, data: bytes, options: CleaningInput) -> str:
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise DocumentError(
                f"{path}: binary file ({kind}), not text; extract its text into a UTF-8 .txt file first"
            )
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    f"{path}: starts with a {codec.upper()} byte-order mark but is not "
                    f"valid {codec.upper()} (byte {exc.start}); re-save it as UTF-8"
                ) from exc
            warn(f"{path}: decoded as {codec.upper()} (byte-order mark); re-save it as UTF-8 to silence this warning")
            return text
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise DocumentError(
            f"{path}: binary file (NUL byte at line {_line_of(data, at)}), not text; or UTF-16 without a "
            "byte-order mark; save it as UTF-8 text"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    profile = data.decode("utf-8", errors="surrogateescape")
    invalid = sum(1 for c in profile if "\udc80" <= c <= "\udcff")
    valid_multibyte = sum(1 for c in profile if ord(c) > 0x7F and not "\udc80" <= c <= "\udcff")
    if valid_multibyte > invalid:
        raise DocumentError(
            f"{path}: mostly UTF-8, but {invalid} byte(s) are not (first at line {_line_of(data, first_bad)}: "
            f"{data[first_bad : first_bad + 1]!r}); the file mixes encodings or is damaged; fix those bytes"
        )
    return _detect(path, data, options)


def _detect(path: Path, data: bytes, options: CleaningInput) -> str:
    """Decode a non-UTF-8 file when charset-normalizer is sure among the configured encodings."""
    candidates = list(options.encodings)
    matches = from_bytes(data, cp_isolation=candidates)
    best = matches.best()
    if best is None:
        raise DocumentError(
            f"{path}: not UTF-8, and none of the encodings in cleaning.input.encodings {candidates} decodes it "
            "as plausible text; convert it to UTF-8 (e.g. iconv -f <encoding> -t utf-8) or add its encoding there"
        )
    text = str(best)
    rivals = sorted({m.encoding for m in matches if str(m) != text and m.chaos - best.chaos <= options.encoding_margin})
    if rivals:
        raise DocumentError(
            f"{path}: not UTF-8, and its encoding is unclear: {best.encoding} and {', '.join(rivals)} decode "
            "it about equally plausibly but differently; convert it to UTF-8 (e.g. iconv -f <encoding> -t utf-8), "
            "or narrow cleaning.input.encodings to the right one"
        )
    same = [e for e in best.could_be_from_charset if e != best.encoding]
    also = f" (or equivalently {', '.join(same)})" if same else ""
    warn(
        f"{path}: not UTF-8; decoded as {best.encoding}{also}, detected among {candidates}; check the text "
        "and convert the file to UTF-8 to silence this warning"
    )
    return text


def _drop_control_characters(path: Path, text: str) -> str:
    controls = [m.start() for m in _STRAY_CONTROL.finditer(text)]
    if not controls:
        return text
    first = text[controls[0]]
    where = f"first U+{ord(first):04X} at line {_line_of(text, controls[0])}"
    if len(controls) > max(2, _MAX_CONTROL_SHARE * len(text)):
        raise DocumentError(
            f"{path}: binary file ({len(controls)} control characters, {where}), not text; save it as UTF-8 text"
        )
    warn(f"{path}: removed {len(controls)} stray control character(s) ({where})")
    return _STRAY_CONTROL.sub("", text)


def _html(path: Path, text: str, options: CleaningInput) -> tuple[str, list[str]]:
    example = _html_example(text)
    if options.html == "refuse":
        raise DocumentError(
            f"{path}: HTML markup found ({example}), and cleaning.input.html is 'refuse'; save the page as "
            "plain text, or set cleaning.input.html: strip"
        )
    stripped, left_out = article_text(text)
    extracted = f"; {len(left_out)} block(s) that are not its article left out (cleaning audit)" if left_out else ""
    warn(
        f"{path}: HTML markup found ({example}); converted to plain text (tags, scripts and styles removed)" + extracted
    )
    if not stripped.strip():
        raise DocumentError(f"{path}: HTML page with no visible text; remove its manifest row or restore its text")
    return stripped, left_out


def _html_example(text: str) -> str:
    """The first tag and its line, so the user can find the markup."""
    match = first_html_tag(text)
    assert match is not None
    snippet = match.group(0)
    snippet = snippet if len(snippet) <= 40 else snippet[:37] + "..."
    return f"{snippet!r} at line {_line_of(text, match.start())}"


def _check_size(path: Path, text: str, options: CleaningInput) -> None:
    if len(text) > options.max_document_chars:
        raise DocumentError(
            f"{path}: {len(text):,} characters, more than cleaning.input.max_document_chars "
            f"({options.max_document_chars:,}); split the document into several manifest rows (e.g. one per chapter)"
        )
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    if len(lines[longest]) > options.max_line_chars:
        raise DocumentError(
            f"{path}: line {longest + 1} has {len(lines[longest]):,} characters, more than "
            f"cleaning.input.max_line_chars ({options.max_line_chars:,}); the file has probably lost its line "
            "breaks (minified HTML, or text extracted without paragraphs), which defeats the line-based cleaning "
            "rules; re-extract it with line breaks, or raise the limit"
        )
