"""Annotation: gold labels, agreement, and the sampling design of `annotate export`."""
