"""Fixed-window counters in the cache (Redis in production, so limits hold across workers)."""

from __future__ import annotations

import time

from django.core.cache import cache


def allow(bucket: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit against `bucket`; False once the window already holds `limit` hits."""
    window = int(time.time()) // window_seconds
    key = f"throttle:{bucket}:{window}"
    cache.add(key, 0, timeout=window_seconds + 1)
    try:
        hits = cache.incr(key)
    except ValueError:  # evicted between add and incr: start the window again
        cache.set(key, 1, timeout=window_seconds + 1)
        hits = 1
    return hits <= limit
