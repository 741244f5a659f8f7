"""Trained models as MATLAB sees them: a struct with a ``file`` field, or a file name.

The MATLAB-facing training functions save models to safetensors files and
return a struct holding the path; later calls name the model by that struct
or the path. This module turns either into the estimator, once per file
version (a small LRU cache keyed by path, modification time and size).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_CACHE_SIZE = 4


def _is_python_model(model: Any) -> bool:
    return hasattr(model, "predict") or hasattr(model, "network_") or type(model).__module__.startswith("torch")


def model_from_matlab(
    model: Any,
    *,
    loader: Callable[[Path], Any],
    made_by: str,
    allow_objects: bool = False,
) -> Any:
    """The estimator behind a model struct or file name (or a Python handle).

    Parameters
    ----------
    model : dict, str or object
        The struct a ``pybridge.train*`` wrapper returned (its ``file`` field
        is used), a model file name, or, with ``allow_objects``, a Python
        estimator or torch module handle.
    loader : callable(Path) -> estimator
        Reads a model file.
    made_by : str
        What makes such models, for the messages (``"pybridge.trainClassifier"``).
    allow_objects : bool, default False
        Accept Python estimator handles as they are.

    Raises
    ------
    ValueError
        A struct without a ``file`` field.
    TypeError
        Anything else that is not a file name.
    FileNotFoundError
        No file at that name.
    """
    if isinstance(model, dict):
        if "file" not in model:
            raise ValueError(
                f"model must be the struct {made_by} returns (with a 'file' field) or a model file "
                f"name; got a struct with fields {sorted(model)}"
            )
        model = model["file"]
    if not isinstance(model, str):
        if allow_objects and _is_python_model(model):
            return model
        what = "a model file name, the struct from " + made_by + (" or a Python estimator" if allow_objects else "")
        raise TypeError(f"model must be {what}; got {type(model).__name__}")
    path = Path(model).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {model!r} (train one with {made_by})")
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size, getattr(loader, "__qualname__", repr(loader)))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    est = loader(path)
    _CACHE[key] = est
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return est
