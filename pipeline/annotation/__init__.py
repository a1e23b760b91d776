"""Annotation of a random sample of the corpus: draws, task files, passes and agreement.

``tasks`` writes what an annotator sees (a blinded CSV or Label Studio tasks)
and the draw record; ``passes`` reads what comes back, validates it and
records it as a pass file (corpus/annotations/README.md, v2 layout);
``reliability`` measures agreement between any number of passes.
"""
