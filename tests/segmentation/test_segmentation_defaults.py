"""The segmenters' defaults: MONAI networks and losses, sliding windows, ROI, input checks, old files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.utils import estimator_checks

torch = pytest.importorskip("torch")

from pybridge import PyBridgeError  # noqa: E402
from pybridge.datasets import masses  # noqa: E402
from pybridge.metrics import dice  # noqa: E402
from pybridge.segmentation import (  # noqa: E402
    CAE,
    CAESegmenter,
    NoBetterThanChanceWarning,
    PadToMultiple,
    UNet,
    UNetSegmenter,
    build_network,
    keep_overlapping,
    load,
    tiled_probabilities,
)
from pybridge.segmentation._estimators import _loss_fn  # noqa: E402

DATA = Path(__file__).parent / "data"

SKLEARN_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_get_params_invariance",
    "check_set_params",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_do_not_raise_errors_in_init_or_set_params",
]


@pytest.mark.parametrize("cls", [UNetSegmenter, CAESegmenter])
@pytest.mark.parametrize("check", SKLEARN_CHECKS)
def test_sklearn_estimator_checks(cls, check):
    getattr(estimator_checks, check)(cls.__name__, cls())


def test_defaults_and_clone():
    assert UNetSegmenter().architecture == "course" and CAESegmenter().architecture == "monai"
    for cls in (UNetSegmenter, CAESegmenter):
        p = cls().get_params()
        assert p["augment"] is True and p["loss"] == "bce+dice"
        assert p["tile"] == "auto" and p["random_state"] == 0 and p["verbose"] is True
        est = cls(lr=0.01, seed=2)
        assert clone(est).get_params() == est.get_params()


def test_cae_levels_follow_the_architecture(tmp_path, rng):
    # MONAI's AutoEncoder: four levels by default; the course's CAE keeps its three
    assert CAESegmenter().get_params()["filters"] is None
    assert CAESegmenter()._arch() == {"name": "monai", "filters": [16, 32, 64, 128]}
    assert CAESegmenter(architecture="course")._arch() == {"name": "course", "filters": [16, 32, 64]}
    assert CAESegmenter(filters=(8, 16))._arch()["filters"] == [8, 16]
    # the levels are saved with the model: a file rebuilds the network it was trained with
    X = rng.random((12, 32, 32)).astype(np.float32)
    y = X > 0.6
    seg = CAESegmenter(filters=(4, 8), epochs=1, verbose=False, augment=False).fit(X, y)
    seg.save(tmp_path / "cae.safetensors")
    back = CAESegmenter.load(tmp_path / "cae.safetensors")
    assert back.filters == (4, 8)
    np.testing.assert_array_equal(back.predict_proba(X[:3]), seg.predict_proba(X[:3]))


# ---------------------------------------------------------------- networks


def test_architectures_by_name():
    from monai.networks import nets

    assert isinstance(build_network("unet", {"name": "course", "width": 4, "depth": 2}).net, UNet)
    assert isinstance(build_network("cae", {"name": "course", "filters": [4, 8]}).net, CAE)
    assert isinstance(build_network("unet", {"name": "monai", "width": 4, "depth": 2}).net.net, nets.UNet)
    assert isinstance(build_network("unet", {"name": "basic", "width": 4, "depth": 2}).net.net, nets.BasicUNet)
    assert isinstance(build_network("cae", {"name": "monai", "filters": [4, 8]}).net.net, nets.AutoEncoder)
    # format 1 files name the class of the course network
    assert isinstance(build_network("unet", {"name": "UNet", "width": 4, "depth": 2}).net, UNet)
    with pytest.raises(ValueError, match="architecture must be one of"):
        build_network("cae", {"name": "basic", "filters": [4]})
    with pytest.raises(ValueError, match="architecture must be one of"):
        UNetSegmenter(architecture="vnet").fit(np.zeros((4, 16, 16)), np.zeros((4, 16, 16), bool))


@pytest.mark.parametrize("kind, arch", [("unet", {"name": "monai", "width": 4, "depth": 3}),
                                        ("unet", {"name": "basic", "width": 4, "depth": 3}),
                                        ("cae", {"name": "monai", "filters": [4, 8, 16]})])
@pytest.mark.parametrize("shape", [(13, 21), (64, 64)])
def test_monai_networks_take_any_size(kind, arch, shape):
    torch.manual_seed(0)
    net = build_network(kind, arch).eval()
    with torch.no_grad():
        assert net(torch.zeros(2, 1, *shape)).shape == (2, 1, *shape)


# ---------------------------------------------------------------- loss


def test_loss_is_dice_plus_bce_over_the_whole_batch(rng):
    logits = torch.from_numpy(rng.standard_normal((3, 1, 8, 8)).astype(np.float32))
    target = torch.zeros(3, 1, 8, 8)
    target[0, 0, 2:4, 2:4] = 1  # a tiny lesion in one crop, none in the others
    p = torch.sigmoid(logits)
    # by hand: one Dice ratio over the batch (smoothing 1e-5), plus mean BCE
    dice_term = 1 - (2 * (p * target).sum() + 1e-5) / (p.sum() + target.sum() + 1e-5)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
    assert_allclose(float(_loss_fn("bce+dice")(logits, target)), float(dice_term + bce), rtol=1e-5)
    assert_allclose(float(_loss_fn("dice")(logits, target)), float(dice_term), rtol=1e-5)
    # an empty prediction is not a cheap way out on a batch with a tiny lesion
    empty = torch.full_like(logits, -20.0)
    assert float(_loss_fn("dice")(empty, target)) > 0.99


# ---------------------------------------------------------------- whole images


class _Pointwise(torch.nn.Module):
    multiple = 1

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 1, 1)
        with torch.no_grad():
            self.conv.weight.fill_(2.0)
            self.conv.bias.fill_(-1.0)

    def forward(self, x):
        return self.conv(x)


def _handmade(mean=0.4, std=0.2, size=(32, 32)):
    """A segmenter whose network is sigmoid(2 z - 1) on the normalised image z."""
    from pybridge._inputs import InputProfile

    est = UNetSegmenter(verbose=False)
    est.network_ = PadToMultiple(_Pointwise()).eval()
    est.device_ = torch.device("cpu")
    est.mean_, est.std_, est.threshold_ = mean, std, 0.5
    est.input_size_ = size
    est.input_profile_ = InputProfile("float32", 0.0, 1.0)
    est.history_ = {}
    return est


def test_sliding_windows_use_the_training_normalisation(rng):
    est = _handmade()
    img = rng.random((1, 150, 210)).astype(np.float32)
    expected = 1 / (1 + np.exp(-(2 * (img - 0.4) / 0.2 - 1)))  # by hand
    assert_allclose(est.predict_proba(img), expected, rtol=0, atol=1e-6)


def test_sliding_windows_match_the_whole_image_pass(rng):
    # a network with a receptive field: windows agree with one pass over the whole image
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.Tanh(),
                              torch.nn.Conv2d(2, 1, 3, padding=1)).eval()
    X = torch.from_numpy(rng.standard_normal((1, 1, 90, 120)).astype(np.float32))
    with torch.no_grad():
        whole = torch.sigmoid(net(X))[:, 0].numpy()
    # half-window overlap (the estimators' default): seams fall in the centre of another window
    got = tiled_probabilities(net, X, tile=32, overlap=16, device=torch.device("cpu"))
    inner = (slice(None), slice(4, -4), slice(4, -4))  # the reflect padding differs at the border
    assert_allclose(got[inner], whole[inner], atol=0.02)


def test_keep_overlapping_hand_worked():
    m = np.zeros((10, 10), bool)
    m[0:2, 0:2] = True  # outside the ROI
    m[4:9, 4:6] = True  # crosses the ROI's edge: kept whole
    m[9, 6] = True  # diagonal neighbour of the second: same 8-connected component
    kept = keep_overlapping(m, (3, 3, 6, 6))
    expected = m.copy()
    expected[0:2, 0:2] = False
    assert_array_equal(kept, expected)
    assert_array_equal(keep_overlapping(m, (3, 3, 6, 6), connectivity=4)[9, 6], False)
    both = keep_overlapping(np.stack([m, m]), [(0, 0, 1, 1), (3, 3, 6, 6)])
    assert both[0].sum() == 4 and both[1].sum() == expected.sum()
    with pytest.raises(ValueError, match="not inside"):
        keep_overlapping(m, (0, 0, 11, 5))
    with pytest.raises(ValueError, match="one per mask"):
        keep_overlapping(np.stack([m, m]), [(0, 0, 1, 1)] * 3)


def test_predict_with_roi_keeps_the_lesion_it_marks():
    # the window round the ROI (1.5 x its 30-pixel side) is 45 x 45: the training size here,
    # so the resampling is the identity and the expected mask can be worked by hand
    est = _handmade(size=(45, 45))
    img = np.full((1, 100, 100), 0.3, np.float32)
    img[0, 10:20, 10:20] = 0.9  # a bright distractor
    img[0, 60:75, 60:80] = 0.9  # the marked lesion
    img[0, 67, 80:95] = 0.9  # bright tissue touching it, reaching out of the ROI
    assert est.predict(img)[0].sum() == 100 + 300 + 15
    with_roi = est.predict(img, roi=(55, 55, 80, 85))[0]
    expected = np.zeros((100, 100), bool)
    expected[60:75, 60:80] = True
    expected[67, 80:85] = True  # inside the ROI only
    assert_array_equal(with_roi, expected)
    # the window sits at rows 45-89, columns 48-92: nothing outside it is lesion
    proba = est.predict_roi_proba(img, (55, 55, 80, 85))[0]
    assert not proba[:45].any() and not proba[:, :48].any() and not proba[90:].any()
    # keep_overlapping alone keeps the touching component whole
    whole = keep_overlapping(est.predict(img)[0], (55, 55, 80, 85))
    assert whole.sum() == 315 and not whole[10:20, 10:20].any()


def test_roi_window_has_the_training_images_shape():
    # trained on 30 x 60 images: a 20 x 20 ROI gets a 30 x 60 window (1.5 x the 20 x 40
    # window of that shape holding it), centred: rows 35-64, columns 20-79 (worked by hand)
    est = _handmade(size=(30, 60))
    img = np.full((1, 100, 100), 0.3, np.float32)
    img[0, 45:55, 45:55] = 0.9
    proba = est.predict_roi_proba(img, (40, 40, 60, 60))[0]
    inside = np.zeros((100, 100), bool)
    inside[35:65, 20:80] = True
    assert (proba[inside] > 0).all() and not proba[~inside].any()
    # the window equals the training size: no resampling, the lesion's pixels exactly
    assert_array_equal(np.argwhere(est.predict(img, roi=(40, 40, 60, 60))[0]).min(0), [45, 45])
    assert est.predict(img, roi=(40, 40, 60, 60))[0].sum() == 100


def test_roi_window_mirrors_at_the_border_as_numpy_pad():
    from pybridge.segmentation._estimators import _mirror_index

    assert_array_equal(np.arange(5)[_mirror_index(np.arange(-3, 8), 5)],
                       np.pad(np.arange(5), 3, mode="symmetric"))
    assert_array_equal(np.arange(3)[_mirror_index(np.arange(-7, 10), 3)],
                       np.pad(np.arange(3), 7, mode="symmetric"))


def test_roi_window_brings_the_window_to_the_training_contrast(rng):
    # the same lesion at a tenth of the contrast, in a darker image: the window is
    # standardised to the training images' mean and contrast before the network
    est = _handmade(size=(45, 45))
    est.image_std_ = 0.2
    img = np.full((1, 100, 100), 0.3, np.float32)
    img[0, 60:75, 60:80] = 0.9
    faint = 0.1 + 0.1 * img
    roi = (55, 55, 80, 85)
    assert_allclose(est.predict_roi_proba(faint, roi), est.predict_roi_proba(img, roi), atol=1e-5)
    assert_array_equal(est.predict(faint, roi=roi), est.predict(img, roi=roi))
    with pytest.raises(ValueError, match="not inside"):
        est.predict(img, roi=(0, 0, 101, 5))


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_crop_trained_unet_segments_whole_mammograms_with_an_roi():
    # trained on 32 x 32 crops; the mammograms' lesions are 1.5-3 times larger than
    # the crops' and sit in tissue of another texture and range: the exact masks judge
    from pybridge.datasets import mammogram

    train = masses(160, size=32, seed=21)
    seg = UNetSegmenter(random_state=0, verbose=False, epochs=25).fit(train["images"], train["masks"])
    crop = seg.score(*(lambda t: (t["images"], t["masks"]))(masses(40, size=32, seed=22)))
    got, plain = [], []
    for k in range(3):
        m = mammogram(size=384, seed=50 + k)
        got.append(dice(seg.predict(m["image"][None], roi=m["roi"])[0], m["mask"]))
        # the windows at the image's own scale, only what overlaps the ROI kept
        native = keep_overlapping(seg.predict_proba(m["image"][None]) > seg.threshold_, m["roi"], clip=True)
        plain.append(dice(native[0], m["mask"]))
    assert np.mean(got) > crop - 0.1, (np.mean(got), crop)
    assert np.mean(got) > np.mean(plain), (got, plain)


# ---------------------------------------------------------------- input checks


def test_uint8_converted_colour_and_empty_refused(rng):
    est = _handmade()
    img = rng.random((1, 40, 40)).astype(np.float32)
    img8 = (img * 255).round().astype(np.uint8)
    assert_allclose(est.predict_proba(img8), est.predict_proba(img8 / 255.0), atol=1e-6)
    with pytest.raises(ValueError, match="divide by 255"):
        est.predict(img8.astype(np.float64))
    with pytest.raises(ValueError, match="rgb2gray"):
        est.predict(np.repeat(img[0, ..., None], 3, axis=-1))
    with pytest.raises(ValueError, match="0 x 0 pixels"):
        est.predict(np.zeros((1, 0, 0), np.float32))
    with pytest.raises(ValueError, match="0 x 5 pixels"):
        est.predict(np.zeros((1, 0, 5), np.float32))


# ---------------------------------------------------------------- files of the earlier format


@pytest.mark.parametrize("name, cls", [("unet", UNetSegmenter), ("cae", CAESegmenter)])
def test_models_saved_by_the_earlier_version_still_load(name, cls):
    est = load(DATA / f"{name}_v1.safetensors")
    assert isinstance(est, cls) and est.architecture == "course" and est.random_state == 0
    assert est.tile == 256  # what that model was saved with
    X = np.load(DATA / "seg_v1_images.npy")
    assert_allclose(est.predict_proba(X), np.load(DATA / f"{name}_v1_proba.npy"), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- training


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_tiny_monai_unet_learns_and_saves(tmp_path, capsys):
    train, test = masses(64, size=32, seed=11), masses(24, size=32, seed=12)
    seg = UNetSegmenter(width=8, depth=2, epochs=8, batch_size=8, lr=3e-3)
    seg.fit(train["images"], train["masks"])
    err = capsys.readouterr().err
    assert "UNetSegmenter:" in err and "val_dice=" in err  # the progress line
    trivial = np.mean(dice(np.ones_like(test["masks"]), test["masks"], batch=True))
    assert seg.score(test["images"], test["masks"]) > max(0.6, trivial + 0.3)
    seg.save(tmp_path / "m.safetensors")
    back = load(tmp_path / "m.safetensors")
    assert back.input_size_ == (32, 32) and back.input_profile_ == seg.input_profile_
    assert_array_equal(back.predict_proba(test["images"]), seg.predict_proba(test["images"]))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_warns_when_no_better_than_chance():
    rng = np.random.default_rng(0)
    X = rng.random((40, 16, 16)).astype(np.float32)
    y = rng.random((40, 16, 16)) < 0.5  # masks unrelated to the images
    with pytest.warns(NoBetterThanChanceWarning, match="no better than chance"):
        CAESegmenter(filters=(4, 8), epochs=1, verbose=False, augment=False).fit(X, y)


def test_errors_name_the_fix():
    with pytest.raises(PyBridgeError, match="not trained"):
        CAESegmenter().predict(np.zeros((1, 16, 16)))
    with pytest.raises(ValueError, match="tile must be"):
        UNetSegmenter(tile=8).fit(np.zeros((4, 16, 16)), np.zeros((4, 16, 16), bool))
