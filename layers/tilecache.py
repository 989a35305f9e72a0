"""The tile cache: gzipped tiles keyed by layer, version and z/x/y.

Two levels: the `tiles` cache of settings (files shared by the server's workers, or a dummy
with TILE_CACHE=off) and, in front of a file cache, a small in-process LRU of the most asked
tiles, so that a popular tile costs neither a file read nor an unpickling. Keys hold the
layer's version token, so a write to the layer's table (which bumps the version) makes every
older entry unreachable at once; old entries age out of both levels.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.utils.http import parse_etags

from core.compression import gzip_bytes
from layers.registry import Layer
from layers.tiles import render_tile


def tile_key(name: str, token: str, z: int, x: int, y: int) -> str:
    return f"tile:{name}:{token}:{z}:{x}:{y}"


def tile_etag(name: str, token: str, z: int, x: int, y: int) -> str:
    return f'"{name}-{token}-{z}-{x}-{y}"'


def compress(raw: bytes) -> bytes:
    return gzip_bytes(raw) if raw else b""


class MemoryLru:
    """A thread-safe LRU of byte strings bounded by their total size."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def set(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._items[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


memory = MemoryLru(settings.TILE_MEMORY_CACHE_MB * 1024 * 1024)


def _memory_in_use() -> bool:
    """Only in front of the shared file cache: a dummy cache means every tile is built afresh,
    and an in-memory cache (tests) is already in memory."""
    return memory.max_bytes > 0 and isinstance(caches["tiles"], FileBasedCache)


def cached(key: str) -> bytes | None:
    """The gzipped tile (b"" for an empty one) or None when neither level holds it."""
    use_memory = _memory_in_use()
    if use_memory:
        body = memory.get(key)
        if body is not None:
            return body
    body = caches["tiles"].get(key)
    if body is not None and use_memory:
        memory.set(key, body)
    return body


def store(key: str, body: bytes) -> None:
    caches["tiles"].set(key, body)
    if _memory_in_use():
        memory.set(key, body)


def gzipped_tile(layer: Layer, token: str, z: int, x: int, y: int) -> bytes:
    """The tile gzipped (b"" when empty): from the cache, or built by PostGIS and cached."""
    key = tile_key(layer.name, token, z, x, y)
    body = cached(key)
    if body is None:
        body = compress(render_tile(layer, z, x, y))
        store(key, body)
    return body


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names this ETag, compared weakly (RFC 9110 13.1.2): `W/"…"` as a
    proxy that compressed the tile sends it back, in a list, or `*`."""
    if not if_none_match:
        return False
    if if_none_match == etag:
        return True
    tags = parse_etags(if_none_match)
    return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}
