"""Command line: one subcommand per pipeline stage (``python -m pipeline --help``)."""
from __future__ import annotations

import argparse
import importlib
import sys

from pipeline.config import load_params

# stage name -> (module under pipeline.stages, one-line help)
STAGES: dict[str, tuple[str, str]] = {
    "ingest": ("ingest", "validate the manifest and clean raw documents"),
    "tag": ("tag", "spaCy sentences, entities and target mentions"),
    "stance": ("stance", "label every (sentence, target) unit with a stance"),
    "compare": ("compare", "stance shares and salience per document and origin group"),
    "report": ("report", "figures from the compare tables"),
    "evaluate": ("evaluate", "leave-one-document-out scores of every stance classifier"),
    "train": ("train", "fit the chosen stance classifier on all gold units"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance-pipeline",
        description="Comparative stance analysis toward Russia and Ukraine. Each subcommand is one DVC stage.",
    )
    parser.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
    sub = parser.add_subparsers(dest="stage", required=True, metavar="STAGE")
    for name, (_, help_text) in STAGES.items():
        sub.add_parser(name, help=help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        params = load_params(args.params)
        module = importlib.import_module(f"pipeline.stages.{STAGES[args.stage][0]}")
        module.run(params)
    except (ValueError, FileNotFoundError) as exc:  # our input errors: message, no traceback
        print(f"error: {args.stage}: {exc}", file=sys.stderr)
        return 2
    return 0
