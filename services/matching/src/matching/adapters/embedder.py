"""Profile embeddings off the event loop, with a small cache by text.

The numpy MiniLM encoder takes 5-30 ms per short text; it runs in a worker thread
(``asyncio.to_thread``) so requests and consumers keep flowing meanwhile. Identical texts
(an unchanged bio after another field changed, replays) hit the cache instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

import numpy as np

from matching.adapters.minilm import SentenceEncoder

log = logging.getLogger("matching.embedder")


class Embedder:
    def __init__(
        self, *, enabled: bool = True, model_dir: str | None = None, cache_size: int = 4096
    ) -> None:
        self.enabled = enabled
        self._encoder = SentenceEncoder(model_dir) if enabled else None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = asyncio.Lock()

    async def warm_up(self) -> None:
        """Load the weights in a thread (about a second) before the first profile needs them."""
        if self._encoder is not None:
            await asyncio.to_thread(self._encoder.encode, ["warm up"])

    async def embed(self, text: str) -> np.ndarray | None:
        vectors = await self.embed_many([text])
        return vectors[0]

    async def embed_many(self, texts: list[str]) -> list[np.ndarray | None]:
        if self._encoder is None:
            return [None] * len(texts)
        out: list[np.ndarray | None] = [None] * len(texts)
        missing: dict[str, list[int]] = {}
        for index, text in enumerate(texts):
            if not text.strip():
                continue
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                out[index] = cached
            else:
                missing.setdefault(text, []).append(index)
        if missing:
            unique = list(missing)
            # One encoder call at a time: its matmuls already use every core.
            async with self._lock:
                vectors = await asyncio.to_thread(self._encoder.encode, unique)
            for text, vector in zip(unique, vectors, strict=True):
                self._remember(text, vector)
                for index in missing[text]:
                    out[index] = vector
        return out

    def _remember(self, text: str, vector: np.ndarray) -> None:
        self._cache[text] = vector
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
