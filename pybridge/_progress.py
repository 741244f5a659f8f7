"""Progress reporting that suits where the output goes.

On a terminal: a tqdm bar. Anywhere else (a log file, CI, a pipe, a notebook
captured to text): no carriage-return frames, only one plain line when the
stage ends, so a log holds one line per stage instead of hundreds of frames.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, Any

__all__ = ["progress"]


def progress(
    iterable: Iterable | None = None,
    *,
    total: int | None = None,
    desc: str = "",
    unit: str = "it",
    enabled: bool = True,
    file: IO[str] | None = None,
):
    """A progress bar over ``iterable`` (or one updated by hand with ``update``).

    Parameters
    ----------
    iterable : iterable, optional
        What to iterate over; ``total`` defaults to its ``len``.
    total : int, optional
        The number of steps when updating by hand.
    desc, unit : str
        The label and the unit of a step.
    enabled : bool, default True
        False shows nothing at all (``verbose=False`` in the estimators).
    file : text stream, optional
        Where to write; default ``sys.stderr``.

    Returns
    -------
    An object with tqdm's ``update``, ``set_postfix``, ``close``, iteration and
    context-manager protocol.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> for _ in progress(range(3), desc="epochs", file=out):
    ...     pass
    >>> out.getvalue().startswith("epochs: 3/3 it")
    True
    """
    stream = sys.stderr if file is None else file
    if total is None and iterable is not None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    if not enabled:
        return _Quiet(iterable, total, desc, unit, None)
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        from tqdm.auto import tqdm

        return tqdm(iterable, total=total, desc=desc, unit=unit, file=stream, leave=False)
    return _Quiet(iterable, total, desc, unit, stream)


class _Quiet:
    """tqdm's interface; prints one summary line on close when given a stream."""

    def __init__(self, iterable, total, desc, unit, stream):
        self._iterable = iterable
        self.total = total
        self.n = 0
        self._desc = desc
        self._unit = unit
        self._stream = stream
        self._postfix: dict[str, Any] = {}
        self._start = time.perf_counter()
        self._closed = False

    def __iter__(self) -> Iterator:
        try:
            for item in self._iterable:
                yield item
                self.n += 1
        finally:
            self.close()

    def __len__(self) -> int:
        return self.total or 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        self.n += n

    def set_postfix(self, ordered_dict=None, refresh: bool = True, **kwargs) -> None:
        self._postfix.update(ordered_dict or {})
        self._postfix.update(kwargs)

    def set_description(self, desc: str | None = None, refresh: bool = True) -> None:
        self._desc = desc or ""

    def write(self, text: str) -> None:
        if self._stream is not None:
            print(text, file=self._stream)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._stream is None:
            return
        seconds = time.perf_counter() - self._start
        count = f"{self.n}/{self.total}" if self.total is not None else f"{self.n}"
        extra = ", ".join(f"{k}={_short(v)}" for k, v in self._postfix.items())
        label = f"{self._desc}: " if self._desc else ""
        line = f"{label}{count} {self._unit} in {seconds:.1f} s"
        print(f"{line} ({extra})" if extra else line, file=self._stream, flush=True)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
