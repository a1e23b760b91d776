"""Cross-check of the framing-vocabulary log-odds against Scattertext and ConvoKit (issue #18, item 4).

contrasts: our side (runs in .venv); theirs: the peers' side (a script run in .venv-peers);
agreement: the subprocess call and the comparison; synthetic: the large corpus for timing.
"""
