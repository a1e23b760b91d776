"""Annotation: the sampling design of `annotate export`, task files, passes, gold labels and agreement.

``sampling`` draws units; ``tasks`` writes what an annotator sees (a blinded
CSV or Label Studio tasks) and the draw record; ``passes`` reads what comes
back, validates it and records it as a pass file (corpus/annotations/README.md);
``gold`` derives the gold labels from the passes and the adjudication;
``reliability`` measures agreement between any number of passes.
"""
