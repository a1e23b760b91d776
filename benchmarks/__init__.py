"""Benchmarks: throughput, ceilings, scaling and DVC timings (``make bench``; docs/performance.md)."""

import os

# Progress bars of stages run inside the benchmark process would bury its output.
os.environ.setdefault("TQDM_DISABLE", "1")
