"""spaCy tagging: the pipeline, sentences, entities, target mentions and the stance unit table."""
