"""An unmodified legacy MATLAB function over every image of a folder, headless and resumable."""

from __future__ import annotations

import csv
import functools
import json
import os
import shutil
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
from ._harness import Rectangle, _answers_list, _prepare, _run_impl, quiet_start
from ._segment import _quit

__all__ = ["run_folder", "read_rois", "FolderSummary"]

_SUFFIXES = (".pgm", ".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp", ".dcm")


@dataclass
class FolderSummary(BatchSummary):
    """What :func:`run_folder` did; also written to ``out_dir/summary.json``.

    Attributes
    ----------
    done : list of str
        Images run by this run.
    skipped : list of str
        Images whose results were already in ``out_dir`` (not redone).
    failed : dict of str to str
        Images that failed, with the reason (the MATLAB error and where it
        was raised, or the scripted input that was missing).
    retried : list of str
        Images whose engine died during the call and that were run again.
    """

    verb: str = field(default="done", repr=False, compare=False)


def read_rois(path: str | os.PathLike) -> dict[str, tuple[int, int, int, int]]:
    """ROIs from a CSV file: one row per image, by file name (or stem).

    The header names the image column (``image``, ``file`` or ``name``) and
    either Python's box ``row0, col0, row1, col1`` (0-based, end-exclusive)
    or MATLAB's ``x, y, width, height`` (1-based pixels, as ``getrect`` and
    ``imcrop`` use).

    Returns
    -------
    dict of str to (row0, col0, row1, col1)

    Raises
    ------
    ValueError
        A missing column, a bad number or a repeated image, naming the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "rois.csv"
    >>> _ = p.write_text("image,x,y,width,height\\nscan1.pgm,10,20,5,3\\n")
    >>> read_rois(p)
    {'scan1.pgm': (19, 9, 22, 14)}
    """
    rois: dict[str, tuple[int, int, int, int]] = {}
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        cols = [c.strip().lower() for c in (reader.fieldnames or [])]
        name_col = next((c for c in ("image", "file", "name") if c in cols), None)
        python_cols = all(c in cols for c in ("row0", "col0", "row1", "col1"))
        matlab_cols = all(c in cols for c in ("x", "y", "width", "height"))
        if name_col is None or not (python_cols or matlab_cols):
            raise ValueError(
                f"{path}: the header must name the image column (image, file or name) and "
                "either row0,col0,row1,col1 (0-based, end-exclusive) or x,y,width,height "
                f"(MATLAB, 1-based); got {reader.fieldnames}"
            )
        for lineno, raw in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            name = row[name_col]
            try:
                if python_cols:
                    roi = tuple(int(float(row[c])) for c in ("row0", "col0", "row1", "col1"))
                else:
                    x, y, w, h = (int(float(row[c])) for c in ("x", "y", "width", "height"))
                    roi = (y - 1, x - 1, y - 1 + h, x - 1 + w)
                roi = convert.validate_roi(roi)
            except (ValueError, KeyError) as err:
                raise ValueError(f"{path}, line {lineno} ({name!r}): {err}") from err
            if name in rois:
                raise ValueError(f"{path}, line {lineno}: {name!r} has a second ROI")
            rois[name] = roi  # type: ignore[assignment]
    return rois


def _lookup(table: Any, path: Path) -> Any:
    if callable(table):
        return table(path)
    for key in (path.name, path.stem, str(path)):
        if key in table:
            return table[key]
    return None


def _savable(value: Any) -> np.ndarray | None:
    a = np.asarray(value) if not isinstance(value, np.ndarray) else value
    return a if a.dtype.kind in "biufc" else None


def _folder_task(payload: dict, engine: Any) -> None:
    """One image of :func:`run_folder`: run the code in ``out_dir/<key>/``, then write
    ``<key>.npz`` (its array outputs) and ``<key>.json`` (the record; the marker, last)."""
    out = Path(payload["out_dir"])
    key = payload["key"]
    work = out / key
    if work.exists():  # an earlier, interrupted attempt: start clean
        shutil.rmtree(work)
    res = _run_impl(
        payload["target"],
        (Path(payload["image"]), *payload["args"]),
        answers=payload["answers"],
        out_dir=work,
        nargout=payload["nargout"],
        returns=(),
        inputs=(),
        paths=payload["paths"],
        keep_figures=payload["keep_figures"],
        stdout=None,
        engine=engine,
        timeout=payload["timeout"],
        script=False,
    )
    arrays, other = {}, {}
    for i, v in enumerate(res.outputs, start=1):
        a = _savable(v)
        if a is not None:
            arrays[f"output{i}"] = a
        else:
            other[f"output{i}"] = (
                v if isinstance(v, (str, int, float, bool, type(None))) else repr(v)
            )
    atomic_write(out / f"{key}.npz", lambda fh: np.savez_compressed(fh, **arrays), ".npz")
    record = {
        "image": Path(payload["image"]).name,
        "outputs": sorted(arrays),
        "other_outputs": other,
        "files": [str(p.relative_to(out)) for p in res.files],
        "figures": [
            {
                "number": f.number,
                "title": f.title,
                "file": str(f.path.relative_to(out)) if f.path else None,
            }
            for f in res.figures
        ],
        "stdout": res.stdout,
        "answers_left": res.answers_left,
        "compat": res.compat,
    }
    atomic_write(
        out / f"{key}.json", lambda fh: fh.write(json.dumps(record, indent=2).encode()), ".json"
    )


def _new_engine(backend: str) -> Any:
    return _prepare(quiet_start(backend))


def run_folder(
    target: str | os.PathLike,
    folder: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    rois: str | os.PathLike | Mapping | Callable | None = None,
    answers: Any = None,
    args: Sequence[Any] = (),
    nargout: int | None = None,
    paths: Sequence[str | os.PathLike] = (),
    keep_figures: bool = False,
    workers: int = 1,
    engine: Any = None,
    client: Any = None,
    backend: str = "auto",
    timeout: float | None = None,
    progress: bool = True,
) -> FolderSummary:
    """Run an unmodified, interactive MATLAB function on every image of a folder; resumable.

    Each image runs as ``run(target, Path(image), *args, answers=...)``
    would (see :func:`run`), in its own working folder ``out_dir/<stem>/``
    holding a copy of the image and whatever the code writes (e.g.
    ``Im_segmented/<stem>_mass_mask.pgm``). Then, atomically:
    ``out_dir/<stem>.npz`` (the function's array outputs, ``output1``,
    ``output2``...) and ``out_dir/<stem>.json`` (the files written, the
    printed output, the figures), the latter last: an image counts as done
    when its ``.json`` exists, so a run stopped by a crash, Ctrl-C or a
    killed worker is resumed by running it again.

    Parameters
    ----------
    target : str or path-like
        The function, by name or by its ``.m`` file (its folder goes on the path).
    folder : path
        The images (``.pgm``, ``.png``, ``.tif``, ``.jpg``, ``.bmp``, ``.dcm``;
        not searched recursively).
    out_dir : path
        Where the results go; not ``folder`` itself (a subfolder is fine).
    rois : CSV path, mapping or callable, optional
        Each image's ROI, given to the code as the first answer, a
        :class:`Rectangle` (the rectangle drawn with ``waitforbuttonpress`` +
        ``rbbox``, or ``getrect``). A CSV as :func:`read_rois` reads it; a
        mapping keyed by file name or stem; or ``rois(path) -> roi``. An image
        without one fails ("no ROI given").
    answers : answers, mapping or callable, optional
        Further answers of each image, after the ROI: the same sequence for
        all, a mapping file name/stem -> answers, or ``answers(path)``.
    args : sequence
        Further arguments after the image's path.
    nargout, paths, keep_figures, timeout
        As in :func:`run`.
    workers : int, default 1
        Local pool: images run side by side, each on its own engine.
    engine : Engine or sequence of Engine, optional
        Local pool: the engines to use (as many as ``workers``).
    client : distributed.Client, optional
        Run on this Dask cluster: each worker starts one engine (once, kept
        for later batches) and runs one image per task.
    backend : {'auto', 'matlab', 'octave'}
        The engines started here or on the Dask workers.
    progress : bool, default True
        Show progress.

    Returns
    -------
    FolderSummary

    Raises
    ------
    ValueError
        Two images with the same stem, ``out_dir`` equal to ``folder``, or bad options.
    BatchLockedError
        Another run is writing to ``out_dir``.

    Examples
    --------
    >>> from pybridge import legacy
    >>> s = legacy.run_folder("code/mass_segment.m", "scans", "out",   # doctest: +SKIP
    ...                       rois="scans/rois.csv", workers=2)
    >>> print(s)                                                       # doctest: +SKIP
    3 done, 0 already done, 0 failed
    """
    from ..engine import EngineDiedError

    folder, out = Path(folder), Path(out_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {str(folder)!r}")
    if isinstance(target, os.PathLike) or (isinstance(target, str) and target.endswith(".m")):
        tpath = Path(target).resolve()
        if not tpath.is_file():
            raise FileNotFoundError(f"no MATLAB file {str(tpath)!r}")
        target = str(tpath)
    if rois is not None and not (callable(rois) or isinstance(rois, Mapping)):
        rois = read_rois(rois)
    if not (answers is None or callable(answers) or isinstance(answers, Mapping)):
        answers = _answers_list(answers)  # checked once, the same for every image
    engines = given_engines(workers, engine, client)
    check_out_dir(folder, out)
    images = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)
    keys_for(images)
    summary = FolderSummary()
    items = []
    for p in images:
        done = (out / f"{p.stem}.json").exists()
        extra: list = []
        if rois is not None:
            roi = _lookup(rois, p)
            if roi is None:
                if not done:
                    summary.failed[p.name] = "no ROI given for this image"
                continue
            extra.append(Rectangle(tuple(roi)))
        more = (
            answers
            if not (callable(answers) or isinstance(answers, Mapping))
            else _lookup(answers, p)
        )
        extra += _answers_list(more)
        payload = {
            "target": target,
            "image": str(p.resolve()),
            "args": tuple(args),
            "answers": extra,
            "nargout": nargout,
            "paths": [str(Path(x).resolve()) for x in paths],
            "keep_figures": keep_figures,
            "timeout": timeout,
            "out_dir": str(out.resolve()),
            "key": p.stem,
        }
        items.append(Item(p.name, p.stem, payload))
    return run_batch(
        items,
        _folder_task,
        out_dir=out,
        is_done=lambda key: (out / f"{key}.json").exists(),
        summary=summary,
        workers=workers,
        resources=engines or None,
        factory=functools.partial(_new_engine, backend),
        close=_quit,
        client=client,
        plugin_name=f"pybridge-legacy-harness-{backend}",
        retry_on=(EngineDiedError,),
        desc=Path(str(target)).stem,
        show_progress=progress,
    )
