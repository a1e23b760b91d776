"""The DVC stages, one module each with ``run(params)`` (pipeline.cli runs them)."""
