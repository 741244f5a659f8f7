"""Typed Python wrappers around the lab's legacy MATLAB code, run through :mod:`pybridge.engine`.

- :func:`mass_segment`: one mammogram through ``massSegment.m`` (the
  radial-line mass segmentation in ``matlab/legacy``).
- :func:`segment_folder`: a folder of PGM/PNG mammograms, one or more engines
  side by side, each result written as it finishes, resumable after a crash.

Everything here takes and returns Python conventions (numpy arrays, ROIs as
``(row0, col0, row1, col1)``, 0-based, end-exclusive); :mod:`pybridge.convert`
turns them into MATLAB's ``[x y width height]``.
"""

from __future__ import annotations

import functools
import os
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import convert
from .._batch import (
    BatchSummary,
    Item,
    atomic_write,
    check_out_dir,
    given_engines,
    keys_for,
    run_batch,
)
from .._errors import PyBridgeError

__all__ = ["mass_segment", "segment_folder", "SegmentSummary", "legacy_dir", "result_paths"]

_IMAGE_SUFFIXES = (".pgm", ".png")
_prepared: weakref.WeakSet = weakref.WeakSet()


def legacy_dir() -> Path:
    """The folder holding ``massSegment.m`` (``matlab/legacy`` in the pybridge tree).

    The environment variable ``PYBRIDGE_LEGACY_DIR`` overrides it.
    """
    env = os.environ.get("PYBRIDGE_LEGACY_DIR")
    if env:
        here = Path(env)
    else:
        from .._install import matlab_folder  # the installed package data, or matlab/ in a checkout

        here = matlab_folder() / "legacy"
    if not (here / "massSegment.m").is_file():
        raise PyBridgeError(
            f"massSegment.m is not in {here}; reinstall pybridge (python -m pip install --force-reinstall "
            "pybridge-lab) or set PYBRIDGE_LEGACY_DIR to the folder that holds massSegment.m"
        )
    return here


def _prepare(engine: Any) -> Any:
    """Put ``matlab/legacy`` on the engine's path (once per engine)."""
    if engine not in _prepared:
        engine.addpath(str(legacy_dir()), nargout=0)
        _prepared.add(engine)
    return engine


def _default_engine() -> Any:
    """The engine shared by calls that pass none (started on first use, quit at exit)."""
    from ._harness import default_engine

    return _prepare(default_engine())


def _check_int(value: Any, name: str, low: int) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {value!r}")
    return float(value)  # MATLAB functions expect doubles


def _image_arg(image: Any) -> tuple[Any, tuple[int, int] | None]:
    if isinstance(image, (str, os.PathLike)):
        path = Path(image)
        if not path.is_file():
            raise FileNotFoundError(f"no image file {str(path)!r}")
        return str(path.resolve()), None
    a = np.asarray(image)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"image must be a real numeric array or a path; got dtype {a.dtype}")
    if a.ndim != 2:
        raise ValueError(
            f"image must be a single grey-level image of shape (H, W); got shape {a.shape} "
            "(pass one image of a stack, e.g. images[0])"
        )
    return a, a.shape


def mass_segment(
    image: Any,
    roi: Sequence[int],
    *,
    smooth: int = 8,
    scale: int = 8,
    nhood: int = 5,
    n_lines: int = 32,
    engine: Any = None,
    timeout: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Segment the mass inside ``roi`` with the legacy MATLAB ``massSegment`` (radial lines).

    Parameters
    ----------
    image : ndarray of shape (H, W), or str / path-like
        A grey-level mammogram (any real dtype), or the path of a PGM/PNG file
        (read by MATLAB/Octave's ``imread``).
    roi : (row0, col0, row1, col1)
        Box around the lesion in full-size pixels, 0-based, end-exclusive.
    smooth : int, default 8
        Side of the box filter.
    scale : int, default 8
        Down-scaling factor. The results keep the down-scaled pixels whose
        centres lie on the image: ``ceil(H / scale) x ceil(W / scale)`` when
        ``smooth == scale``. Down-scaled pixel ``j`` (0-based) is centred on
        full-size pixel ``scale * j + (scale - smooth) / 2``.
    nhood : int, default 5
        Side (odd) of the local standard deviation window.
    n_lines : int, default 32
        Number of radial lines.
    engine : pybridge.engine.Engine, optional
        The engine to run on; by default one shared engine, started on first
        use (MATLAB where installed, Octave otherwise).
    timeout : float, optional
        Seconds before the call is interrupted.

    Returns
    -------
    mask : ndarray of shape (h, w), bool
        The lesion mask on the grid of ``resized`` (see ``scale``).
    resized : ndarray of shape (h, w), float64
        The smoothed (full convolution with a ``smooth`` x ``smooth`` box),
        bicubic down-scaled image divided by its maximum.

    Raises
    ------
    ValueError
        A bad ROI or parameter (MATLAB's ``pybridge:massSegment:badRoi`` /
        ``badParameter`` are turned into ValueError).
    pybridge.engine.EngineError
        Any other MATLAB/Octave failure.

    Examples
    --------
    >>> from pybridge.datasets import mammogram          # doctest: +SKIP
    >>> m = mammogram(seed=0)                             # doctest: +SKIP
    >>> mask, small = mass_segment(m["image"], m["roi"])  # doctest: +SKIP
    >>> mask.shape, mask.dtype                            # doctest: +SKIP
    ((125, 125), dtype('bool'))
    """
    from ..engine import EngineError

    arg, shape = _image_arg(image)
    rect = convert.roi_to_matlab(convert.validate_roi(roi, shape))
    params = (
        _check_int(smooth, "smooth", 1),
        _check_int(scale, "scale", 1),
        _check_int(nhood, "nhood", 3),
        _check_int(n_lines, "n_lines", 8),
    )
    if int(nhood) % 2 == 0:
        raise ValueError(f"nhood must be odd (a centred window); got {nhood} (use {nhood + 1})")
    eng = _prepare(engine) if engine is not None else _default_engine()
    try:
        mask, resized = eng.massSegment(arg, rect, *params, nargout=2, timeout=timeout)
    except EngineError as err:
        if err.identifier in ("pybridge:massSegment:badRoi", "pybridge:massSegment:badParameter"):
            raise ValueError(f"{err.message} ({err.identifier})") from err
        raise
    return convert.mask_from_matlab(mask), np.asarray(resized, dtype=np.float64)


# --------------------------------------------------------------------------
# folders
# --------------------------------------------------------------------------


@dataclass
class SegmentSummary(BatchSummary):
    """What :func:`segment_folder` did; also written to ``out_dir/summary.json``.

    Attributes
    ----------
    done : list of str
        Images segmented by this run.
    skipped : list of str
        Images whose results were already in ``out_dir`` (not redone).
    failed : dict of str to str
        Images that failed, with the reason.
    retried : list of str
        Images whose engine died during the call and that were run again.
    """

    verb: str = field(default="segmented", repr=False, compare=False)


def result_paths(out_dir: Path, name: str) -> tuple[Path, Path]:
    """``(<stem>.npz, <stem>_mask.png)``: the result of one image (the .npz is written last)."""
    stem = Path(name).stem
    return Path(out_dir) / f"{stem}.npz", Path(out_dir) / f"{stem}_mask.png"


def _write_result(out_dir: Path, name: str, mask: np.ndarray, resized: np.ndarray, roi) -> None:
    from PIL import Image

    npz, png = result_paths(out_dir, name)
    atomic_write(
        png, lambda fh: Image.fromarray(mask.astype(np.uint8) * 255).save(fh, "PNG"), ".png"
    )
    atomic_write(
        npz,
        lambda fh: np.savez_compressed(fh, mask=mask, resized=resized, roi=np.asarray(roi)),
        ".npz",
    )


def _roi_for(rois: Any, path: Path) -> Any:
    if callable(rois):
        return rois(path)
    for key in (path.name, path.stem, str(path)):
        if key in rois:
            return rois[key]
    return None


def _segment_task(payload: dict, engine: Any) -> None:
    """One image of :func:`segment_folder`: segment it and write its results (the .npz last)."""
    mask, resized = mass_segment(
        payload["path"], payload["roi"], engine=engine, **payload["params"]
    )
    _write_result(Path(payload["out_dir"]), payload["path"].name, mask, resized, payload["roi"])


def _new_engine(backend: str = "auto") -> Any:
    """A fresh engine with ``matlab/legacy`` on its path (a batch's per-worker resource)."""
    from ._harness import quiet_start

    return _prepare(quiet_start(backend))


def _quit(engine: Any) -> None:
    engine.quit()


def segment_folder(
    folder: str | os.PathLike,
    rois: Mapping[str, Sequence[int]] | Callable[[Path], Sequence[int] | None],
    out_dir: str | os.PathLike,
    *,
    workers: int = 1,
    engine: Any = None,
    client: Any = None,
    backend: str = "auto",
    smooth: int = 8,
    scale: int = 8,
    nhood: int = 5,
    n_lines: int = 32,
    timeout: float | None = None,
    progress: bool = True,
) -> SegmentSummary:
    """Segment every PGM/PNG mammogram of ``folder`` with :func:`mass_segment`; resumable.

    Each result is written to ``out_dir`` as soon as it is ready, by the
    task that computed it: ``<stem>_mask.png`` then ``<stem>.npz`` (``mask``,
    ``resized``, ``roi``), each atomically. Images whose ``.npz`` already
    exists are skipped, so a run stopped by a crash, Ctrl-C or a killed
    worker continues where it stopped when run again. An image whose engine
    dies during the call is run once more on the restarted engine. Failures
    are listed in the returned summary and in ``out_dir/summary.json``;
    nothing is dropped silently.

    Refused up front: two images with the same stem (``a.pgm``, ``a.png``:
    their results would share a name), ``out_dir`` equal to ``folder``
    (a subfolder is fine: the input is not searched recursively), and a
    second run on an ``out_dir`` another run is writing to.

    Parameters
    ----------
    folder : path
        Folder with ``*.pgm`` / ``*.png`` images (not searched recursively).
    rois : mapping or callable
        The ROI (row0, col0, row1, col1) of each image, keyed by file name
        or stem; or a function ``rois(path) -> roi``. An image without one
        is a failure ("no ROI given").
    out_dir : path
        Where the results go (created if missing).
    workers : int, default 1
        Local pool: images processed side by side, each on its own engine.
    engine : Engine or sequence of Engine, optional
        Local pool: the engines to use (as many as ``workers``); by default
        ``workers`` engines are started and quit at the end.
    client : distributed.Client, optional
        Run on this Dask cluster: each worker starts one engine (once, and
        keeps it for later batches) and segments one image per task.
    backend : {'auto', 'matlab', 'octave'}
        The engines started here or on the Dask workers.
    smooth, scale, nhood, n_lines, timeout
        As in :func:`mass_segment`.
    progress : bool, default True
        Show progress (a bar on a terminal, one line in a log).

    Returns
    -------
    SegmentSummary

    Raises
    ------
    ValueError
        Two images with the same stem, ``out_dir`` equal to ``folder``, or bad options.
    BatchLockedError
        Another run is writing to ``out_dir``.

    Examples
    --------
    >>> summary = segment_folder("scans", {"a.pgm": (10, 10, 90, 90)}, "out")  # doctest: +SKIP
    >>> print(summary)                                                          # doctest: +SKIP
    1 segmented, 0 already done, 0 failed
    """
    from ..engine import EngineDiedError

    folder, out = Path(folder), Path(out_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {str(folder)!r}")
    if not (callable(rois) or isinstance(rois, Mapping)):
        raise TypeError(
            f"rois must be a mapping name -> roi or a function; got {type(rois).__name__}"
        )
    engines = given_engines(workers, engine, client)
    check_out_dir(folder, out)
    images = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
    keys_for(images)
    params = {
        "smooth": smooth,
        "scale": scale,
        "nhood": nhood,
        "n_lines": n_lines,
        "timeout": timeout,
    }
    summary = SegmentSummary()
    items = []
    for p in images:
        roi = _roi_for(rois, p)
        if roi is None:
            if not result_paths(out, p.name)[0].exists():
                summary.failed[p.name] = "no ROI given for this image"
            continue
        items.append(
            Item(p.name, p.stem, {"path": p, "roi": roi, "params": params, "out_dir": str(out)})
        )
    return run_batch(
        items,
        _segment_task,
        out_dir=out,
        is_done=lambda key: (out / f"{key}.npz").exists(),
        summary=summary,
        workers=workers,
        resources=engines or None,
        factory=functools.partial(_new_engine, backend),
        close=_quit,
        client=client,
        plugin_name=f"pybridge-legacy-engine-{backend}",
        retry_on=(EngineDiedError,),
        desc="massSegment",
        show_progress=progress,
    )
