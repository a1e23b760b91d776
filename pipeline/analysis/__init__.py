"""Analyses behind the compare stage: estimates, resampling, prediction-powered inference."""
