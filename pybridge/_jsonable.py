"""``json.dumps``' fallback shared by the records pybridge writes (model metadata, lab results)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["json_default"]


def json_default(o: Any) -> Any:
    """``json.dumps``' fallback: NumPy scalars and arrays as their Python values (an option
    given as ``np.float32(0.002)``), paths as text; anything else is refused as by ``json``.

    Examples
    --------
    >>> import json
    >>> json.dumps({"lr": np.float32(0.5), "size": np.array([2, 3])}, default=json_default)
    '{"lr": 0.5, "size": [2, 3]}'
    """
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
