"""Near-duplicate post text (同质化): MinHash signatures over character shingles, cut into LSH
bands so candidates come from one indexed lookup (PRODUCT §14, docs/posts.md).

Pure: no Django. Everything here is deterministic across processes: datasketch hashes shingles
with SHA-1 (never Python's salted hash()) and draws its permutations from a fixed seed, and band
keys are SHA-1 digests too. A signature stored by one worker compares with one computed by
another, today or after a restart.

The threshold was chosen on the labelled set in tests/test_post_duplicates.py: brand copy pasted
with a few words changed, reordered or trimmed scores 0.46–0.93; genuinely different reviews of
one product, even ones sharing stock phrases (质地轻薄, 熬夜, 回购), score under 0.05. 0.3 sits
in the gap, nearer the honest side because five scattered edits to a short text already cut
its 3-gram overlap to about half.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from sharemall.posts.rules import normalize_for_matching

NUM_PERM = 128
SEED = 1  # datasketch's default, pinned: signatures must never change under us
SHINGLE = 3  # characters: Chinese words are one to three characters, so 3-grams catch phrasing
# 64 bands of 2 rows: a pair at Jaccard 0.3 shares a band with probability 0.998, at 0.05 with
# 0.15; candidates are then scored on the full signature against THRESHOLD.
BANDS, ROWS = 64, 2
THRESHOLD = 0.3
# Shorter texts (after normalisation) are not compared: "很好用，推荐" is everyone's words.
MIN_CHARS = 20

assert BANDS * ROWS == NUM_PERM


@dataclass(frozen=True)
class Fingerprint:
    signature: bytes  # NUM_PERM little-endian uint32 values
    bands: tuple[int, ...]  # one signed 63-bit key per band, in band order


def shingles(text: str) -> set[str]:
    norm = normalize_for_matching(text)
    if len(norm) < MIN_CHARS:
        return set()
    return {norm[i : i + SHINGLE] for i in range(len(norm) - SHINGLE + 1)}


def fingerprint(text: str) -> Fingerprint | None:
    """The text's signature and band keys; None for texts too short to compare."""
    grams = shingles(text)
    if not grams:
        return None
    # Imported here: datasketch's package brings scipy, half a second at every process start
    # (each worker, each command), for the one call that writes or checks a post.
    from datasketch import MinHash  # noqa: PLC0415

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    # Sorted: the same set gives the same signature whatever order a set iterates in.
    minhash.update_batch([g.encode("utf-8") for g in sorted(grams)])
    values = minhash.hashvalues.astype("<u4")
    return Fingerprint(signature=values.tobytes(), bands=band_keys(values))


def band_keys(values: np.ndarray) -> tuple[int, ...]:
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.sha1(chunk, usedforsecurity=False).digest()
        # 63 bits: fits a signed bigint column on every database.
        keys.append(int.from_bytes(digest[:8], "big") >> 1)
    return tuple(keys)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two texts' shingle sets: the share of equal minima."""
    left = np.frombuffer(a, dtype="<u4")
    right = np.frombuffer(b, dtype="<u4")
    if left.shape != right.shape:
        return 0.0
    return float(np.count_nonzero(left == right)) / NUM_PERM


def is_copy(score: float) -> bool:
    return score >= THRESHOLD
