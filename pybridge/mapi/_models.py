"""Trained models as MATLAB sees them: a struct with a ``file`` field, or a file name.

The MATLAB-facing training functions save models to safetensors files and
return a struct holding the path; later calls name the model by that struct
or the path. This module turns either into the estimator, once per file
version (a small LRU cache keyed by path, modification time, size and
loader), and checks on every call, cached or not, that the model is of the
kind the function needs (a segmenter is not a classifier).

Models trained without a ``'File'`` go to a folder of this Python process
under the temp folder; it is removed when the process exits (MATLAB or
Octave closes, or ``terminate(pyenv)``), and a folder left by a process that
was killed is removed by the next process that saves a model there.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._errors import PyBridgeError
from ._matlab import describe

_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_CACHE_SIZE = 4

#: What a ``kind`` is called in messages, and which function makes it.
_KINDS = {
    "classifier": ("a classification model", "pybridge.trainClassifier"),
    "segmenter": ("a segmentation model", "pybridge.trainSegmenter"),
}


def _is_python_model(model: Any) -> bool:
    return hasattr(model, "predict") or hasattr(model, "network_") or type(model).__module__.startswith("torch")


def kind_of(est: Any) -> str | None:
    """``'classifier'``, ``'segmenter'`` for pybridge's estimators; None for anything else."""
    module = type(est).__module__
    if module.startswith("pybridge.classification"):
        return "classifier"
    if module.startswith("pybridge.segmentation"):
        return "segmenter"
    return None


def _check_kind(got: str | None, kind: str | tuple[str, ...] | None, fname: str, where: str) -> None:
    """Refuse a model of kind ``got`` where ``kind`` is needed (None: nothing to check)."""
    if kind is None or got is None:
        return
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    if got in kinds:
        return
    what, maker = _KINDS[got]
    wanted = " or ".join(_KINDS[k][1] for k in kinds)
    raise ValueError(
        f"MODEL {where}is {what} (from {maker}); pybridge.{fname} needs one from {wanted}"
    )


def _check_fitted(model: Any) -> None:
    """A Python estimator handle must be trained (scikit-learn's rule: attributes ending in _)."""
    if not hasattr(model, "fit") or type(model).__module__.startswith("torch"):
        return
    try:
        from sklearn.exceptions import NotFittedError
        from sklearn.utils.validation import check_is_fitted
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        return
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise ValueError(
            f"MODEL is an untrained {type(model).__name__}: train it first (its fit method, "
            "or pybridge.trainClassifier / pybridge.trainSegmenter in MATLAB)"
        ) from None
    except TypeError:  # not an estimator scikit-learn knows: nothing to check
        return


def model_from_matlab(
    model: Any,
    *,
    loader: Callable[[Path], Any],
    made_by: str,
    kind: str | tuple[str, ...] | None = None,
    fname: str = "",
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
    kind : {'classifier', 'segmenter'} or tuple of them, optional
        The kinds of pybridge model the caller takes; checked on every call.
    fname : str
        The MATLAB function's name, for the messages (``"classify"``).
    allow_objects : bool, default False
        Accept Python estimator handles as they are.

    Raises
    ------
    ValueError
        An empty model, a struct without a ``file`` field, a model of the
        wrong kind, or an untrained Python estimator.
    TypeError
        Anything else that is not a file name.
    FileNotFoundError
        No file at that name.
    """
    hint = f"train one with {made_by}"
    if model is None or (isinstance(model, str | dict | list | tuple) and len(model) == 0):
        raise ValueError(f"MODEL is empty: {hint} and pass the struct it returns")
    if isinstance(model, dict):
        if "file" not in model:
            raise ValueError(
                f"MODEL must be the struct {made_by} returns (with a 'file' field) or a model file "
                f"name; got a struct with fields {', '.join(sorted(model))}"
            )
        model = model["file"]
        if isinstance(model, str) and not model:
            raise ValueError(f"MODEL.file is empty: {hint} and pass the struct it returns")
    if not isinstance(model, str):
        if allow_objects and _is_python_model(model):
            _check_fitted(model)
            _check_kind(kind_of(model), kind, fname, "")
            return model
        what = "a model file name, the struct from " + made_by + (" or a Python model" if allow_objects else "")
        raise TypeError(f"MODEL must be {what}; got {describe(model)}")
    path = Path(model).expanduser()
    if not path.is_file():
        where = "" if path.parent.is_dir() else f" (there is no folder {str(path.parent)!r} either)"
        raise FileNotFoundError(
            f"MODEL: no model file {model!r}{where}. Check the name, or {hint}; a model "
            "trained without 'File' is deleted when MATLAB's Python exits, so pass 'File' "
            "to keep one"
        )
    st = path.stat()
    load_id = (getattr(loader, "__module__", ""), getattr(loader, "__qualname__", repr(loader)))
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size, load_id)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        est = _CACHE[key]
    else:
        try:
            est = loader(path)
        except PyBridgeError as err:
            # a loader that refuses the other kind of model: say so in MATLAB's terms
            _check_kind(_kind_named(str(err)), kind, fname, f"{model!r} ")
            raise
        _CACHE[key] = est
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    _check_kind(kind_of(est), kind, fname, f"{model!r} ")
    return est


def _kind_named(message: str) -> str | None:
    """The kind of the estimator a loader's "holds a 'UNetSegmenter' model" message names."""
    import importlib

    m = re.search(r"holds an? '(\w+)' model", message)
    if not m:
        return None
    for module, kind in (("pybridge.classification", "classifier"), ("pybridge.segmentation", "segmenter")):
        try:
            pkg = importlib.import_module(module)
        except ImportError:
            continue
        if isinstance(getattr(pkg, m.group(1), None), type):
            return kind
    return None


# --------------------------------------------------------------------------
# where models are saved
# --------------------------------------------------------------------------

_FOLDER: Path | None = None
_PREFIX = "pybridge-models-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _sweep(base: Path) -> None:
    """Remove model folders of processes that are gone (killed before they could clean up)."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    for folder in base.glob(_PREFIX + "*"):
        m = re.fullmatch(re.escape(_PREFIX) + r"(\d+)-\w+", folder.name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        try:
            if uid is not None and folder.stat().st_uid != uid:
                continue
        except OSError:
            continue
        if not _alive(int(m.group(1))):
            shutil.rmtree(folder, ignore_errors=True)


def _remove_folder() -> None:
    global _FOLDER
    if _FOLDER is not None:
        shutil.rmtree(_FOLDER, ignore_errors=True)
        _FOLDER = None


def temporary_model_file(stem: str) -> Path:
    """A new file name for a model nobody asked to keep; removed when this process exits.

    The folder is private (mode 0700) and belongs to this process; folders
    of processes that no longer run are removed here first.
    """
    global _FOLDER
    if _FOLDER is None or not _FOLDER.is_dir():
        base = Path(tempfile.gettempdir())
        _sweep(base)
        _FOLDER = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=base))
        atexit.register(_remove_folder)
    fd, name = tempfile.mkstemp(prefix=stem + "_", suffix=".safetensors", dir=_FOLDER)
    os.close(fd)
    return Path(name)


def model_file(file: Any, stem: str) -> tuple[Path, bool]:
    """Where to save a model: the MATLAB ``'File'``, checked before training, or a temporary one.

    Returns
    -------
    (path, temporary)

    Raises
    ------
    TypeError
        ``file`` is not text.
    ValueError
        ``file`` names a folder.
    FileNotFoundError
        Its folder does not exist.
    PermissionError
        Its folder cannot be written.
    """
    if file is None or (isinstance(file, str) and file == ""):
        return temporary_model_file(stem), True
    if not isinstance(file, str):
        raise TypeError(f"'File' must be a file name (char); got {describe(file)}")
    path = Path(file).expanduser().resolve()
    if path.is_dir():
        raise ValueError(
            f"'File' {file!r} is a folder; give a file name in it, e.g. "
            f"fullfile('{file}', '{stem}.safetensors')"
        )
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"'File' {file!r} is in the folder {str(folder)!r}, which does not exist; create it "
            f"first (mkdir('{folder}')) or choose another 'File'. Nothing was trained."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(
            f"'File' {file!r}: the folder {str(folder)!r} cannot be written; choose another "
            "'File'. Nothing was trained."
        )
    return path, False


# --------------------------------------------------------------------------
# what the training images were, in MATLAB's terms
# --------------------------------------------------------------------------

_RECORD_KEY = "pybridge.matlab"


def record_training(path: Path, images: Any, labels: Any = None) -> None:
    """Add the MATLAB class and value range of the training IMAGES (and LABELS' values) to a model file.

    Stored as one more entry of the safetensors header, beside the
    estimator's own record (which the estimator's loader reads unchanged);
    the calls that use the model read it to catch images of another class
    or scale (uint8 0..255 given to a model trained on doubles in [0, 1]).
    """
    import json

    import numpy as np
    from safetensors import safe_open
    from safetensors.numpy import save_file

    from .. import convert

    a = np.asarray(images)
    try:
        with safe_open(str(path), framework="numpy") as f:
            header = dict(f.metadata() or {})
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception:  # a model format without a safetensors header: the checks it feeds are skipped
        return
    record = {"class": convert.matlab_class(a), "min": float(a.min()), "max": float(a.max())}
    if labels is not None:  # the label values of the classes, in class order (0/1 or 1/2)
        record["labels"] = [float(v) for v in labels]
    header[_RECORD_KEY] = json.dumps(record)
    # written beside the model and renamed over it: a killed process leaves the model whole
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        save_file(tensors, tmp, metadata=header)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def training_record(model: Any) -> dict | None:
    """The record :func:`record_training` wrote, for a model struct or file name; else None."""
    import json

    if isinstance(model, dict):
        model = model.get("file")
    if not isinstance(model, str) or not model:
        return None
    try:
        from safetensors import safe_open

        with safe_open(str(Path(model).expanduser()), framework="numpy") as f:
            text = (f.metadata() or {}).get(_RECORD_KEY)
    except Exception:  # not a safetensors file: the loader has said so already
        return None
    return json.loads(text) if text else None
