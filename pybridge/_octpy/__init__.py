"""The Python half of ``py.`` for GNU Octave (``matlab/octave/``). Private.

Octave has no ``py.`` of its own; ``matlab/octave/py.m`` provides one with
MATLAB's syntax and conversion rules. On first use it starts one Python
process per Octave session (``python -m pybridge._octpy DIR``) that serves
requests until Octave closes the channel. See :mod:`pybridge._octpy.server`
for the wire protocol.
"""

from __future__ import annotations

__all__: list[str] = []
