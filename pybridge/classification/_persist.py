"""Loading any saved pybridge classifier."""

from __future__ import annotations

from os import PathLike
from typing import Any

from .._errors import PyBridgeError
from .._training import load_model

__all__ = ["load"]


def load(path: str | PathLike, *, device: Any = None) -> Any:
    """Load a classifier saved with ``est.save(path)``, whatever its kind.

    The file is safetensors with a JSON record; nothing in it is executed.

    Parameters
    ----------
    path : str or path-like
    device : None, 'auto', str or torch.device
        Where a CNN runs (ignored by the traditional baseline).

    Returns
    -------
    CNNClassifier, TransferClassifier or TraditionalClassifier

    Raises
    ------
    FileNotFoundError, PyBridgeError
    """
    from ._cnn import CNNClassifier
    from ._traditional import TraditionalClassifier
    from ._transfer import TransferClassifier

    kinds = {c._estimator_name: c for c in (CNNClassifier, TransferClassifier, TraditionalClassifier)}
    state, meta = load_model(path)
    kind = meta.get("estimator")
    if kind not in kinds:
        raise PyBridgeError(
            f"{str(path)!r} holds a {kind!r} model; pybridge.classification loads {sorted(kinds)}"
        )
    return kinds[kind]._from_saved(state, meta, device=device)
