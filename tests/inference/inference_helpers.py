"""Image files for the batch inference tests, and reading them back independently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def save_8bit(path: Path, image: np.ndarray) -> None:
    """A float image in [0, 1] as an 8-bit PNG/PGM (read-only, like an archive's files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)).save(path)
    path.chmod(0o444)


def read_reference(path: Path) -> np.ndarray:
    """The image as float32 in [0, 1], read with PIL directly (8-bit / 255, 16-bit / 65535)."""
    with Image.open(path) as im:
        a = np.asarray(im)
    top = 255.0 if a.dtype == np.uint8 else 65535.0
    return a.astype(np.float32) / np.float32(top)


def assert_masks_match(got: np.ndarray, est, image: np.ndarray) -> None:
    """``got`` equals ``est.predict`` on ``image``, except pixels whose probability is within
    1e-4 of the threshold (float sums may differ in the last bits between processes)."""
    want = est.predict(image[None])[0]
    p = est.predict_proba(image[None])[0]
    assert got.shape == want.shape
    assert not np.any((got != want) & (np.abs(p - est.threshold_) > 1e-4))
