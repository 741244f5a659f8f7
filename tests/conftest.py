"""Shared pytest fixtures: seeded RNGs, the fake ``matlab`` package, tool probes.

Hypothesis profiles (a test that sets no ``max_examples`` of its own gets the
profile's count):

- ``dev``: few cases, for the edit-test loop (``bash scripts/test.sh --fast``);
- ``ci``: at least 10,000 cases, what CI runs (``bash scripts/test.sh``).

Choose one with the environment variable ``HYPOTHESIS_PROFILE`` or pytest's
``--hypothesis-profile``; without either, ``dev``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from octave_tools import HAVE_OCTAVE  # noqa: E402  (tests/ is on sys.path above)

#: Examples per property test in each profile.
PROFILE_EXAMPLES = {"dev": 30, "ci": 10_000}
settings.register_profile("dev", max_examples=PROFILE_EXAMPLES["dev"], deadline=None)
settings.register_profile("ci", max_examples=PROFILE_EXAMPLES["ci"], deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
# --hypothesis-profile (hypothesis' pytest plugin) loads its choice after this
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: Octave without its GUI probe, init files or history (no banner, no exit noise).


@pytest.fixture
def rng(request) -> np.random.Generator:
    """A generator seeded from the test's name: reproducible, never shared."""
    seed = sum(request.node.nodeid.encode()) % (2**32)
    return np.random.default_rng(seed)


@pytest.fixture
def fake_matlab(monkeypatch):
    """Install the faithful fake of MATLAB's ``matlab`` package as ``matlab``.

    The repository's own ``matlab/`` folder (the .m code) would otherwise be
    importable as a namespace package when the repo root is on sys.path.
    """
    import fake_matlab as fake

    monkeypatch.setitem(sys.modules, "matlab", fake)
    try:
        import fake_matlab.engine as fake_engine
    except ImportError:
        fake_engine = None
    if fake_engine is not None:
        monkeypatch.setitem(sys.modules, "matlab.engine", fake_engine)
        monkeypatch.setattr(fake, "engine", fake_engine, raising=False)
    return fake


def pytest_collection_modifyitems(config, items):
    skip_octave = pytest.mark.skip(reason="GNU Octave (octave-cli) is not on PATH")
    for item in items:
        if "requires_octave" in item.keywords and not HAVE_OCTAVE:
            item.add_marker(skip_octave)
