"""Warnings about the input that do not stop a run (docs/errors.md lists them).

Some input problems have a safe way through: a cp1251 file can be decoded,
an HTML page stripped to text, a document without any target mention kept
for salience. The pipeline continues but tells the user, through Python's
``warnings`` machinery, so library users can filter or escalate them
(``-W error::pipeline.diagnostics.InputWarning``) and tests can assert them.
The CLI prints them as ``warning: <stage>: <message>``.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class InputWarning(UserWarning):
    """The input is usable but not what the pipeline expects; the message says what was done."""


def warn(message: str) -> None:
    """Emit an :class:`InputWarning`; every distinct message is shown (no once-per-line dedup)."""
    warnings.warn(message, InputWarning, stacklevel=2)


@contextmanager
def cli_warnings(stage: str, stream: TextIO | None = None) -> Iterator[None]:
    """Show every InputWarning as one ``warning: <stage>: ...`` line on stderr, without source lines."""

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001 (stdlib signature)
        out = stream or sys.stderr
        if issubclass(category, InputWarning):
            print(f"warning: {stage}: {message}", file=out)
        else:
            out.write(warnings.formatwarning(message, category, filename, lineno, line))

    with warnings.catch_warnings():
        warnings.simplefilter("always", InputWarning)
        warnings.showwarning = show
        yield
