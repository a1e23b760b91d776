"""From raw files to clean text: the manifest, decoding, HTML, boilerplate cleaning."""
