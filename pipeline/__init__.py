"""Comparative stance analysis pipeline (see README.md and docs/architecture.md)."""

import os
import sys

__version__ = "0.1.0"

ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"
# Arrow's buffers come from jemalloc, which hands freed memory back to the system. The default pool of
# the Linux wheels (mimalloc) keeps what a Parquet read or write freed, so a stage's resident memory kept
# the peak of every table it read: on the 100x corpus stance peaked at 409 MiB with mimalloc and 347 with
# jemalloc, compare at 504 and 428, with the same outputs (docs/performance.md). Arrow reads this variable
# when it first allocates, so it is set here, before any module of the package imports pyarrow; the
# variable also reaches Dask's and the report's worker processes. A pool the user chose wins. Linux only:
# the wheels of other platforms may lack jemalloc, and Arrow would warn on every start.
if sys.platform.startswith("linux"):
    os.environ.setdefault(ARROW_POOL_ENV, "jemalloc")
