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

import atexit
import concurrent.futures as cf
import json
import os
import queue
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import convert
from ._errors import PyBridgeError

__all__ = ["mass_segment", "segment_folder", "SegmentSummary", "legacy_dir"]

_IMAGE_SUFFIXES = (".pgm", ".png")
_prepared: weakref.WeakSet = weakref.WeakSet()
_default: dict[str, Any] = {}
_default_lock = threading.Lock()


def legacy_dir() -> Path:
    """The folder holding ``massSegment.m`` (``matlab/legacy`` in the pybridge tree).

    The environment variable ``PYBRIDGE_LEGACY_DIR`` overrides it.
    """
    env = os.environ.get("PYBRIDGE_LEGACY_DIR")
    if env:
        here = Path(env)
    else:
        from ._install import matlab_folder  # the installed package data, or matlab/ in a checkout

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
    """One engine shared by calls that pass none, started on first use, quit at exit."""
    with _default_lock:
        eng = _default.get("engine")
        if eng is None or getattr(eng, "_closed", False):
            from .engine import start_matlab

            eng = start_matlab()
            _default["engine"] = eng
            atexit.register(eng.quit)
        return _prepare(eng)


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
        Down-scaling factor: the results are ``floor(H / scale) x floor(W / scale)``.
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
    mask : ndarray of shape (H // scale, W // scale), bool
        The lesion mask on the grid of ``resized``.
    resized : ndarray of shape (H // scale, W // scale), float64
        The smoothed, down-scaled image normalised to [0, 1].

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
    from .engine import EngineError

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
class SegmentSummary:
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

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    retried: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict:
        return {
            "done": sorted(self.done),
            "skipped": sorted(self.skipped),
            "failed": dict(sorted(self.failed.items())),
            "retried": sorted(self.retried),
        }

    def __str__(self) -> str:
        lines = [
            f"{len(self.done)} segmented, {len(self.skipped)} already done, "
            f"{len(self.failed)} failed"
        ]
        lines += [f"  FAILED {name}: {why}" for name, why in sorted(self.failed.items())]
        return "\n".join(lines)


def result_paths(out_dir: Path, name: str) -> tuple[Path, Path]:
    """``(<stem>.npz, <stem>_mask.png)``: the result of one image (the .npz is written last)."""
    stem = Path(name).stem
    return out_dir / f"{stem}.npz", out_dir / f"{stem}_mask.png"


def _atomic_write(path: Path, write: Callable[[Any], None], suffix: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part{suffix}")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_result(out_dir: Path, name: str, mask: np.ndarray, resized: np.ndarray, roi) -> None:
    from PIL import Image

    npz, png = result_paths(out_dir, name)
    _atomic_write(
        png, lambda fh: Image.fromarray(mask.astype(np.uint8) * 255).save(fh, "PNG"), ".png"
    )
    _atomic_write(
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


def segment_folder(
    folder: str | os.PathLike,
    rois: Mapping[str, Sequence[int]] | Callable[[Path], Sequence[int] | None],
    out_dir: str | os.PathLike,
    *,
    workers: int = 1,
    engine: Any = None,
    smooth: int = 8,
    scale: int = 8,
    nhood: int = 5,
    n_lines: int = 32,
    timeout: float | None = None,
    progress: bool = True,
) -> SegmentSummary:
    """Segment every PGM/PNG mammogram of ``folder`` with :func:`mass_segment`; resumable.

    Each result is written to ``out_dir`` as soon as it is ready:
    ``<stem>.npz`` (``mask``, ``resized``, ``roi``) and ``<stem>_mask.png``.
    Images whose ``.npz`` already exists are skipped, so a run stopped by a
    crash or Ctrl-C continues where it stopped when run again. An image whose
    engine dies during the call is run once more on the restarted engine.
    Failures are listed in the returned summary and in
    ``out_dir/summary.json``; nothing is dropped silently.

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
        Images processed side by side, each on its own engine.
    engine : Engine or sequence of Engine, optional
        Engines to use (as many as ``workers``); by default ``workers``
        engines are started and quit at the end.
    smooth, scale, nhood, n_lines, timeout
        As in :func:`mass_segment`.
    progress : bool, default True
        Show a tqdm progress bar.

    Returns
    -------
    SegmentSummary

    Examples
    --------
    >>> summary = segment_folder("scans", {"a.pgm": (10, 10, 90, 90)}, "out")  # doctest: +SKIP
    >>> print(summary)                                                          # doctest: +SKIP
    1 segmented, 0 already done, 0 failed
    """
    from .engine import EngineDiedError, EngineError, start_matlab

    folder, out = Path(folder), Path(out_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {str(folder)!r}")
    if not (callable(rois) or isinstance(rois, Mapping)):
        raise TypeError(
            f"rois must be a mapping name -> roi or a function; got {type(rois).__name__}"
        )
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int; got {workers!r}")
    engines: list = []
    if engine is not None:
        engines = list(engine) if isinstance(engine, (list, tuple)) else [engine]
        if len(engines) != workers:
            raise ValueError(
                f"workers={workers} needs {workers} engine(s); got {len(engines)} "
                "(pass a list of engines, or engine=None to start them)"
            )
    out.mkdir(parents=True, exist_ok=True)
    images = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
    summary = SegmentSummary()
    todo = []
    for p in images:
        if result_paths(out, p.name)[0].exists():
            summary.skipped.append(p.name)
        else:
            todo.append(p)

    owned = []
    if todo and not engines:
        with cf.ThreadPoolExecutor(workers) as pool:
            futures = [pool.submit(start_matlab) for _ in range(workers)]
            for f in futures:
                try:
                    owned.append(f.result())
                except Exception:
                    for e in owned:
                        e.quit()
                    raise
        engines = owned
    free: queue.Queue = queue.Queue()
    for e in engines:
        free.put(e)
    lock = threading.Lock()
    stop = threading.Event()  # set by Ctrl-C or a crash: start no further image

    def one(path: Path) -> None:
        if stop.is_set():
            return
        roi = _roi_for(rois, path)
        if roi is None:
            with lock:
                summary.failed[path.name] = "no ROI given for this image"
            return
        eng = free.get()
        try:
            for attempt in (1, 2):
                try:
                    mask, resized = mass_segment(
                        path,
                        roi,
                        smooth=smooth,
                        scale=scale,
                        nhood=nhood,
                        n_lines=n_lines,
                        engine=eng,
                        timeout=timeout,
                    )
                except EngineDiedError as err:
                    _prepared.discard(eng)  # the restarted engine has the path again anyway
                    if attempt == 1:
                        with lock:
                            summary.retried.append(path.name)
                        continue
                    raise err
                _write_result(out, path.name, mask, resized, roi)
                with lock:
                    summary.done.append(path.name)
                return
        except (EngineError, ValueError, TypeError, OSError) as err:
            with lock:
                summary.failed[path.name] = f"{type(err).__name__}: {err}".splitlines()[0]
        except BaseException:
            stop.set()
            raise
        finally:
            free.put(eng)

    bar = None
    if progress and todo:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc="massSegment", unit="image")
    try:
        with cf.ThreadPoolExecutor(workers, thread_name_prefix="pybridge-segment") as pool:
            futures = [pool.submit(one, p) for p in todo]
            try:
                for f in cf.as_completed(futures):
                    f.result()
                    if bar is not None:
                        bar.update(1)
            except BaseException:
                stop.set()
                for f in futures:
                    f.cancel()
                raise
    finally:
        if bar is not None:
            bar.close()
        for e in owned:
            e.quit()
        _atomic_write(
            out / "summary.json",
            lambda fh: fh.write(json.dumps(summary.to_dict(), indent=2).encode()),
            ".json",
        )
    return summary
