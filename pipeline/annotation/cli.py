"""``annotate export`` and ``annotate import``: the annotation loop on the command line.

Not DVC stages: they produce input (draw records and passes under
corpus/annotations/), so they run when a person decides to annotate.
``export_sample`` and ``import_file`` take the unit table and the
annotations folder, so tests and scripts call them without a project;
``add_arguments`` / ``run`` mount them under the main CLI
(``python -m pipeline annotate ...``).
"""

from __future__ import annotations

import argparse
import datetime
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import io, paths
from pipeline.annotation.importing import ImportedPass, import_pass
from pipeline.annotation.labelstudio import write_tasks
from pipeline.annotation.passes import AnnotationError, labelled_keys
from pipeline.annotation.sampling import draw_sample
from pipeline.annotation.tasks import draw_record, make_sample_id, sample_path, task_table, write_csv
from pipeline.nlp.units import stance_units
from pipeline.params import Annotate, Params

FORMATS = ("csv", "labelstudio")
MIN_PER_CELL = Annotate().min_per_cell
_GUIDE_VERSION = re.compile(r"^\W*(?:guide\s+)?version\W*?\s*v?(\d+(?:\.\d+)*)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Export:
    sample_id: str
    seed: int
    n_units: int
    files: tuple[Path, ...]


def today() -> str:
    return datetime.date.today().isoformat()


def export_sample(
    units: pd.DataFrame,
    annotations: Path,
    *,
    n: int,
    out: Path,
    fmt: str = "csv",
    target: str | None = None,
    seed: int | None = None,
    min_per_cell: int = MIN_PER_CELL,
    guide_version: str,
    date: str | None = None,
) -> Export:
    """Draw ``n`` not yet labelled units, write the blinded task file(s) and the draw record.

    Without a seed a fresh one is drawn; it is printed and recorded, so the
    draw can be repeated. An existing ``out`` is never overwritten: it may be
    someone's filled file.
    """
    out, annotations, date = Path(out), Path(annotations), date or today()
    if n < 1:
        raise AnnotationError(f"--n {n}: draw at least one unit")
    if fmt not in FORMATS:
        raise AnnotationError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    if (out.suffix.lower() == ".json") != (fmt == "labelstudio"):
        raise AnnotationError(
            f"--out {out}: a {fmt} task file needs a name ending in "
            f"{'.json' if fmt == 'labelstudio' else '.csv'} (the import tells formats apart by it)"
        )
    if out.exists():
        raise AnnotationError(f"{out}: exists; choose another --out or delete it (it may hold someone's labels)")
    if target is not None:
        if target not in set(units["target"]):
            raise AnnotationError(
                f"--target {target}: no units of that target; targets with units: "
                f"{', '.join(sorted(set(units['target'])))}"
            )
        units = units[units["target"] == target]
    seed = secrets.randbelow(2**31) if seed is None else seed
    drawn = draw_sample(units, n, min_per_cell=min_per_cell, seed=seed, exclude=labelled_keys(annotations))
    if drawn.empty:
        raise AnnotationError(
            f"{annotations}: every unit{f' of {target}' if target else ''} already has a label "
            "in a pass; nothing left to draw"
        )
    sample_id = make_sample_id(drawn, n=n, target=target, seed=seed, date=date)
    tasks = task_table(drawn, sample_id)
    if fmt == "csv":
        write_csv(tasks, out, for_spreadsheet=True)
        files: tuple[Path, ...] = (out,)
    else:
        files = write_tasks(tasks, out)
    record = sample_path(annotations, sample_id)
    write_csv(draw_record(drawn, seed=seed, date=date, guide_version=guide_version), record)
    return Export(sample_id, seed, len(drawn), (*files, record))


def import_file(
    path: Path,
    units: pd.DataFrame,
    annotations: Path,
    *,
    annotator: str | None,
    model_based: bool = False,
    guide_version: str,
    date: str | None = None,
) -> ImportedPass:
    """Record a filled CSV or Label Studio JSON export as a pass (see ``pipeline.annotation.importing``)."""
    return import_pass(
        path,
        units,
        annotations,
        annotator=annotator,
        model_based=model_based,
        guide_version=guide_version,
        date=date or today(),
    )


def guide_version(guide: Path) -> str:
    """The version the guide states in a line near its top such as ``Version: 2.0`` (recorded in every file)."""
    head = "\n".join(Path(guide).read_text(encoding="utf-8").splitlines()[:30])
    found = _GUIDE_VERSION.search(head)
    if not found:
        raise AnnotationError(
            f"{guide}: no version line (e.g. 'Version: 2.0') in its first 30 lines; "
            "annotation files record the guide version"
        )
    return found.group(1)


def parse(argv: list[str], params_file: str) -> argparse.Namespace:
    """``python -m pipeline annotate {export,import} ...`` parsed; ``stage`` and ``params`` set for the CLI."""
    parser = argparse.ArgumentParser(prog="python -m pipeline annotate", description=__doc__.split("\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    args.stage, args.params = "annotate", params_file
    return args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``export`` and ``import`` subcommands, for ``python -m pipeline annotate ...``."""
    sub = parser.add_subparsers(dest="annotate_command", required=True, metavar="{export,import}")
    export = sub.add_parser("export", help="draw units to label and write a blinded task file")
    export.add_argument(
        "--n",
        type=int,
        required=True,
        help="number of units to draw (at least annotate.min_per_cell from every document x target cell)",
    )
    export.add_argument("--target", help="draw units of this target only")
    export.add_argument("--seed", type=int, help="random seed (default: a fresh one, printed and recorded)")
    export.add_argument(
        "--format",
        choices=FORMATS,
        default="csv",
        help="csv (a spreadsheet) or labelstudio (import tasks JSON + labelling config XML)",
    )
    export.add_argument("--out", type=Path, required=True, help="task file to write (never overwritten)")
    imp = sub.add_parser("import", help="record a filled task file (CSV) or Label Studio JSON export as a pass")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--annotator", help="short id of the annotator (e.g. initials)")
    imp.add_argument(
        "--model-based",
        action="store_true",
        help="the labels come from a model-based annotator (an LLM session), not a person",
    )


def _units(root: Path) -> pd.DataFrame:
    """The unit table with its context columns (the sentences before and after: annotators read them)."""
    return stance_units(
        io.read_parquet(root / paths.SENTENCES),
        io.read_parquet(root / paths.MENTIONS),
        io.read_parquet(root / paths.DOCUMENTS),
    )


def run(args: argparse.Namespace, params: Params) -> int:
    """Carry out a parsed ``annotate`` command in the project of ``params``; print what was written."""
    annotations = params.root / paths.ANNOTATIONS
    version = guide_version(params.root / paths.GUIDE)
    units = _units(params.root)
    if args.annotate_command == "export":
        done = export_sample(
            units,
            annotations,
            n=args.n,
            out=args.out,
            fmt=args.format,
            target=args.target,
            seed=args.seed,
            min_per_cell=params.annotate.min_per_cell,
            guide_version=version,
        )
        print(f"sample {done.sample_id}: {done.n_units} units drawn (seed {done.seed})")
        for path in done.files:
            print(f"wrote {path}")
        return 0
    imported = import_file(
        args.file, units, annotations, annotator=args.annotator, model_based=args.model_based, guide_version=version
    )
    print(
        f"wrote {imported.path}: {imported.n_labelled} units labelled, {imported.n_unlabelled} of sample "
        f"{imported.sample_id} still unlabelled"
    )
    return 0
