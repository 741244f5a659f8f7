"""The tuning benchmark's candidate option sets are ones the estimators take.

``benchmarks/bench_defaults.py`` spells every candidate out in full, so its
table keeps its meaning when a default changes. A misspelt or misplaced option
(a U-Net's ``depth`` given to the CAE, say) would only surface an hour into a
benchmark run; here each candidate trains for one epoch on a few crops.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from pybridge.classification import CNNClassifier
from pybridge.datasets import masses, microcalcifications
from pybridge.segmentation import CAESegmenter, UNetSegmenter

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_defaults.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_defaults", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH_MODULE = _bench()
SEGMENTERS = {"U-Net": UNetSegmenter, "CAE": CAESegmenter}


@pytest.mark.parametrize(
    "kind, name",
    [(kind, name) for kind, cands in BENCH_MODULE.SEG_CANDIDATES.items() for name in cands],
)
def test_segmenter_candidate_trains(kind, name):
    options = {**BENCH_MODULE.SEG_CANDIDATES[kind][name], "epochs": 1}
    d = masses(8, size=32, seed=0)
    est = SEGMENTERS[kind](random_state=0, verbose=False, **options).fit(d["images"], d["masks"])
    assert est.predict(d["images"][:2]).shape == (2, 32, 32)
    # the options spelled out are the ones the fitted estimator has
    params = est.get_params()
    assert {k: params[k] for k in options} == options


@pytest.mark.parametrize("name", list(BENCH_MODULE.CNN_CANDIDATES))
def test_cnn_candidate_trains(name):
    options = {**BENCH_MODULE.CNN_CANDIDATES[name], "epochs": 1}
    d = microcalcifications(16, size=32, seed=0)
    clf = CNNClassifier(random_state=0, verbose=False, **options).fit(d["images"], d["labels"])
    assert np.isfinite(clf.decision_function(d["images"][:4])).all()
    params = clf.get_params()
    assert {k: params[k] for k in options} == options


ESTIMATORS = {"CNN": CNNClassifier, **SEGMENTERS}


@pytest.mark.parametrize("model", sorted(BENCH_MODULE.DEFAULT_CONFIGS))
def test_the_named_default_candidate_is_the_estimators_defaults(model):
    # the tuning table compares every candidate with this one's fits
    from pybridge.segmentation._estimators import CAE_FILTERS

    name = BENCH_MODULE.DEFAULT_CONFIGS[model]
    options = (BENCH_MODULE.CNN_CANDIDATES if model == "CNN" else BENCH_MODULE.SEG_CANDIDATES[model])[name]
    defaults = ESTIMATORS[model]().get_params()
    if model == "CAE" and defaults["filters"] is None:  # None means the architecture's levels
        defaults["filters"] = CAE_FILTERS[defaults["architecture"]]
    assert {k: defaults[k] for k in options} == options
