"""Batch inference over a folder with a saved pybridge model: classify patches, segment images.

- :func:`classify_folder`: one ``<stem>_prediction.json`` per image, then
  ``predictions.csv`` with one row per classified image.
- :func:`segment_folder`: one ``<stem>_mask.png`` per image.

Both run on :func:`pybridge._batch.run_batch`: on a local pool of threads
(each with its own copy of the model) or on a Dask cluster (each worker
process loads the model once and reuses it for every image it is given).
Tasks are per image; each writes its own result atomically, so a crash,
Ctrl-C or a killed worker loses at most the images in flight, and a rerun
on the same ``out_dir`` does only what is missing.

The model is copied (or, for a fitted estimator, saved) into
``out_dir/.pybridge-inference/`` first; the workers load that copy, so only
``out_dir`` has to be reachable from the workers besides the images, and
the file records which model made the results. A rerun with another model
on an ``out_dir`` that holds results is refused (the results would mix).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import os
import shutil
import threading
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from ._batch import BatchSummary, Item, atomic_write, check_out_dir, out_dir_lock, run_batch

__all__ = ["classify_folder", "segment_folder"]

_HIDDEN = ".pybridge-inference"
_IMAGE_SUFFIXES = (".png", ".pgm")
_PREDICTION = "_prediction.json"
_MASK = "_mask.png"
_CSV = "predictions.csv"


# --------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------


def _load(kind: str, path: str, device: Any) -> Any:
    """The estimator saved in ``path`` (a batch's per-worker resource)."""
    if kind == "classify":
        from .classification import load
    else:
        from .segmentation import load
    return load(path, device=device)


def _worker_model(kind: str, path: str, device: Any) -> Any:
    """The per-worker model of a Dask batch: loaded once on the worker, allocator tuned first."""
    _heap_for_buffers()
    return _load(kind, path, device)


def _heap_for_buffers() -> None:
    """Serve torch's buffers from the heap again in a Dask worker (glibc only; else no-op).

    Dask starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``. Setting it
    freezes glibc's mmap threshold at 128 KiB, and the heap is trimmed down
    whenever 64 KiB at its top are free: every activation buffer of a few MB,
    allocated and freed once per image, is mapped fresh and zeroed by the
    kernel. Measured on a U-Net: 2.2x the CPU time per 256 x 256 image.
    This sets what glibc converges to in a process Dask did not start: mmap
    threshold 32 MiB, trim threshold 64 MiB (a worker keeps at most that
    much freed heap). Skipped where ``MALLOC_MMAP_THRESHOLD_`` is set (the
    user chose) or ``MALLOC_TRIM_THRESHOLD_`` is not.
    """
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: the variable means nothing there
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's malloc.h
    libc.mallopt(m_mmap_threshold, 32 << 20)
    libc.mallopt(m_trim_threshold, 64 << 20)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(functools.partial(fh.read, 1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_model(model: Any) -> None:
    if isinstance(model, str | os.PathLike):
        if not Path(model).is_file():
            raise FileNotFoundError(
                f"no model file at {str(model)!r} (save a fitted model with est.save(path))"
            )
    elif not (callable(getattr(model, "save", None)) and callable(getattr(model, "predict", None))):
        raise TypeError(
            "model must be the path of a saved pybridge model or a fitted pybridge "
            f"estimator (with save and predict); got {type(model).__name__}"
        )


def _stage_model(model: Any, hidden: Path) -> tuple[Path, str]:
    """Copy the model file (or save the estimator) into ``hidden``; its path and SHA-256."""
    hidden.mkdir(exist_ok=True)
    # a name the batch runner's sweep removes if this process dies mid-write
    tmp = hidden / f".model.{os.getpid()}.{threading.get_ident()}.part.safetensors"
    try:
        if isinstance(model, str | os.PathLike):
            shutil.copyfile(model, tmp)
        else:
            model.save(tmp)
        sha = _sha256(tmp)
        final = hidden / f"model-{sha[:16]}.safetensors"
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return final, sha


def _check_run(out: Path, hidden: Path, record: dict, marker: str) -> None:
    """Refuse a model other than the one whose results ``out`` holds; record this one."""
    run = hidden / "run.json"
    if run.is_file():
        old = json.loads(run.read_text())
        same = (old.get("task"), old.get("model_sha256")) == (
            record["task"], record["model_sha256"]
        )
        if not same and _has_results(out, marker):
            raise ValueError(
                f"{str(out)!r} holds results of another model ({old.get('task')} with "
                f"{old.get('estimator')}, sha256 {str(old.get('model_sha256'))[:12]}...; this "
                f"run: {record['task']} with {record['estimator']}, sha256 "
                f"{record['model_sha256'][:12]}...). A rerun would mix the two; use another "
                "out_dir, or delete the old results first"
            )
    atomic_write(run, lambda fh: fh.write(json.dumps(record, indent=2).encode()), ".json")


def _drop_other_models(hidden: Path) -> None:
    """Remove model copies other than the one ``run.json`` names (left by refused runs)."""
    run = hidden / "run.json"
    keep = json.loads(run.read_text()).get("model_file") if run.is_file() else None
    for stale in hidden.glob("model-*.safetensors"):
        if stale.name != keep:
            stale.unlink()


def _has_results(out: Path, marker: str) -> bool:
    for _, dirnames, filenames in os.walk(out):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if any(f.endswith(marker) and not f.startswith(".") for f in filenames):
            return True
    return False


# --------------------------------------------------------------------------
# the images
# --------------------------------------------------------------------------


def _images(folder: Path, out: Path, pattern: str | None) -> list[tuple[str, str, Path]]:
    """``(name, key, path)`` of each input: its path relative to ``folder``, without suffix."""
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {str(folder)!r}")
    if pattern is None:
        found = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES]
        what = "PNG/PGM images"
    else:
        if not isinstance(pattern, str) or not pattern:
            raise TypeError(f"pattern must be a glob pattern such as '*.png'; got {pattern!r}")
        try:
            if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
                raise ValueError("it leaves the folder")
            found = [p for p in folder.glob(pattern) if p.is_file()]
        except (ValueError, NotImplementedError) as err:
            raise ValueError(
                f"pattern must be a glob inside the folder, e.g. '*.png' or '**/*.png'; "
                f"got {pattern!r} ({err})"
            ) from err
        what = f"files matching {pattern!r}"
    out_real = out.resolve()
    inputs: dict[str, tuple[str, Path]] = {}
    clashes = []
    for p in sorted(found):
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue  # hidden files and folders (temporary files among them)
        if p.resolve().is_relative_to(out_real):
            continue  # results of this batch, when out_dir is inside folder
        key = rel.with_suffix("").as_posix()
        if key in inputs:
            clashes.append(f"{inputs[key][0]} and {rel.as_posix()} -> {key!r}")
        else:
            inputs[key] = (rel.as_posix(), p)
    if clashes:
        raise ValueError(
            "inputs whose results would have the same name (their path without suffix): "
            + "; ".join(clashes)
            + ". Rename or move one of each pair, or narrow pattern=, then run again."
        )
    if not inputs:
        raise FileNotFoundError(
            f"{str(folder)!r} holds no {what}"
            + ("" if pattern else " (pass pattern= for others, e.g. '**/*.png' with subfolders)")
        )
    return [(name, key, path) for key, (name, path) in inputs.items()]


def _read(path: str) -> np.ndarray:
    """One image as the dataset loaders read it: (H, W) float32, 8-bit / 255, 16-bit / 65535."""
    from .datasets._folders import _read_grey

    return _read_grey(Path(path))


# --------------------------------------------------------------------------
# tasks (run on a worker; module level so Dask can pickle them)
# --------------------------------------------------------------------------


def _classify_task(payload: dict, model: Any) -> None:
    """Classify one image and write its ``<stem>_prediction.json``."""
    x = _read(payload["path"])[None]
    proba = np.asarray(model.predict_proba(x), dtype=np.float64)[0]
    label = np.asarray(model.predict(x))[0]
    classes = [c.item() for c in np.asarray(getattr(model, "classes_", np.arange(proba.size)))]
    record = {
        "image": payload["name"],
        "prediction": label.item(),
        "probabilities": {str(c): float(p) for c, p in zip(classes, proba, strict=True)},
        "model_sha256": payload["sha"],
    }
    dest = Path(payload["dest"])
    dest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(dest, lambda fh: fh.write(json.dumps(record).encode()), ".json")


def _segment_task(payload: dict, model: Any) -> None:
    """Segment one image and write its ``<stem>_mask.png`` (0 background, 255 lesion)."""
    from PIL import Image

    mask = np.asarray(model.predict(_read(payload["path"])[None]))[0]
    png = Image.fromarray(mask.astype(np.uint8) * 255)
    dest = Path(payload["dest"])
    dest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(dest, lambda fh: png.save(fh, "PNG"), ".png")


# --------------------------------------------------------------------------
# the shared driver
# --------------------------------------------------------------------------


def _run(
    kind: str,
    model: Any,
    folder: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    client: Any,
    workers: int,
    pattern: str | None,
    device: Any,
    progress: bool,
) -> BatchSummary:
    marker = _PREDICTION if kind == "classify" else _MASK
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int; got {workers!r}")
    if client is not None and workers != 1:
        raise ValueError(
            f"workers={workers} sizes the local pool; with client= the cluster's workers run "
            "the batch (scale the cluster instead)"
        )
    _check_model(model)
    check_out_dir(folder, out_dir)
    # absolute: the workers (other processes, maybe other machines) have their own cwd
    folder, out = Path(folder).absolute(), Path(out_dir).absolute()
    inputs = _images(folder, out, pattern)
    out.mkdir(parents=True, exist_ok=True)
    hidden = out / _HIDDEN
    with out_dir_lock(out):
        path, sha = _stage_model(model, hidden)
        try:
            # the model's kind is checked here, before any worker loads it
            estimator = type(_load(kind, str(path), "cpu")).__name__
            _check_run(out, hidden, {"task": kind, "estimator": estimator,
                                     "model_sha256": sha, "model_file": path.name}, marker)
        finally:
            _drop_other_models(hidden)
        items = [
            Item(name, key, {"path": str(p), "name": name, "dest": str(out / f"{key}{marker}"),
                             "sha": sha})
            for name, key, p in inputs
        ]
        plugin = f"pybridge-{kind}-{sha[:12]}-{uuid.uuid4().hex[:8]}"
        try:
            summary = run_batch(
                items,
                _classify_task if kind == "classify" else _segment_task,
                out_dir=out,
                is_done=lambda key: (out / f"{key}{marker}").exists(),
                summary=BatchSummary(verb="classified" if kind == "classify" else "segmented"),
                workers=workers,
                factory=functools.partial(_load if client is None else _worker_model,
                                          kind, str(path), device),
                client=client,
                plugin_name=plugin,
                desc=kind,
                show_progress=progress,
                locked=True,
            )
        except BaseException:
            if client is not None:
                with contextlib.suppress(Exception):  # the batch's own error is the one to see
                    _drop_plugin(client, plugin)
            raise
        if client is not None:
            _drop_plugin(client, plugin)
        if kind == "classify":
            _write_table(out, items)
    return summary


def _drop_plugin(client: Any, name: str) -> None:
    """Unload this batch's model from the Dask workers (each batch has its own plugin name)."""
    registered = client.run_on_scheduler(
        lambda dask_scheduler: name in dask_scheduler.worker_plugins
    )
    if registered:
        client.unregister_worker_plugin(name)


def _write_table(out: Path, items: list[Item]) -> None:
    """``predictions.csv``: one row per image with a prediction in ``out``, in input order."""
    records = []
    for it in items:
        dest = Path(it.payload["dest"])
        if dest.exists():
            records.append(json.loads(dest.read_text()))
    classes: list[str] = []
    for r in records:
        classes += [c for c in r["probabilities"] if c not in classes]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["image", "prediction", *(f"p_{c}" for c in classes)])
    for r in records:
        p = r["probabilities"]
        w.writerow([r["image"], r["prediction"], *(repr(p[c]) if c in p else "" for c in classes)])
    atomic_write(out / _CSV, lambda fh: fh.write(buf.getvalue().encode()), ".csv")


# --------------------------------------------------------------------------
# public
# --------------------------------------------------------------------------

_COMMON = """
    folder : path
        The images: PNG/PGM (8- or 16-bit grey; colour is converted to grey),
        read as the dataset loaders read them (float32, 8-bit / 255,
        16-bit / 65535). Subfolders are searched only when ``pattern`` says so.
    out_dir : path
        Where the results go (created if missing); not ``folder`` itself
        (a subfolder is fine: its files are never taken as inputs). Results
        mirror the inputs' relative paths.
    client : distributed.Client, optional
        Run on this Dask cluster: each worker loads the model once and
        processes one image per task; a task whose worker dies is rerun on
        another. The images and ``out_dir`` must be reachable by the workers
        under the same paths (a shared file system).
    workers : int, default 1
        Without a client: images processed side by side by this many
        threads, each with its own copy of the model.
    pattern : str, optional
        A glob relative to ``folder`` selecting the images, e.g. ``'*.png'``
        or ``'**/*.png'`` (subfolders too, such as ``Test/0`` and ``Test/1``);
        ``'*_resized.pgm'`` for a mass folder that also holds its
        ``*_mass_mask.pgm`` ground truth. Default: every ``.png`` and ``.pgm``
        directly in ``folder``. Hidden files and folders are skipped.
    device : None, 'auto', str or torch.device
        Where each worker runs the model (None: a GPU when torch sees one).
    progress : bool, default True
        A progress bar on this side (one line when the output is not a terminal).
"""

_RAISES = """
    Raises
    ------
    FileNotFoundError
        No folder, no model file, or no image matching.
    ValueError
        ``out_dir`` is ``folder``; two images whose results would share a
        name (``a.png`` and ``a.pgm``); ``out_dir`` holds results of another
        model; bad options.
    TypeError
        ``model`` is neither a path nor a fitted pybridge estimator.
    pybridge.PyBridgeError
        The model file holds another kind of model (or is not a model).
    pybridge._batch.BatchLockedError
        Another run is writing to ``out_dir``.
"""


def classify_folder(
    model: Any,
    folder: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    client: Any = None,
    workers: int = 1,
    pattern: str | None = None,
    device: Any = None,
    progress: bool = True,
) -> BatchSummary:
    """Classify every image of ``folder`` with a saved classifier; resumable.

    Each image gets ``out_dir/<stem>_prediction.json`` (``image``,
    ``prediction``, ``probabilities`` per class, ``model_sha256``), written
    atomically by the task that classified it. At the end,
    ``out_dir/predictions.csv`` lists every image of ``folder`` that has a
    prediction (columns ``image, prediction, p_0, p_1``); images that failed
    are in the returned summary and ``out_dir/summary.json`` instead. Images
    already classified (by an earlier, maybe interrupted, run with the same
    model) are skipped.

    Parameters
    ----------
    model : path or fitted classifier
        A file written by ``est.save(path)`` (any :mod:`pybridge.classification`
        model) or the fitted estimator itself. The model's own input checks
        apply per image (a patch of the wrong size fails with the reason).
    {common}
    Returns
    -------
    pybridge._batch.BatchSummary
        ``done``, ``skipped`` (classified before), ``failed`` (name -> reason).
    {raises}
    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> from pybridge.datasets import microcalcifications
    >>> from pybridge.classification import TraditionalClassifier
    >>> d = microcalcifications(40, seed=0)
    >>> clf = TraditionalClassifier().fit(d["images"], d["labels"])
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "patches").mkdir()
    >>> for i in range(3):
    ...     patch = (d["images"][i] * 255).astype("uint8")
    ...     Image.fromarray(patch).save(root / f"patches/p{{i}}.png")
    >>> print(classify_folder(clf, root / "patches", root / "out", progress=False))
    3 classified, 0 already done, 0 failed
    >>> (root / "out/predictions.csv").read_text().splitlines()[0]
    'image,prediction,p_0,p_1'
    """
    return _run("classify", model, folder, out_dir, client=client, workers=workers,
                pattern=pattern, device=device, progress=progress)


def segment_folder(
    model: Any,
    folder: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    client: Any = None,
    workers: int = 1,
    pattern: str | None = None,
    device: Any = None,
    progress: bool = True,
) -> BatchSummary:
    """Segment every image of ``folder`` with a saved segmenter; resumable.

    Each image gets ``out_dir/<stem>_mask.png`` (8-bit, 0 background, 255
    lesion; the segmenter's ``predict``: its threshold and post-processing),
    written atomically by the task that segmented it. Images that already
    have a mask (from an earlier, maybe interrupted, run with the same model)
    are skipped; failures are in the returned summary and ``out_dir/summary.json``.

    Parameters
    ----------
    model : path or fitted segmenter
        A file written by ``est.save(path)`` (:class:`~pybridge.segmentation.CAESegmenter`,
        :class:`~pybridge.segmentation.UNetSegmenter`) or the fitted estimator itself.
    {common}
    Returns
    -------
    pybridge._batch.BatchSummary
        ``done``, ``skipped`` (segmented before), ``failed`` (name -> reason).
    {raises}
    Examples
    --------
    >>> summary = segment_folder("unet.safetensors", "scans", "masks")  # doctest: +SKIP
    >>> print(summary)                                                   # doctest: +SKIP
    120 segmented, 0 already done, 0 failed
    """
    return _run("segment", model, folder, out_dir, client=client, workers=workers,
                pattern=pattern, device=device, progress=progress)


classify_folder.__doc__ = classify_folder.__doc__.format(common=_COMMON, raises=_RAISES)
segment_folder.__doc__ = segment_folder.__doc__.format(common=_COMMON, raises=_RAISES)
