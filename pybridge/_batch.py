"""One runner for folder batches: per-item tasks, on a local pool or a Dask cluster; resumable.

Used by the legacy batches (:func:`pybridge.legacy.segment_folder`,
:func:`pybridge.legacy.run_folder`) and meant for any "one file in, results
out" batch (inference over a folder) that needs a heavy per-worker resource
(an engine, a model).

The guarantees:

- **Nothing lost.** Each item's task writes its own results, atomically
  (a hidden temporary file renamed into place), and the item counts as done
  only when its marker file exists, written last. A crash, Ctrl-C or a killed
  worker loses at most the items in flight; a rerun skips what is done.
- **Nothing overwritten by mistake.** Two inputs whose results would have
  the same name, an ``out_dir`` that is the input folder, and a second run
  on the same ``out_dir`` while one is running are refused up front.
- **Nothing silent.** Every item is done, skipped (done before) or failed
  with its reason, in the returned summary and in ``out_dir/summary.json``.

Resources: on the local pool, ``workers`` resources are made in this
process (one per thread) and closed at the end. With a Dask ``client``,
each worker process holds one resource, made once by a worker plugin and
reused by every task that worker runs; tasks are per item, and a task whose
worker dies is rerun by Dask on another worker.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import queue
import re
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._errors import PyBridgeError
from ._progress import progress as _progress

__all__ = [
    "BatchSummary",
    "BatchLockedError",
    "Item",
    "atomic_write",
    "check_out_dir",
    "given_engines",
    "keys_for",
    "out_dir_lock",
    "run_batch",
    "ResourcePlugin",
    "sweep_partials",
]

_LOCK_NAME = ".pybridge-batch.lock"


class BatchLockedError(PyBridgeError):
    """Another run is writing to the same ``out_dir``."""


@dataclass
class BatchSummary:
    """What a batch did; also written to ``out_dir/summary.json``.

    Attributes
    ----------
    done : list of str
        Items finished by this run.
    skipped : list of str
        Items whose results were already in ``out_dir`` (not redone).
    failed : dict of str to str
        Items that failed, with the reason.
    retried : list of str
        Items whose engine died during the call and that were run again.
    """

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    retried: list[str] = field(default_factory=list)
    verb: str = field(default="done", repr=False, compare=False)

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
            f"{len(self.done)} {self.verb}, {len(self.skipped)} already done, "
            f"{len(self.failed)} failed"
        ]
        lines += [f"  FAILED {name}: {why}" for name, why in sorted(self.failed.items())]
        return "\n".join(lines)


@dataclass(frozen=True)
class Item:
    """One unit of work: ``name`` (how the summary lists it), ``key`` (the stem of its
    result files, unique in the batch) and ``payload`` (what the task needs; picklable
    when a Dask client runs it)."""

    name: str
    key: str
    payload: Any


# --------------------------------------------------------------------------
# safety checks
# --------------------------------------------------------------------------


def check_out_dir(folder: str | os.PathLike, out_dir: str | os.PathLike) -> None:
    """Refuse ``out_dir`` when it is the input ``folder`` itself (a subfolder is fine).

    Results written among the inputs would be read back as new inputs by the
    next run.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> check_out_dir(d, d + "/results")      # a subfolder: fine
    >>> check_out_dir(d, d)
    Traceback (most recent call last):
    ...
    ValueError: out_dir is the input folder ...; results there would be read back as inputs by the next run. Use another folder, e.g. a subfolder: .../results
    """
    src, dst = Path(folder).resolve(), Path(out_dir).resolve()
    same = src == dst
    if not same and dst.exists():
        try:
            same = os.path.samefile(src, dst)
        except OSError:
            same = False
    if same:
        raise ValueError(
            f"out_dir is the input folder {str(src)!r}; results there would be read back as "
            f"inputs by the next run. Use another folder, e.g. a subfolder: {src / 'results'}"
        )


def keys_for(paths: Iterable[Path]) -> dict[str, Path]:
    """The result key (file stem) of each input, refusing two inputs with the same stem.

    Examples
    --------
    >>> sorted(keys_for([Path("a.pgm"), Path("b.png")]))
    ['a', 'b']
    >>> keys_for([Path("a.pgm"), Path("a.png")])
    Traceback (most recent call last):
    ...
    ValueError: inputs whose results would have the same name (their stem): a.pgm and a.png -> 'a'. Rename or move one of each pair, then run again.
    >>> keys_for([Path("summary.pgm")])
    Traceback (most recent call last):
    ...
    ValueError: summary.pgm: an input named 'summary' would share its result name with the batch's summary.json; rename it (for example to summary_image.pgm), then run again
    """
    keys: dict[str, Path] = {}
    clashes = []
    for p in paths:
        k = p.stem
        if k == "summary":  # its results would overwrite (or be taken for) the batch's summary.json
            raise ValueError(
                f"{p.name}: an input named 'summary' would share its result name with the batch's "
                "summary.json; rename it (for example to summary_image" + p.suffix + "), then run again"
            )
        if k in keys:
            clashes.append(f"{keys[k].name} and {p.name} -> {k!r}")
        else:
            keys[k] = p
    if clashes:
        raise ValueError(
            "inputs whose results would have the same name (their stem): "
            + "; ".join(clashes)
            + ". Rename or move one of each pair, then run again."
        )
    return keys


def given_engines(workers: Any, engine: Any, client: Any) -> list:
    """The engines a legacy batch was handed (``engine=``), checked against ``workers``.

    Returns an empty list when the batch is to start its own (``engine=None``).
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int; got {workers!r}")
    if engine is None:
        return []
    if client is not None:
        raise ValueError("give engine= (local pool) or client= (Dask), not both")
    engines = list(engine) if isinstance(engine, (list, tuple)) else [engine]
    if len(engines) != workers:
        raise ValueError(
            f"workers={workers} needs {workers} engine(s); got {len(engines)} "
            "(pass a list of engines, or engine=None to start them)"
        )
    return engines


class out_dir_lock:
    """Hold ``out_dir/.pybridge-batch.lock`` for the length of a run (an OS file lock).

    The lock goes with the process: a killed run leaves no stale lock. It
    is an ``flock`` lock: it holds between processes of one machine, and on
    network file systems only where they support ``flock`` (NFSv4 does).

    Raises
    ------
    BatchLockedError
        Another run holds it.
    """

    def __init__(self, out_dir: str | os.PathLike) -> None:
        self.path = Path(out_dir) / _LOCK_NAME
        self._fh = None

    def __enter__(self) -> out_dir_lock:
        import fcntl

        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise BatchLockedError(
                f"another run ({holder}) is writing to {str(self.path.parent)!r}; wait for it "
                "to finish, or give this run another out_dir"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()}")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._fh is not None:
            self._fh.truncate(0)
            self._fh.close()  # closing releases the lock
            self._fh = None


_PART = re.compile(r"^\..+\.\d+\.\d+\.part")


def sweep_partials(out_dir: str | os.PathLike) -> list[Path]:
    """Remove the temporary files of writers that died mid-write (under ``out_dir``).

    Only safe while holding the ``out_dir`` lock with no task running: the
    runner calls it before and after a batch. Returns what it removed.
    """
    removed = []
    for dirpath, _, filenames in os.walk(out_dir):
        for f in filenames:
            if _PART.match(f):
                p = Path(dirpath) / f
                try:
                    p.unlink()
                    removed.append(p)
                except OSError:
                    pass
    return removed


def atomic_write(path: Path, write: Callable[[Any], None], suffix: str = "") -> None:
    """Write ``path`` through ``write(binary_file)``: a hidden temporary file, fsync'ed, then
    renamed into place, so ``path`` is either absent or complete."""
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


# --------------------------------------------------------------------------
# Dask
# --------------------------------------------------------------------------

try:  # the plugin's base class, where Dask's distributed scheduler is installed
    from distributed import WorkerPlugin as _WorkerPluginBase
except ImportError:  # pragma: no cover - without dask the class is never registered
    _WorkerPluginBase = object


class ResourcePlugin(_WorkerPluginBase):  # type: ignore[misc, valid-type]
    """A Dask worker plugin holding one resource (an engine, a model) per worker.

    ``factory()`` makes it when the plugin is set up on a worker (once per
    worker process); ``close(resource)`` runs when the worker shuts down.
    Both must be picklable (module-level functions or ``functools.partial``).
    """

    # registering a plugin of the same name again keeps the running one (and its resource)
    idempotent = True

    def __init__(self, name: str, factory: Callable[[], Any], close: Callable[[Any], None] | None):
        self.name = name
        self.factory = factory
        self.close = close
        self.resource = None

    def setup(self, worker: Any) -> None:
        self.resource = self.factory()

    def teardown(self, worker: Any) -> None:
        if self.resource is not None and self.close is not None:
            try:
                self.close(self.resource)
            finally:
                self.resource = None


def _on_worker(plugin_name: str, task: Callable, payload: Any, retry_on: tuple) -> tuple:
    """The Dask task of one item: run it on this worker's resource; report, never raise."""
    from distributed import get_worker

    plugin = get_worker().plugins[plugin_name]
    return _attempt(task, payload, plugin.resource, retry_on)


def _attempt(task: Callable, payload: Any, resource: Any, retry_on: tuple) -> tuple:
    """``('done', retried)`` or ``('failed', reason, retried)`` for one item."""
    retried = False
    for attempt in (1, 2):
        try:
            task(payload, resource)
            return ("done", retried)
        except retry_on as err:
            if attempt == 1:
                retried = True
                continue
            return ("failed", _reason(err), retried)
        except (PyBridgeError, ValueError, TypeError, OSError, RuntimeError) as err:
            return ("failed", _reason(err), retried)
    raise AssertionError("unreachable")  # pragma: no cover


def _reason(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}"
    return text.splitlines()[0] if text.strip() else type(err).__name__


# --------------------------------------------------------------------------
# the runner
# --------------------------------------------------------------------------


def run_batch(
    items: Sequence[Item],
    task: Callable[[Any, Any], None],
    *,
    out_dir: str | os.PathLike,
    is_done: Callable[[str], bool],
    summary: BatchSummary | None = None,
    workers: int = 1,
    resources: Sequence[Any] | None = None,
    factory: Callable[[], Any] | None = None,
    close: Callable[[Any], None] | None = None,
    client: Any = None,
    plugin_name: str = "pybridge-resource",
    retry_on: tuple = (),
    desc: str = "batch",
    unit: str = "image",
    show_progress: bool = True,
    locked: bool = False,
) -> BatchSummary:
    """Run ``task(item.payload, resource)`` for every item not done yet; write the summary.

    Parameters
    ----------
    items : sequence of Item
        The work; ``key`` values must be unique (see :func:`keys_for`).
    task : callable
        ``task(payload, resource)`` computes one item and writes its results
        (atomically, marker last) into ``out_dir``; it raises to fail the item.
        Picklable when ``client`` is given.
    out_dir : path
        Where the results go (created if missing); locked for the run.
    is_done : callable
        ``is_done(key)``: whether the item's results are complete (its marker exists).
    summary : BatchSummary, optional
        Items the caller already settled (e.g. failed for a missing ROI).
    workers : int, default 1
        Local pool: items run side by side, each on its own resource.
    resources : sequence, optional
        Local pool: the resources to use (as many as ``workers``), not closed here.
    factory, close : callable, optional
        Make and close one resource: in this process for the local pool, or in
        each Dask worker (through :class:`ResourcePlugin`).
    client : distributed.Client, optional
        Run on this Dask cluster instead of the local pool.
    plugin_name : str
        The worker plugin's name; a plugin already registered under it is reused
        (its resource stays up between batches).
    retry_on : tuple of exception types
        Failures (e.g. the engine died) after which an item is tried once more.
    desc, unit : str
        The progress bar's label and what it counts.
    show_progress : bool, default True
        Show progress (a bar on a terminal, one line otherwise).
    locked : bool, default False
        The caller already holds ``out_dir``'s :class:`out_dir_lock` (it prepared
        ``out_dir`` under it); the runner does not take it again.

    Returns
    -------
    BatchSummary
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = summary if summary is not None else BatchSummary()
    keys = [it.key for it in items]
    if len(set(keys)) != len(keys):
        raise ValueError("item keys must be unique (two items would write the same results)")
    with contextlib.nullcontext() if locked else out_dir_lock(out):
        sweep_partials(out)  # left by a run or a worker killed mid-write
        todo = []
        for it in items:
            if is_done(it.key):
                summary.skipped.append(it.name)
            else:
                todo.append(it)
        try:
            if todo and client is not None:
                _run_dask(
                    todo,
                    task,
                    summary,
                    client,
                    plugin_name,
                    factory,
                    close,
                    retry_on,
                    (desc, unit),
                    show_progress,
                )
            elif todo:
                _run_local(
                    todo,
                    task,
                    summary,
                    workers,
                    resources,
                    factory,
                    close,
                    retry_on,
                    (desc, unit),
                    show_progress,
                )
        finally:
            sweep_partials(out)
            atomic_write(
                out / "summary.json",
                lambda fh: fh.write(json.dumps(summary.to_dict(), indent=2).encode()),
                ".json",
            )
    return summary


def _record(summary: BatchSummary, lock: threading.Lock, item: Item, status: tuple) -> None:
    with lock:
        if status[-1]:
            summary.retried.append(item.name)
        if status[0] == "done":
            summary.done.append(item.name)
        else:
            summary.failed[item.name] = status[1]


def _run_local(todo, task, summary, workers, resources, factory, close, retry_on, desc, show):
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int; got {workers!r}")
    owned: list = []
    pool_res = list(resources) if resources else []
    if not pool_res:
        if factory is None:
            raise ValueError("run_batch needs resources or a factory to make them")
        with cf.ThreadPoolExecutor(workers) as starter:
            futures = [starter.submit(factory) for _ in range(workers)]
            errors = []
            for f in futures:
                try:
                    owned.append(f.result())
                except Exception as err:  # noqa: BLE001 - re-raised below, after clean-up
                    errors.append(err)
            if errors:
                for r in owned:
                    if close is not None:
                        close(r)
                raise errors[0]
        pool_res = owned
    free: queue.Queue = queue.Queue()
    for r in pool_res:
        free.put(r)
    lock = threading.Lock()
    stop = threading.Event()

    def one(item: Item) -> None:
        if stop.is_set():
            return
        res = free.get()
        try:
            status = _attempt(task, item.payload, res, retry_on)
        except BaseException:
            stop.set()
            raise
        finally:
            free.put(res)
        _record(summary, lock, item, status)

    bar = _progress(total=len(todo), desc=desc[0], unit=desc[1], enabled=show)
    try:
        with cf.ThreadPoolExecutor(len(pool_res), thread_name_prefix="pybridge-batch") as pool:
            futures = [pool.submit(one, it) for it in todo]
            try:
                for f in cf.as_completed(futures):
                    f.result()
                    bar.update(1)
            except BaseException:
                stop.set()
                for f in futures:
                    f.cancel()
                raise
    finally:
        bar.close()
        for r in owned:
            if close is not None:
                close(r)


def _run_dask(todo, task, summary, client, plugin_name, factory, close, retry_on, desc, show):
    try:
        from distributed import as_completed
    except ImportError as err:  # pragma: no cover - a client implies distributed
        raise ImportError(
            "a Dask client needs dask's distributed scheduler: pip install 'dask[distributed]'"
        ) from err
    if factory is None:
        raise ValueError("a Dask batch needs a factory: each worker makes its own resource")
    client.register_plugin(ResourcePlugin(plugin_name, factory, close), name=plugin_name)
    lock = threading.Lock()
    by_future = {}
    for it in todo:
        fut = client.submit(
            _on_worker,
            plugin_name,
            task,
            it.payload,
            retry_on,
            key=f"{plugin_name}-{it.key}-{os.urandom(4).hex()}",
            pure=False,
        )
        by_future[fut] = it
    bar = _progress(total=len(todo), desc=desc[0], unit=desc[1], enabled=show)
    try:
        for fut in as_completed(list(by_future)):
            it = by_future[fut]
            try:
                status = fut.result()
            except Exception as err:  # noqa: BLE001 - a worker failure is this item's failure
                status = ("failed", f"the Dask task failed: {_reason(err)}", False)
            _record(summary, lock, it, status)
            bar.update(1)
    except BaseException:
        client.cancel(list(by_future))
        raise
    finally:
        bar.close()
