"""Scoring classifiers against gold labels: metrics, out-of-fold scoring and selection, the model card."""
