"""pybridge.metrics: Dice/Jaccard with MATLAB semantics, checked against hand-worked
cases, MATLAB's documented behaviour, and MONAI; classification metrics against
scikit-learn and worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from pybridge.metrics import (
    auc,
    confusion_matrix,
    dice,
    jaccard,
    roc,
    sensitivity,
    specificity,
)

B = np.bool_

# (a, b, dice, jaccard), worked by hand: |A|, |B|, |A n B|, |A u B|
HAND = [
    # identical: 2*2/(2+2) = 1, 2/2 = 1
    ([[1, 1], [0, 0]], [[1, 1], [0, 0]], 1.0, 1.0),
    # disjoint: 0/(1+1) = 0
    ([[1, 0], [0, 0]], [[0, 0], [0, 1]], 0.0, 0.0),
    # |A|=2, |B|=2, |AnB|=1: 2/4 = 0.5, 1/3
    ([[1, 1, 0], [0, 0, 0]], [[1, 0, 0], [1, 0, 0]], 0.5, 1 / 3),
    # |A|=3, |B|=1 inside A: 2/4 = 0.5, 1/3
    ([[1, 1, 1]], [[0, 1, 0]], 0.5, 1 / 3),
    # |A|=4, |B|=6, |AnB|=3: 6/10, 3/7
    ([1, 1, 1, 1, 0, 0, 0, 0], [0, 1, 1, 1, 1, 1, 1, 0], 0.6, 3 / 7),
    # one empty, the other not: 0/(0+3) = 0 (MATLAB), 0/3
    ([0, 0, 0, 0], [1, 1, 1, 0], 0.0, 0.0),
    ([1, 1, 1, 0], [0, 0, 0, 0], 0.0, 0.0),
]


@pytest.mark.parametrize("a, b, d, j", HAND)
def test_hand_worked_logical(a, b, d, j):
    a, b = np.asarray(a, dtype=B), np.asarray(b, dtype=B)
    assert isinstance(dice(a, b), float)
    assert_allclose(dice(a, b), d, rtol=0, atol=1e-15)
    assert_allclose(jaccard(a, b), j, rtol=0, atol=1e-15)
    # both are symmetric in MATLAB
    assert_allclose(dice(b, a), d, rtol=0, atol=1e-15)


def test_both_empty_is_nan_like_matlab():
    z = np.zeros((4, 5), dtype=B)
    assert np.isnan(dice(z, z)) and np.isnan(jaccard(z, z))


def test_label_images_score_labels_one_to_max_as_matlab():
    # MATLAB: dice(L1, L2) gives one value per label 1..max; 0 is background.
    L1 = np.array([[0, 1, 1], [2, 2, 0], [0, 0, 4]])
    L2 = np.array([[1, 1, 0], [2, 2, 2], [0, 0, 0]])
    # label 1: |A|=2 |B|=2 |AnB|=1 -> 0.5 ; label 2: 2,3,2 -> 0.8 ;
    # label 3: in neither -> 0/0 = NaN ; label 4: 1,0,0 -> 0
    assert_allclose(dice(L1, L2), [0.5, 0.8, np.nan, 0.0], rtol=0, atol=1e-15)
    assert_allclose(jaccard(L1, L2), [1 / 3, 2 / 3, np.nan, 0.0], rtol=0, atol=1e-15)
    # the same labels stored as double (MATLAB's default class) give the same answer
    assert_allclose(dice(L1.astype(float), L2.astype(np.uint8)), dice(L1, L2))
    # explicit labels pick and order
    assert_allclose(dice(L1, L2, labels=[2, 1]), [0.8, 0.5])
    assert_allclose(dice(L1, L2, labels=[0]), [2 * 2 / (4 + 4)])  # background on request


def test_zero_one_label_image_equals_logical():
    rng = np.random.default_rng(0)
    a, b = rng.random((2, 9, 7)) > 0.5
    assert_allclose(dice(a.astype(np.int32), b.astype(np.int32)), [dice(a, b)])


def test_any_number_of_dimensions(rng):
    for shape in [(7,), (5, 6), (4, 5, 6), (2, 3, 4, 5)]:
        a, b = rng.random(shape) > 0.4, rng.random(shape) > 0.6
        inter, sa, sb = (a & b).sum(), a.sum(), b.sum()
        assert_allclose(dice(a, b), 2 * inter / (sa + sb), rtol=1e-15)
        assert_allclose(jaccard(a, b), inter / (a | b).sum(), rtol=1e-15)


def test_batch_form_matches_a_loop(rng):
    a, b = rng.random((2, 6, 8, 9)) > 0.5
    a[2] = False
    b[2] = False  # one sample with both empty
    got = dice(a, b, batch=True)
    assert got.shape == (6,)
    assert_array_equal(got, [dice(x, y) for x, y in zip(a, b, strict=True)])
    la, lb = rng.integers(0, 4, (2, 5, 6, 6))
    got = jaccard(la, lb, batch=True)
    top = max(la.max(), lb.max())
    assert got.shape == (5, top)
    for i in range(5):
        assert_array_equal(got[i], jaccard(la[i], lb[i], labels=np.arange(1, top + 1)))


@pytest.mark.parametrize(
    "empty, both, ref_empty",
    [("matlab", np.nan, 0.0), ("nnunet", np.nan, 0.0), ("monai", np.nan, np.nan), (1.0, 1.0, 0.0)],
)
def test_empty_rules_table(empty, both, ref_empty):
    z = np.zeros(5, dtype=B)
    p = np.array([1, 0, 0, 0, 0], dtype=B)
    for f in (dice, jaccard):
        assert_allclose(f(z, z, empty=empty), both)
        assert_allclose(f(p, z, empty=empty), ref_empty)  # b is the reference
        assert_allclose(f(z, p, empty=empty), 0.0)  # missed lesion is always 0


# ---------------------------------------------------------------- MONAI agreement


def _one_hot(lab: np.ndarray, k: int):
    torch = pytest.importorskip("torch")
    t = torch.from_numpy(lab.astype(np.int64))
    return torch.nn.functional.one_hot(t, k).movedim(-1, 1).to(torch.float64)


def _random_batch(rng, n, shape, k):
    """Label batches with some empty and some both-empty samples."""
    a = rng.integers(0, k, (n, *shape))
    b = np.where(rng.random((n, *shape)) < 0.8, a, rng.integers(0, k, (n, *shape)))
    a[0] = 0  # prediction empty
    b[1] = 0  # reference empty, prediction not
    a[2] = 0
    b[2] = 0  # both empty
    return a, b


@pytest.mark.parametrize("shape", [(16, 16), (6, 7, 8)])
@pytest.mark.parametrize("k", [2, 4])
def test_agrees_with_monai(rng, shape, k):
    monai_metrics = pytest.importorskip("monai.metrics")
    a, b = _random_batch(rng, 6, shape, k)
    pa, pb = _one_hot(a, k), _one_hot(b, k)
    for ours, theirs in ((dice, monai_metrics.compute_dice), (jaccard, monai_metrics.compute_iou)):
        # MONAI ignore_empty=True  <->  empty="monai"
        ref = theirs(pa, pb, include_background=False, ignore_empty=True).numpy()
        got = ours(a, b, labels=np.arange(1, k), empty="monai", batch=True)
        assert_allclose(got, ref, rtol=0, atol=1e-12)
        # MONAI ignore_empty=False  <->  empty=1.0
        ref = theirs(pa, pb, include_background=False, ignore_empty=False).numpy()
        got = ours(a, b, labels=np.arange(1, k), empty=1.0, batch=True)
        assert_allclose(got, ref, rtol=0, atol=1e-12)
        # MATLAB's default differs from MONAI only where both are empty (NaN)
        got = ours(a, b, labels=np.arange(1, k), batch=True)
        both_empty = np.stack(
            [((a == c) | (b == c)).reshape(len(a), -1).sum(1) == 0 for c in range(1, k)], 1
        )
        assert_array_equal(np.isnan(got), both_empty)
        assert_allclose(got[~both_empty], ref[~both_empty], rtol=0, atol=1e-12)
        if k == 2:  # logical masks too
            got = ours(a.astype(bool), b.astype(bool), empty=1.0, batch=True)
            assert_allclose(got, ref[:, 0], rtol=0, atol=1e-12)


def test_torch_tensors_are_accepted():
    torch = pytest.importorskip("torch")
    a = torch.tensor([[True, False], [True, True]])
    b = torch.tensor([[True, True], [False, True]])
    assert_allclose(dice(a, b), 2 * 2 / 6)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "a, b, kwargs, error, text",
    [
        (np.zeros((2, 3), B), np.zeros((3, 2), B), {}, ValueError, "same shape"),
        (np.full((2, 2), 0.7), np.zeros((2, 2), B), {}, ValueError, "threshold"),
        (np.array([[-1, 0]]), np.array([[0, 0]]), {}, ValueError, "non-negative"),
        (np.zeros(3, B), np.zeros(3, B), {"empty": "maltab"}, ValueError, "did you mean 'matlab'"),
        (np.zeros(3, B), np.zeros(3, B), {"empty": True}, TypeError, "empty"),
        (np.array(["a"]), np.array(["b"]), {}, TypeError, "dtype"),
        (np.zeros(3, int), np.zeros(3, int), {"labels": [-1]}, ValueError, ">= 0"),
    ],
)
def test_bad_inputs(a, b, kwargs, error, text):
    with pytest.raises(error, match=text):
        dice(a, b, **kwargs)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        dice(np.ones(2, B), np.ones(2, B), [1])


# ---------------------------------------------------------------- classification


def test_roc_auc_worked_example():
    # the example in scikit-learn's roc_auc_score documentation: 0.75
    y, s = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    assert auc(y, s) == 0.75
    r = roc(y, s)
    assert r["auc"] == 0.75
    assert_allclose(r["fpr"], [0, 0, 0.5, 0.5, 1])
    assert_allclose(r["tpr"], [0, 0.5, 0.5, 1, 1])
    # predict_proba output (N, 2) is accepted: column 1 is the positive class
    p = np.column_stack([1 - np.array(s), s])
    assert auc(y, p) == 0.75


def test_confusion_sensitivity_specificity(rng):
    from sklearn.metrics import recall_score

    y = rng.integers(0, 2, 200)
    p = np.where(rng.random(200) < 0.8, y, 1 - y)
    cm = confusion_matrix(y, p)
    tn, fp, fn, tp = cm.ravel()
    assert cm.sum() == 200 and tp == np.sum((y == 1) & (p == 1))
    assert_allclose(sensitivity(y, p), recall_score(y, p, pos_label=1))
    assert_allclose(specificity(y, p), recall_score(y, p, pos_label=0))
    # hand-worked
    assert confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0]).tolist() == [[2, 0], [1, 1]]
    assert sensitivity([1, 1, 1, 0], [1, 0, 1, 1]) == 2 / 3
    assert np.isnan(specificity([1, 1], [1, 0]))


def test_classification_labels_must_be_binary():
    with pytest.raises(ValueError, match="labels_from_matlab"):
        sensitivity([1, 2, 2], [1, 2, 1])
    with pytest.raises(ValueError, match="single class"):
        auc([1, 1, 1], [0.2, 0.5, 0.9])
    with pytest.raises(ValueError, match="one score per sample"):
        roc([0, 1, 1], [0.2, 0.5])


# ------------------------------------------------------------ label values of any size


def test_a_huge_label_without_labels_is_refused_before_any_allocation():
    a = np.zeros((4, 4))
    a[0, 0] = 1e12
    with pytest.raises(ValueError, match="max is 1000000000000.*Pass labels="):
        dice(a, a.copy())


@pytest.mark.parametrize("big", [1e12, 2**40 + 3, 9_000_000])
def test_large_label_values_are_scored_without_a_table_of_that_size(big, rng):
    # reference: the same label images renumbered 0, 1, 2 (Dice does not depend on the numbers)
    small_a = rng.integers(0, 3, size=(20, 30))
    small_b = rng.integers(0, 3, size=(20, 30))
    lut = np.array([0, 5, big], dtype=np.float64)
    a, b = lut[small_a], lut[small_b]
    got = dice(a, b, labels=[big, 5, 7])
    ref = dice(small_a, small_b, labels=[2, 1, 7])
    assert_allclose(got, ref)
    d2 = 2 * np.sum((small_a == 2) & (small_b == 2)) / (np.sum(small_a == 2) + np.sum(small_b == 2))
    assert got[0] == pytest.approx(d2)  # worked out directly
    assert np.isnan(got[2])  # a label in neither image: 0/0, as MATLAB
    batch = jaccard(np.stack([a, b]), np.stack([b, a]), labels=[big], batch=True)
    assert_allclose(batch[:, 0], [jaccard(small_a, small_b, labels=[2])[0]] * 2)


def test_labels_beyond_what_a_double_holds_exactly_are_refused():
    a = np.zeros((2, 2))
    a[0, 0] = 2.0**60
    with pytest.raises(ValueError, match="above 2\\^53"):
        dice(a, a, labels=[1])
