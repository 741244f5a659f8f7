"""pybridge.segmentation: post-processing, padding/tiling, CAE and U-Net training,
persistence. Models and data are tiny (32 x 32 crops, a few epochs)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

torch = pytest.importorskip("torch")

from pybridge import PyBridgeError  # noqa: E402
from pybridge.datasets import mammogram, masses  # noqa: E402
from pybridge.metrics import dice  # noqa: E402
from pybridge.segmentation import (  # noqa: E402
    CAESegmenter,
    PadToMultiple,
    UNet,
    UNetSegmenter,
    fill_holes,
    largest_connected_component,
    load,
    postprocess,
    tiled_probabilities,
)

# ---------------------------------------------------------------- post-processing


def test_largest_component_hand_worked():
    m = np.array(
        [
            [1, 1, 0, 0, 0],
            [1, 0, 0, 1, 1],
            [0, 0, 0, 1, 1],
            [0, 0, 1, 0, 0],  # diagonal neighbour of the 2x2 block: joins it with 8-connectivity
        ],
        dtype=bool,
    )
    eight = largest_connected_component(m)
    assert eight.sum() == 5 and eight[3, 2] and not eight[0, 0]
    four = largest_connected_component(m, connectivity=4)
    assert four.sum() == 4 and not four[3, 2]
    # batch form, with an empty mask that stays empty
    out = largest_connected_component(np.stack([m, np.zeros_like(m)]))
    assert_array_equal(out[0], eight)
    assert not out[1].any()


def test_fill_holes_hand_worked():
    m = np.zeros((6, 6), dtype=bool)
    m[1:5, 1:5] = True
    m[2:4, 2:4] = False  # a 2x2 hole
    m[0, 0] = True
    filled = fill_holes(m)
    assert filled.sum() == 16 + 1
    assert filled[2:4, 2:4].all()
    # an open "cup" touching the border is not a hole
    cup = np.zeros((4, 4), dtype=bool)
    cup[1:, 0] = cup[1:, 3] = cup[3, :] = True
    assert_array_equal(fill_holes(cup), cup)


def test_postprocess_order_and_errors():
    m = np.zeros((9, 9), dtype=bool)
    m[1:6, 1:6] = True
    m[3, 3] = False
    m[8, 8] = True  # a speck, not connected
    out = postprocess(m, ("fill", "largest"))  # order given does not matter
    assert out.sum() == 25
    with pytest.raises(ValueError, match="unknown post-processing"):
        postprocess(m, "biggest")
    with pytest.raises(TypeError, match="bool"):
        postprocess(m.astype(float))


# ---------------------------------------------------------------- any size


class _Pointwise(torch.nn.Module):
    """A 1 x 1 convolution: each output pixel sees one input pixel, so tiling is exact."""

    multiple = 8

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 1, 1)
        with torch.no_grad():
            self.conv.weight.fill_(2.0)
            self.conv.bias.fill_(-1.0)

    def forward(self, x):
        return self.conv(x)


def test_tiling_is_exact_for_a_pointwise_network(rng):
    net = PadToMultiple(_Pointwise()).eval()
    X = torch.from_numpy(rng.standard_normal((2, 1, 100, 70)).astype(np.float32))
    expected = torch.sigmoid(2.0 * X[:, 0] - 1.0).numpy()
    got = tiled_probabilities(net, X, tile=32, overlap=8, device=torch.device("cpu"))
    assert got.shape == (2, 100, 70)
    assert_allclose(got, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("shape", [(13, 21), (3, 5), (64, 64)])
def test_pad_to_multiple_keeps_any_size(shape):
    torch.manual_seed(0)
    net = PadToMultiple(UNet(width=2, depth=2)).eval()
    with torch.no_grad():
        out = net(torch.zeros(1, 1, *shape))
    assert out.shape == (1, 1, *shape)


# ---------------------------------------------------------------- training


@pytest.fixture(scope="module")
def data():
    train = masses(64, size=32, seed=11)
    test = masses(32, size=32, seed=12)
    return train, test


@pytest.fixture(scope="module")
def unet(data):
    train, _ = data
    # the course U-Net with the former training options (MONAI's with the
    # defaults: test_segmentation_defaults.py)
    seg = UNetSegmenter(architecture="course", augment=False, width=8, depth=2, epochs=8, batch_size=8,
                        lr=3e-3, progress=False)
    return seg.fit(train["images"], train["masks"])


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_unet_learns_synthetic_masses(unet, data):
    _, test = data
    score = unet.score(test["images"], test["masks"])
    # a mask of all ones scores about 0.25 here, all zeros 0; a trained U-Net well above
    trivial = np.mean(dice(np.ones_like(test["masks"]), test["masks"], batch=True))
    assert trivial < 0.4
    assert score > 0.75
    # predict agrees with predict_proba and the chosen threshold
    p = unet.predict_proba(test["images"])
    assert p.shape == (32, 32, 32) and p.dtype == np.float32
    assert p.min() >= 0 and p.max() <= 1
    assert_array_equal(unet.predict(test["images"]), p > unet.threshold_)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_fitted_attributes_follow_the_estimator_contract(unet, data):
    _, test = data
    h = unet.history_
    assert {"loss", "val_loss", "val_dice", "lr", "best_epoch"} <= set(h)
    assert len(h["loss"]) == len(h["val_loss"]) == len(h["val_dice"]) == len(h["lr"]) <= 8
    assert not unet.network_.training
    assert unet.device_ == torch.device("cpu")
    T = unet.to_tensor(test["images"][:3])
    assert T.shape == (3, 1, 32, 32) and T.dtype == torch.float32
    with torch.no_grad():
        logits = unet.network_(T)
    assert logits.shape == (3, 1, 32, 32)
    assert_allclose(
        torch.sigmoid(logits[:, 0]).numpy(), unet.predict_proba(test["images"][:3]), atol=1e-6
    )
    assert 0.1 <= unet.threshold_ <= 0.9


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_postprocess_option_leaves_one_component(unet, data):
    from scipy import ndimage

    _, test = data
    unet.set_params(postprocess=("largest", "fill"))
    try:
        pred = unet.predict(test["images"])
    finally:
        unet.set_params(postprocess=None)
    for m in pred:
        assert ndimage.label(m, structure=np.ones((3, 3)))[1] <= 1


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_save_load_round_trip(unet, data, tmp_path):
    _, test = data
    path = tmp_path / "unet.safetensors"
    unet.save(path)
    for loaded in (UNetSegmenter.load(path), load(path)):
        assert isinstance(loaded, UNetSegmenter)
        assert loaded.threshold_ == unet.threshold_
        assert_array_equal(loaded.predict_proba(test["images"]), unet.predict_proba(test["images"]))
    with pytest.raises(PyBridgeError, match="not a CAESegmenter"):
        CAESegmenter.load(path)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_segments_a_full_mammogram_without_resizing(unet):
    m = mammogram(size=1000, seed=0)
    unet.set_params(tile=256, tile_overlap=32)  # the first window alone covers [0, 224)
    try:
        p = unet.predict_proba(m["image"][None])
        assert p.shape == (1, 1000, 1000) and np.isfinite(p).all()
        # the whole-image path (no windows) agrees away from window seams
        unet.set_params(tile=None)
        whole = unet.predict_proba(m["image"][None, :200, :200])
    finally:
        unet.set_params(tile="auto", tile_overlap=None)
    assert_allclose(p[0, :150, :150], whole[0, :150, :150], atol=1e-4)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_cae_learns(data):
    train, test = data
    cae = CAESegmenter(filters=(8, 16), epochs=8, batch_size=8, lr=3e-3, progress=False)
    cae.fit(train["images"], train["masks"])
    assert cae.score(test["images"], test["masks"]) > 0.6


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_same_seed_same_model(data):
    train, test = data
    kw = dict(width=4, depth=2, epochs=2, batch_size=8, progress=False, seed=3)
    a = UNetSegmenter(**kw).fit(train["images"][:24], train["masks"][:24])
    b = UNetSegmenter(**kw).fit(train["images"][:24], train["masks"][:24])
    assert_array_equal(a.predict_proba(test["images"]), b.predict_proba(test["images"]))
    c = UNetSegmenter(**{**kw, "seed": 4}).fit(train["images"][:24], train["masks"][:24])
    assert not np.array_equal(a.predict_proba(test["images"]), c.predict_proba(test["images"]))


# ---------------------------------------------------------------- errors


def test_errors():
    d = masses(4, size=32, seed=0)
    with pytest.raises(PyBridgeError, match="not trained"):
        UNetSegmenter().predict(d["images"])
    with pytest.raises(ValueError, match="masks of shape"):
        UNetSegmenter(epochs=1, progress=False).fit(d["images"], d["masks"][:, :16])
    with pytest.raises(ValueError, match="logical"):
        UNetSegmenter(epochs=1, progress=False).fit(d["images"], d["masks"] * 2.0)
    with pytest.raises(ValueError, match="loss"):
        UNetSegmenter(loss="focal").fit(d["images"], d["masks"])
    with pytest.raises(ValueError, match="post-processing"):
        UNetSegmenter(postprocess="biggest").fit(d["images"], d["masks"])
    with pytest.raises(ValueError, match="N x H x W"):
        UNetSegmenter().fit(d["images"][0], d["masks"][0])
    with pytest.raises(TypeError):
        UNetSegmenter(16)  # options are keyword-only
