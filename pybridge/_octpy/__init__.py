"""The Python half of ``py.`` for GNU Octave (``matlab/octave/``). Private.

Octave has no ``py.`` of its own; ``matlab/octave/py.m`` provides one with
MATLAB's syntax and conversion rules. On first use it starts one Python
process per Octave session (``python -m pybridge._octpy DIR``) that serves
requests until Octave closes the channel. :mod:`pybridge._octpy.wire` is the
binary format both directions share (the engine's Octave backend uses it
too); :mod:`pybridge._octpy.server` holds the requests and replies of ``py.``.
"""

from __future__ import annotations

__all__: list[str] = []
