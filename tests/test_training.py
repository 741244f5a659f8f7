"""Tests of the shared torch utilities (pybridge._training, pybridge._augment)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal

from pybridge._augment import Augmenter, make_augmenter
from pybridge._errors import PyBridgeError
from pybridge._training import (
    FORMAT_VERSION,
    fit_network,
    load_model,
    predict_batches,
    resolve_device,
    save_model,
    seed_everything,
    split_train_val,
)

BCE = torch.nn.functional.binary_cross_entropy_with_logits


def test_resolve_device():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device(None).type == expected
    assert resolve_device("auto").type == expected
    with pytest.raises(ValueError, match="device must be"):
        resolve_device("gpu0")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="sees none"):
            resolve_device("cuda")


def test_split_is_stratified_and_disjoint():
    y = np.array([0] * 30 + [1] * 10)
    tr, va = split_train_val(40, 0.2, stratify=y, seed=1)
    assert len(va) == 8 and len(tr) == 32
    assert not set(tr) & set(va)
    assert y[va].sum() == 2  # 1 in 4 are positive, in the held-out part too
    with pytest.raises(ValueError, match="fraction"):
        split_train_val(10, 1.0)


def _toy(rng, n=64):
    X = rng.normal(size=(n, 3)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5]) > 0).astype(np.float32)[:, None]
    return torch.from_numpy(X), torch.from_numpy(y)


def _train(X, y, seed):
    seed_everything(seed)
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(net.parameters(), lr=0.2, momentum=0.9)
    h = fit_network(net, X, y, loss_fn=BCE, optimizer=opt, epochs=15, batch_size=16,
                    stratify=y[:, 0].numpy(), seed=seed, progress=False,
                    metric=lambda yt, lg: float(((lg > 0).float() == yt).float().mean()),
                    metric_name="val_accuracy")
    return net, h


def test_fit_learns_and_records_history(rng):
    X, y = _toy(rng)
    net, h = _train(X, y, seed=0)
    n_ep = len(h["loss"])
    assert set(h) == {"loss", "val_loss", "val_accuracy", "lr", "best_epoch"}
    assert len(h["val_loss"]) == len(h["lr"]) == len(h["val_accuracy"]) == n_ep
    assert h["loss"][-1] < h["loss"][0]
    assert not net.training
    # the best weights were restored: the validation loss now equals the best one
    assert 0 <= h["best_epoch"][0] < n_ep
    acc = float(((predict_batches(net, X) > 0).float() == y).float().mean())
    assert acc > 0.8


def test_fit_is_reproducible(rng):
    X, y = _toy(rng)
    a, ha = _train(X, y, seed=5)
    b, hb = _train(X, y, seed=5)
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert ka == kb
        assert torch.equal(va, vb)
    assert ha["loss"] == hb["loss"]
    c, _ = _train(X, y, seed=6)
    assert not torch.equal(a[0].weight, c[0].weight)


def test_fit_without_validation_and_bad_args(rng):
    X, y = _toy(rng, 20)
    net = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    h = fit_network(net, X, y, loss_fn=BCE, optimizer=opt, epochs=3, validation=None, progress=False)
    assert len(h["loss"]) == 3 and all(np.isnan(h["val_loss"]))
    with pytest.raises(ValueError, match="same number of samples"):
        fit_network(net, X, y[:5], loss_fn=BCE, optimizer=opt, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        fit_network(net, X, y, loss_fn=BCE, optimizer=opt, epochs=0, progress=False)


def test_lr_reduced_on_plateau(rng):
    X, y = _toy(rng, 32)
    net = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.0)  # nothing improves: a plateau
    opt.param_groups[0]["lr"] = 1e-3
    h = fit_network(net, X, torch.rand_like(y), loss_fn=BCE, optimizer=opt, epochs=12,
                    lr_patience=1, lr_factor=0.5, early_stopping=None, progress=False,
                    validation=(X, torch.full_like(y, 0.5)))
    assert min(h["lr"]) < 1e-3


def test_save_load_round_trip(tmp_path):
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    p = save_model(tmp_path / "m.safetensors", net, {"arch": {"k": 3}, "mean": 0.5})
    state, meta = load_model(p)
    assert meta["arch"] == {"k": 3} and meta["mean"] == 0.5 and meta["format_version"] == FORMAT_VERSION == 2
    for k, v in net.state_dict().items():
        assert torch.equal(state[k], v)
    # the file is plain safetensors: a second reader sees the same tensors
    from safetensors.numpy import load_file

    assert_allclose(load_file(str(p))["0.weight"], net[0].weight.detach().numpy())
    with pytest.raises(FileNotFoundError, match="est.save"):
        load_model(tmp_path / "missing.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(b"not a model")
    with pytest.raises(PyBridgeError, match="not a safetensors"):
        load_model(tmp_path / "junk.safetensors")
    with pytest.raises(TypeError, match="JSON"):
        save_model(tmp_path / "x.safetensors", net, {"bad": object()})


# ---------------------------------------------------------------- augmentation

def test_quarter_turns_and_flips_permute_pixels_exactly(rng):
    aug = Augmenter(max_angle=0, max_shift=0, scale=(1, 1))
    x = torch.from_numpy(rng.random((16, 1, 6, 6)).astype(np.float32))
    y, _ = aug(x, generator=torch.Generator().manual_seed(0))
    seen = set()
    for i in range(16):
        # each output is one of the 8 symmetries of the square, computed by numpy
        syms = [np.rot90(f, k) for f in (x[i, 0].numpy(), x[i, 0].numpy()[:, ::-1]) for k in range(4)]
        match = [j for j, s in enumerate(syms) if np.allclose(y[i, 0].numpy(), s, atol=1e-5)]
        assert match, "output is not a flip/rotation of the input"
        seen.add(match[0])
    assert len(seen) >= 4  # the draws really vary


def test_whole_pixel_shifts_move_pixels_without_interpolating(rng):
    # reference: numpy's dihedral transforms, then a shift by whole pixels with
    # the border mirrored about the pixel edge (numpy's 'symmetric' padding)
    aug = Augmenter(max_angle=0, max_shift=0.25, scale=(1, 1), whole_pixels=True)
    n, side, most = 24, 8, 2  # 0.25 x 8 pixels
    x = torch.from_numpy(rng.random((n, 1, side, side)).astype(np.float32))
    y, _ = aug(x, generator=torch.Generator().manual_seed(5))
    shifts = set()
    for i in range(n):
        img = x[i, 0].numpy()
        padded = [np.pad(s, most, mode="symmetric")
                  for f in (img, img[:, ::-1]) for s in (np.rot90(f, k) for k in range(4))]
        found = [(dr, dc) for p in padded for dr in range(-most, most + 1) for dc in range(-most, most + 1)
                 if np.allclose(p[most + dr:most + dr + side, most + dc:most + dc + side], y[i, 0].numpy(),
                                atol=1e-6)]
        assert found, "output is not a flip/rotation of the input shifted by whole pixels"
        shifts.add(found[0])
    assert len(shifts) >= 6  # the shifts really vary
    # white noise keeps its spread; the interpolating default transforms shrink it
    noise = torch.from_numpy(rng.standard_normal((400, 1, 32, 32)).astype(np.float32))
    kept, _ = aug(noise, generator=torch.Generator().manual_seed(6))
    smooth, _ = Augmenter()(noise, generator=torch.Generator().manual_seed(6))
    assert abs(float(kept.std()) / float(noise.std()) - 1) < 0.02
    assert float(smooth.std()) / float(noise.std()) < 0.8
    with pytest.raises(ValueError, match="size"):
        aug.matrices(2, generator=torch.Generator())


def test_noise_adds_white_noise_in_proportion_to_each_image(rng):
    # with no geometric transform the added part is what noise adds: white (no
    # correlation between neighbours), zero mean, and its spread relative to the
    # image's drawn uniformly in [0, noise]: the mean of U(0, a)^2 is a^2 / 3
    aug = Augmenter(flip=False, rotate90=False, max_angle=0, max_shift=0, scale=(1, 1), noise=0.3)
    scale = torch.from_numpy(rng.uniform(0.5, 20.0, (600, 1, 1, 1)).astype(np.float32))
    x = scale * torch.from_numpy(rng.standard_normal((600, 1, 16, 16)).astype(np.float32))
    masks = torch.from_numpy(rng.random((600, 1, 16, 16)) > 0.5)
    y, ym = aug(x, masks, generator=torch.Generator().manual_seed(3))
    assert_array_equal(ym.numpy(), masks.numpy())  # masks untouched
    added = ((y - x) / x.std(dim=(1, 2, 3), keepdim=True)).numpy()[:, 0]
    per_image = added.reshape(600, -1).std(axis=1)
    assert per_image.max() <= 0.3 * 1.3 and per_image.min() < 0.03
    assert abs(float(np.mean(per_image**2)) - 0.3**2 / 3) < 0.003
    assert abs(float(added.mean())) < 0.005
    neighbours = np.corrcoef(added[:, :, :-1].ravel(), added[:, :, 1:].ravel())[0, 1]
    assert abs(neighbours) < 0.02
    # the same seed, the same noise; off by default
    again, _ = aug(x, generator=torch.Generator().manual_seed(3))
    assert_array_equal(again.numpy(), y.numpy())
    assert Augmenter().noise == 0.0
    with pytest.raises(ValueError, match="noise must be >= 0"):
        Augmenter(noise=-0.1)
    assert make_augmenter({"noise": 0.2}).noise == 0.2


@pytest.mark.parametrize(
    "option, value, error, message",
    [("elastic", "2", TypeError, "elastic must be a number; got '2' \\(str\\)"),
     ("max_angle", True, TypeError, "max_angle must be a number; got True"),
     ("intensity", None, TypeError, "intensity must be a number; got None"),
     ("noise", float("inf"), ValueError, "noise must be finite"),
     ("max_shift", float("nan"), ValueError, "max_shift must be finite")],
)
def test_bad_option_values_say_what_was_expected(option, value, error, message):
    with pytest.raises(error, match=message):
        Augmenter(**{option: value})
    # NumPy scalars, as a MATLAB caller's options may arrive, are numbers
    assert getattr(Augmenter(**{option: np.float32(0.05)}), option) == np.float32(0.05)


def test_identity_when_everything_off(rng):
    aug = Augmenter(flip=False, rotate90=False, max_angle=0, max_shift=0, scale=(1, 1))
    x = torch.from_numpy(rng.random((3, 2, 5, 7)).astype(np.float32))
    y, _ = aug(x, generator=torch.Generator().manual_seed(1))
    assert_allclose(y.numpy(), x.numpy(), atol=1e-5)


def test_elastic_displaces_smoothly_by_the_given_pixels():
    # hand-worked reference: bilinear sampling of a linear ramp is exact, so
    # warping the column-index image gives back each pixel's x displacement.
    # At the centre of a 33 x 49 image (a control point of the 3 x 3 grid) it is
    # the normal draw itself: its spread over many images is `elastic`.
    h, w, n = 33, 49, 3000
    cols = torch.arange(w, dtype=torch.float32).expand(n, 1, h, w)
    rows = torch.arange(h, dtype=torch.float32)[:, None].expand(n, 1, h, w)
    off = dict(flip=False, rotate90=False, max_angle=0, max_shift=0, scale=(1, 1))
    aug = Augmenter(**off, elastic=2.0)
    dx, _ = aug(cols, generator=torch.Generator().manual_seed(4))
    dy, _ = aug(rows, generator=torch.Generator().manual_seed(4))
    dx, dy = (dx - cols)[:, 0].numpy(), (dy - rows)[:, 0].numpy()
    r, c = h // 2, w // 2
    for d in (dx, dy):
        assert abs(float(d[:, r, c].std()) - 2.0) < 0.1
        assert abs(float(d[:, r, c].mean())) < 0.1
    # x and y displacements are drawn apart
    assert abs(np.corrcoef(dx[:, r, c], dy[:, r, c])[0, 1]) < 0.06
    # smooth: neighbouring pixels move together (a 3 x 3 grid over the image)
    assert np.corrcoef(dx[:, r, c], dx[:, r, c + 1])[0, 1] > 0.99
    assert np.corrcoef(dy[:, r, c], dy[:, r + 1, c])[0, 1] > 0.99
    # a mask follows its image, and elastic=0 leaves the default's draws alone
    m = torch.from_numpy(np.random.default_rng(1).random((8, 1, 20, 20)) > 0.5)
    y, ym = Augmenter(elastic=2.0)(m.float(), m, generator=torch.Generator().manual_seed(2))
    assert ((y > 0.5) == ym).float().mean() > 0.75
    x = torch.rand(4, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    a, _ = Augmenter(elastic=0.0)(x, generator=torch.Generator().manual_seed(9))
    b, _ = Augmenter()(x, generator=torch.Generator().manual_seed(9))
    assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="elastic must be >= 0"):
        Augmenter(elastic=-1)


def test_masks_follow_images_and_reflect_fill(rng):
    aug = Augmenter(max_angle=15, max_shift=0.15, scale=(0.8, 1.2))
    # the image is the mask itself: after the transform they must still agree
    m = torch.from_numpy(rng.random((8, 1, 20, 20)) > 0.5)
    x = m.float()
    y, ym = aug(x, m, generator=torch.Generator().manual_seed(2))
    assert ym.dtype == torch.bool and ym.shape == m.shape
    agree = ((y > 0.5) == ym).float().mean()
    assert agree > 0.75
    # reflect fill: a constant image stays constant (nothing dark dragged in)
    c = torch.full((4, 1, 10, 10), 0.7)
    yc, _ = aug(c, generator=torch.Generator().manual_seed(3))
    assert_allclose(yc.numpy(), 0.7, atol=1e-5)


def test_augment_is_seeded():
    aug = Augmenter()
    x = torch.rand(4, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    a, _ = aug(x, generator=torch.Generator().manual_seed(9))
    b, _ = aug(x, generator=torch.Generator().manual_seed(9))
    assert_array_equal(a.numpy(), b.numpy())


def test_make_augmenter_options():
    assert make_augmenter(None) is None and make_augmenter(False) is None
    assert make_augmenter(True) == Augmenter(intensity=0.1)
    assert make_augmenter({"flip": False}).flip is False
    assert Augmenter(**Augmenter().to_dict()) == Augmenter()
    with pytest.raises(ValueError, match="unknown augmentation"):
        make_augmenter({"flipp": True})
    with pytest.raises(TypeError, match="augment must be"):
        make_augmenter("yes")
    with pytest.raises(ValueError, match="scale"):
        Augmenter(scale=(1.2, 0.8))
    with pytest.raises(ValueError, match="N x C x H x W"):
        Augmenter()(torch.zeros(3, 3), generator=torch.Generator())


def test_loading_a_file_as_the_wrong_estimator_names_the_right_loader(tmp_path):
    from pybridge._errors import PyBridgeError
    from pybridge.classification import CNNClassifier, TraditionalClassifier
    from pybridge.datasets import microcalcifications
    from pybridge.segmentation import UNetSegmenter

    d = microcalcifications(12, seed=0)
    path = tmp_path / "cnn.safetensors"
    CNNClassifier(epochs=1, progress=False).fit(d["images"], d["labels"]).save(path)
    with pytest.raises(PyBridgeError, match=r"holds a 'CNNClassifier' model, not a TraditionalClassifier; "
                                            r"use pybridge\.classification\.load"):
        TraditionalClassifier.load(path)
    with pytest.raises(PyBridgeError, match=r"not a UNetSegmenter; use pybridge\.segmentation\.load"):
        UNetSegmenter.load(path)
    assert isinstance(CNNClassifier.load(path), CNNClassifier)


# ---------------------------------------------------------------- monitor, progress, chance, old files


def test_monitor_a_metric_restores_its_best_epoch():
    from pybridge._training import fit_network

    torch.manual_seed(0)
    net = torch.nn.Linear(2, 1)
    X = torch.randn(80, 2)
    y = (X[:, :1] > 0).float()
    scores = iter([0.6, 0.9, 0.7, 0.8, 0.5, 0.55])
    h = fit_network(
        net, X, y, loss_fn=BCE, optimizer=torch.optim.SGD(net.parameters(), lr=0.1), epochs=6,
        metric=lambda yv, logits: next(scores), metric_name="val_auc", monitor="val_auc",
        early_stopping=None, progress=False,
    )
    assert h["val_auc"] == [0.6, 0.9, 0.7, 0.8, 0.5, 0.55] and h["best_epoch"] == [1]
    with pytest.raises(ValueError, match="monitor must be"):
        fit_network(net, X, y, loss_fn=BCE, optimizer=torch.optim.SGD(net.parameters(), lr=0.1),
                    epochs=1, monitor="val_dice", progress=False)


def test_a_tied_metric_is_broken_by_the_validation_loss():
    """AUC saturates at 1.0 on a small split: among the tied epochs the lowest validation loss wins."""
    from pybridge._training import fit_network

    torch.manual_seed(0)
    net = torch.nn.Linear(2, 1)
    X = torch.randn(80, 2)
    y = (X[:, :1] > 0).float()
    scores = iter([0.8, 1.0, 1.0, 1.0, 0.9, 1.0])  # ties from epoch 1 on
    h = fit_network(
        net, X, y, loss_fn=BCE, optimizer=torch.optim.SGD(net.parameters(), lr=0.5), epochs=6,
        metric=lambda yv, logits: next(scores), metric_name="val_auc", monitor="val_auc",
        early_stopping=None, lr_patience=None, progress=False,
    )
    tied = [e for e, v in enumerate(h["val_auc"]) if v == 1.0]
    want = min(tied, key=lambda e: h["val_loss"][e])  # worked out from the recorded history
    assert want != tied[0]  # the case needs the tie-break: the first tied epoch is not the best
    assert h["best_epoch"] == [want]


def test_progress_line_holds_loss_and_metric(capsys):
    from pybridge._training import fit_network

    net = torch.nn.Linear(2, 1)
    X = torch.randn(40, 2)
    y = (X[:, :1] > 0).float()
    fit_network(net, X, y, loss_fn=BCE, optimizer=torch.optim.SGD(net.parameters(), lr=0.1), epochs=2,
                metric=lambda yv, lg: 0.5, metric_name="val_auc", desc="net", progress=True)
    err = capsys.readouterr().err
    assert err.startswith("net: ") and "epoch" in err and "loss=" in err and "val_auc=0.5" in err


def test_show_progress_and_effective_seed():
    from pybridge._training import effective_seed, show_progress

    assert show_progress(True, None) == (True, 0)
    assert show_progress(2, None) == (True, 1)
    assert show_progress(0, True) == (False, 0)
    assert show_progress(1, False) == (False, 1)  # the older progress=False with verbose=1
    assert show_progress(True, False) == (False, 0)  # the older progress=False alone: silent
    assert effective_seed(3, None) == 3 and effective_seed(3, 5) == 5 and effective_seed(None, None) is None
    with pytest.raises(TypeError, match="random_state must be an int"):
        effective_seed(1.5, None)


def test_check_chance_warns_only_at_or_below_chance():
    import warnings

    from pybridge._training import NoBetterThanChanceWarning, check_chance

    h = {"val_auc": [0.4, 0.58, 0.52], "best_epoch": [1]}
    with pytest.warns(NoBetterThanChanceWarning, match="val_auc 0.580"):
        check_chance(h, "val_auc", 0.6, "CNNClassifier")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_chance(h, "val_auc", 0.55, "CNNClassifier")
        check_chance(h, "val_auc", None, "CNNClassifier")  # too small a split to judge


def test_upgrade_params_from_format_1():
    from pybridge._training import upgrade_params

    class Est:
        def __init__(self, *, architecture="monai", random_state=0, seed=None, monitor="val_auc", lr=0.1):
            pass

    got = upgrade_params(Est, {"seed": 4, "lr": 0.2}, {"format_version": 1})
    assert got == {"architecture": "course", "random_state": 4, "monitor": "val_loss", "lr": 0.2}
    assert upgrade_params(Est, {"lr": 0.2}, {"format_version": 2}) == {"lr": 0.2}
    with pytest.raises(PyBridgeError, match=r"format 2.*\['momentum'\]"):
        upgrade_params(Est, {"momentum": 0.9}, {"format_version": 2})


def test_augmenter_intensity_is_images_only_and_seeded():
    aug = Augmenter(flip=False, rotate90=False, max_angle=0, max_shift=0, scale=(1, 1), intensity=0.2)
    x = torch.rand(4, 1, 8, 8)
    m = (torch.rand(4, 1, 8, 8) > 0.5).float()
    a, ma = aug(x, m, generator=torch.Generator().manual_seed(1))
    b, _ = aug(x, m, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and torch.equal(ma, m)
    # an affine change of intensity per image: a = gain * x + offset
    for i in range(4):
        A = torch.stack([x[i].flatten(), torch.ones(64)], 1)
        coef = torch.linalg.lstsq(A, a[i].flatten()[:, None]).solution
        assert_allclose((A @ coef).flatten().numpy(), a[i].flatten().numpy(), atol=1e-5)
        assert 0.8 - 1e-6 <= float(coef[0]) <= 1.2 + 1e-6
    with pytest.raises(ValueError, match="intensity"):
        Augmenter(intensity=1.5)


def test_weight_average_is_the_moving_average_of_every_step_worked_by_hand():
    """``average=a``: e_1 = w_1, e_t = a e_(t-1) + (1 - a) w_t over the weights after each step,
    batch norm's running statistics included; the average is what is validated and kept."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 1))
    X, X_va = torch.randn(40, 3), torch.randn(12, 3)
    y, y_va = (X[:, :1] > 0).float(), (X_va[:, :1] > 0).float()
    opt = torch.optim.SGD(net.parameters(), lr=0.2, momentum=0.9)
    after_steps = []
    opt.register_step_post_hook(
        lambda *_: after_steps.append({k: v.detach().clone() for k, v in net.state_dict().items()})
    )
    a = 0.7
    h = fit_network(net, X, y, loss_fn=BCE, optimizer=opt, epochs=1, batch_size=8,
                    validation=(X_va, y_va), average=a, lr_patience=None, progress=False)
    assert len(after_steps) == 5
    by_hand = dict(after_steps[0])
    for state in after_steps[1:]:
        for k, v in state.items():
            if v.is_floating_point():
                by_hand[k] = a * by_hand[k] + (1 - a) * v
    kept = net.state_dict()
    for k, v in by_hand.items():
        if v.is_floating_point():
            assert_allclose(kept[k].numpy(), v.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    assert not torch.allclose(kept["0.weight"], after_steps[-1]["0.weight"])  # not the last step's
    assert not torch.allclose(kept["1.running_mean"], after_steps[-1]["1.running_mean"])
    with torch.no_grad():
        assert h["val_loss"][0] == pytest.approx(float(BCE(net(X_va), y_va)), rel=1e-5)


@pytest.mark.parametrize("value, error", [(1.0, ValueError), (0, ValueError), (-0.5, ValueError),
                                          ("0.9", TypeError), (True, TypeError)])
def test_weight_average_refuses_what_is_not_a_decay(value, error):
    net = torch.nn.Linear(2, 1)
    X = torch.randn(10, 2)
    with pytest.raises(error, match="strictly between 0 and 1"):
        fit_network(net, X, (X[:, :1] > 0).float(), loss_fn=BCE,
                    optimizer=torch.optim.SGD(net.parameters(), lr=0.1), epochs=1, average=value,
                    progress=False)


@pytest.mark.parametrize("kind", ["CNNClassifier", "UNetSegmenter", "CAESegmenter"])
def test_estimators_hand_weight_average_to_the_loop_and_refuse_bad_values(kind, monkeypatch):
    import pybridge.classification._cnn as cnn_module
    import pybridge.segmentation._estimators as seg_module
    from pybridge.classification import CNNClassifier
    from pybridge.datasets import masses, microcalcifications
    from pybridge.segmentation import CAESegmenter, UNetSegmenter

    cls = {"CNNClassifier": CNNClassifier, "UNetSegmenter": UNetSegmenter, "CAESegmenter": CAESegmenter}[kind]
    if kind == "CNNClassifier":
        d = microcalcifications(24, seed=0)
        X, y, module = d["images"], d["labels"], cnn_module
    else:
        d = masses(12, size=32, seed=0)
        X, y, module = d["images"], d["masks"], seg_module
    assert cls().get_params()["weight_average"] is None
    seen = []
    real = module.fit_network

    def spy(*args, **kwargs):
        seen.append(kwargs["average"])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "fit_network", spy)
    cls(weight_average=0.9, epochs=1, verbose=False).fit(X, y)
    assert seen == [0.9]
    with pytest.raises(ValueError, match="weight_average must be None or a decay strictly between 0 and 1"):
        cls(weight_average=1.5, epochs=1, verbose=False).fit(X, y)
    assert seen == [0.9]  # refused before training


def test_weight_average_is_saved_with_the_model(tmp_path):
    from pybridge.datasets import masses
    from pybridge.segmentation import CAESegmenter, load

    d = masses(12, size=32, seed=0)
    seg = CAESegmenter(weight_average=0.9, epochs=1, verbose=False).fit(d["images"], d["masks"])
    seg.save(tmp_path / "cae.safetensors")
    again = load(tmp_path / "cae.safetensors")
    assert again.get_params()["weight_average"] == 0.9
    assert_array_equal(again.predict(d["images"]), seg.predict(d["images"]))


def test_numpy_scalar_options_are_saved_as_their_values(tmp_path):
    """Options given as NumPy scalars (e.g. read from a .mat file) are written as plain numbers."""
    from pybridge.datasets import masses
    from pybridge.segmentation import CAESegmenter, load

    d = masses(12, size=32, seed=0)
    seg = CAESegmenter(lr=np.float32(0.002), weight_average=np.float64(0.9), epochs=np.int64(1),
                       verbose=False).fit(d["images"], d["masks"])
    seg.save(tmp_path / "cae.safetensors")
    params = load(tmp_path / "cae.safetensors").get_params()
    assert params["lr"] == pytest.approx(0.002) and type(params["lr"]) is float
    assert params["weight_average"] == 0.9 and params["epochs"] == 1
    with pytest.raises(TypeError, match="JSON-serialisable.*object"):
        save_model(tmp_path / "bad.safetensors", torch.nn.Linear(1, 1), {"x": object()})
