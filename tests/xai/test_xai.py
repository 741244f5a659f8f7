"""pybridge.xai image explainers against captum and MONAI, and their contracts."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from pybridge import xai
from pybridge._errors import PyBridgeError

# --------------------------------------------------------------------------
# tiny models
# --------------------------------------------------------------------------


class TinyCNN(torch.nn.Module):
    """Course-like CNN: conv blocks with batch norm and dropout, one sigmoid output."""

    def __init__(self, n_out: int = 1, inplace: bool = False):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 6, 3, padding=1),
            torch.nn.BatchNorm2d(6),
            torch.nn.ReLU(inplace=inplace),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(6, 8, 3, padding=1),
            torch.nn.ReLU(inplace=inplace),
        )
        self.head = torch.nn.Sequential(
            torch.nn.AdaptiveAvgPool2d(1),
            torch.nn.Flatten(),
            torch.nn.Dropout(0.3),
            torch.nn.Linear(8, n_out),
        )

    def forward(self, x):
        return self.head(self.features(x))


class TwoColumn(torch.nn.Module):
    """The same single-sigmoid model written with two columns: [-logit, logit]."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        z = self.net(x)
        return torch.cat([-z, z], dim=1)


class TinySegmenter(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Conv2d(1, 6, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.Conv2d(6, 6, 3, padding=1),
            torch.nn.ReLU(),
        )
        self.out = torch.nn.Conv2d(6, 1, 1)

    def forward(self, x):
        return self.out(self.body(x))


def _net(seed: int, **kw) -> torch.nn.Module:
    torch.manual_seed(seed)
    net = TinyCNN(**kw)
    # non-trivial batch-norm statistics, so eval and train modes differ
    net.features[1].running_mean.uniform_(-0.2, 0.2)
    net.features[1].running_var.uniform_(0.5, 1.5)
    return net.eval()


@pytest.fixture
def images(rng) -> np.ndarray:
    return rng.random((5, 1, 20, 20), dtype=np.float32)


def _captum_gradcam(net, layer, x, target):
    from captum.attr import LayerAttribution, LayerGradCam

    attr = LayerGradCam(net, layer).attribute(x, target=target, relu_attributions=True)
    return (
        LayerAttribution.interpolate(attr, tuple(x.shape[-2:]), interpolate_mode="bilinear")[:, 0]
        .detach()
        .numpy()
    )


def _monai_gradcam(net, layer_name, x, class_idx):
    from monai.visualize import GradCAM

    net = copy.deepcopy(net)  # MONAI leaves its hooks on the model it is given
    cam = GradCAM(net, target_layers=layer_name, postprocessing=lambda m: m)
    with warnings.catch_warnings():
        # torch notes that MONAI's full backward hook sees no input gradients
        warnings.filterwarnings("ignore", message="Full backward hook", category=UserWarning)
        return cam(x, class_idx=class_idx)[:, 0].detach().numpy()


# --------------------------------------------------------------------------
# Grad-CAM agreement
# --------------------------------------------------------------------------


@pytest.mark.parametrize("layer_name", ["features.4", "features.0", "features.2"])
def test_gradcam_matches_captum(layer_name, images):
    net = _net(1)
    x = torch.from_numpy(images)
    layer = dict(net.named_modules())[layer_name]
    ours = xai.gradcam(net, images, target=1, layer=layer_name)
    ref = _captum_gradcam(net, layer, x, target=0)  # column 0 is the logit of class 1
    assert_allclose(ours, ref, atol=1e-5, rtol=1e-5)
    # class 0 through the two-column form; one of the two maps is non-zero
    ours0 = xai.gradcam(net, images, target=0, layer=layer_name)
    ref0 = _captum_gradcam(TwoColumn(net), layer, x, target=0)
    assert_allclose(ours0, ref0, atol=1e-5, rtol=1e-5)
    assert ref.max() > 0 or ref0.max() > 0


def test_gradcam_matches_monai_on_two_class_model(images):
    net = TwoColumn(_net(2))
    x = torch.from_numpy(images)
    for k in (0, 1):
        ours = xai.gradcam(net, images, target=k, layer="net.features.4")
        ref = _monai_gradcam(net, "net.features.4", x, class_idx=k)
        assert_allclose(ours, ref, atol=1e-5, rtol=1e-5)


def test_class0_of_single_sigmoid_is_negated_logit(images):
    """Class 0 of a one-output model = the negated logit, checked by MONAI on [-z, z]."""
    single = _net(3)
    both = TwoColumn(single)
    x = torch.from_numpy(images)
    ours0 = xai.gradcam(single, images, target=0, layer="features.4")
    ref0 = _monai_gradcam(both, "net.features.4", x, class_idx=0)
    assert_allclose(ours0, ref0, atol=1e-5, rtol=1e-5)
    # and it is not the class-1 map
    ours1 = xai.gradcam(single, images, target=1, layer="features.4")
    assert not np.allclose(ours0, ours1)


def test_gradcam_default_target_is_predicted_class(images):
    net = _net(4)
    with torch.no_grad():
        pred = (net(torch.from_numpy(images))[:, 0] > 0).long().numpy()
    assert_allclose(xai.gradcam(net, images), xai.gradcam(net, images, target=pred), rtol=0, atol=0)
    # the two-column model's argmax is the same class: compare with captum per image
    x = torch.from_numpy(images)
    ref = _captum_gradcam(
        TwoColumn(net), TwoColumn(net).net.features[5], x, target=[int(p) for p in pred]
    )
    assert_allclose(xai.gradcam(net, images), ref, atol=1e-5, rtol=1e-5)


def test_gradcam_default_layer_is_last_conv_block_output(images):
    net = _net(5)  # features: conv, bn, relu, pool, conv, relu
    default = xai.gradcam(net, images, target=1)
    assert_allclose(default, xai.gradcam(net, images, target=1, layer="features.5"))
    assert_allclose(default, xai.gradcam(net, images, target=1, layer=net.features[5]))
    ref = _captum_gradcam(net, net.features[5], torch.from_numpy(images), target=0)
    assert_allclose(default, ref, atol=1e-5, rtol=1e-5)

    # a conv that is not in a Sequential: the conv itself
    class Plain(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 3, 3)
            self.fc = torch.nn.Linear(3, 1)

        def forward(self, x):
            return self.fc(torch.relu(self.conv(x)).mean((2, 3)))

    plain = Plain()
    assert_allclose(
        xai.gradcam(plain, images, target=1), xai.gradcam(plain, images, target=1, layer="conv")
    )


def test_gradcam_batched_equals_one_by_one(images):
    net = _net(6)
    whole = xai.gradcam(net, images, target=1, batch_size=2)
    single = np.stack([xai.gradcam(net, images[i : i + 1], target=1)[0] for i in range(5)])
    assert_allclose(whole, single, atol=1e-6)


def test_gradcam_in_place_relu(images):
    net = _net(7, inplace=True)
    x = torch.from_numpy(images)
    ref = _captum_gradcam(net, net.features[4], x, target=0)
    ours = xai.gradcam(net, images, target=1, layer="features.4")
    assert_allclose(ours, ref, atol=1e-5, rtol=1e-5)


def test_gradcam_three_dim_input_is_one_channel(images):
    net = _net(8)
    assert_allclose(xai.gradcam(net, images[:, 0], target=1), xai.gradcam(net, images, target=1))


def test_gradcam_normalize(images):
    net = _net(9)
    raw = xai.gradcam(net, images, target=1)
    norm = xai.gradcam(net, images, target=1, normalize=True)
    peak = raw.reshape(len(raw), -1).max(1)
    expected = np.where(
        peak[:, None, None] > 0, raw / np.where(peak > 0, peak, 1)[:, None, None], 0
    )
    assert_allclose(norm, expected, rtol=1e-6)


def test_gradcam_segmenter_region_matches_captum(rng):
    torch.manual_seed(10)
    seg = TinySegmenter().eval()
    img = rng.random((3, 1, 16, 16), dtype=np.float32)
    region = np.zeros((16, 16), bool)
    region[4:10, 5:12] = True

    class RegionScore(torch.nn.Module):  # reference: sum of logits in region as a 1-column model
        def __init__(self, seg, region):
            super().__init__()
            self.seg = seg
            self.region = torch.from_numpy(region).float()

        def forward(self, x):
            return (self.seg(x)[:, 0] * self.region).flatten(1).sum(1, keepdim=True)

    wrapped = RegionScore(seg, region)
    ref = _captum_gradcam(wrapped, seg.body[2], torch.from_numpy(img), target=0)
    ours = xai.gradcam(seg, img, target=region, layer="body.2")
    assert_allclose(ours, ref, atol=1e-5, rtol=1e-5)
    # default layer: the block output of the last conv with more than one channel
    # (body.3, the ReLU after body.2; not the 1 x 1 head)
    assert_allclose(
        xai.gradcam(seg, img, target=region), xai.gradcam(seg, img, target=region, layer="body.3")
    )
    # default region: the predicted mask
    with torch.no_grad():
        pred = (seg(torch.from_numpy(img))[:, 0] > 0).numpy()
    pred[~pred.reshape(3, -1).any(1)] = True
    assert_allclose(xai.gradcam(seg, img), xai.gradcam(seg, img, target=pred), atol=1e-6)


# --------------------------------------------------------------------------
# no lasting change to the model
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "explain",
    [
        lambda m, x: xai.gradcam(m, x),
        lambda m, x: xai.saliency(m, x, smooth=2),
        lambda m, x: xai.occlusion(m, x, window=5, stride=5),
    ],
    ids=["gradcam", "saliency", "occlusion"],
)
@pytest.mark.parametrize("mode", ["train", "eval", "mixed"])
def test_model_left_unchanged(explain, mode, images):
    net = _net(11)
    net.train(mode == "train")
    if mode == "mixed":
        net.features[1].train()
    net.head[3].weight.requires_grad_(False)
    modes = [m.training for m in net.modules()]
    flags = [p.requires_grad for p in net.parameters()]
    state = {k: v.clone() for k, v in net.state_dict().items()}
    explain(net, images)
    assert [m.training for m in net.modules()] == modes
    assert [p.requires_grad for p in net.parameters()] == flags
    assert all(p.grad is None for p in net.parameters())
    for k, v in net.state_dict().items():
        assert torch.equal(v, state[k]), k
    assert not any(m._forward_hooks or m._backward_hooks for m in net.modules())
    assert torch.is_grad_enabled()


def test_explained_in_eval_mode_even_if_model_trains(images):
    net = _net(12)
    expected = xai.gradcam(net, images, target=1)
    net.train()
    assert_allclose(xai.gradcam(net, images, target=1), expected, atol=0)


def test_grad_mode_restored_under_no_grad(images):
    net = _net(13)
    with torch.no_grad():
        maps = xai.gradcam(net, images, target=1)
        assert not torch.is_grad_enabled()
    assert_allclose(maps, xai.gradcam(net, images, target=1))


# --------------------------------------------------------------------------
# saliency and occlusion
# --------------------------------------------------------------------------


def test_saliency_matches_captum(images):
    from captum.attr import Saliency

    net = _net(14)
    ref = Saliency(net).attribute(torch.from_numpy(images).requires_grad_(True), target=0, abs=True)
    assert_allclose(xai.saliency(net, images, target=1), ref[:, 0].numpy(), atol=1e-6)
    # class 0 of the single sigmoid: the gradient flips sign, the absolute value does not
    assert_allclose(xai.saliency(net, images, target=0), ref[:, 0].numpy(), atol=1e-6)


def test_smoothgrad_on_linear_model_is_the_weights(rng):
    """A linear model's gradient is its weights wherever the noise takes the input."""
    torch.manual_seed(15)
    lin = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 1))
    x = rng.random((2, 1, 8, 8), dtype=np.float32)
    expected = np.abs(lin[1].weight.detach().numpy().reshape(8, 8))
    for smooth in (0, 5):
        got = xai.saliency(lin, x, smooth=smooth, target=1)
        assert_allclose(got, np.broadcast_to(expected, got.shape), rtol=1e-6)


def test_smoothgrad_is_seeded_and_averages(images):
    net = _net(16)
    a = xai.saliency(net, images, smooth=4, seed=3)
    assert_allclose(a, xai.saliency(net, images, smooth=4, seed=3))
    assert not np.allclose(a, xai.saliency(net, images, smooth=4, seed=4))
    # noise=0: every copy is the clean image
    assert_allclose(
        xai.saliency(net, images, smooth=3, noise=0.0), xai.saliency(net, images), rtol=1e-5
    )


def test_saliency_multichannel_takes_channel_max(rng):
    torch.manual_seed(17)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.Flatten(), torch.nn.Linear(4 * 36, 1)
    )
    x = rng.random((2, 3, 6, 6), dtype=np.float32)
    xt = torch.from_numpy(x).requires_grad_(True)
    (g,) = torch.autograd.grad(net(xt).sum(), xt)
    assert_allclose(xai.saliency(net, x, target=1), g.abs().amax(1).numpy(), rtol=1e-6)


@pytest.mark.parametrize("window,stride", [(4, 4), (5, 3), ((3, 6), (2, 5))])
def test_occlusion_matches_captum(window, stride, images):
    from captum.attr import Occlusion

    net = _net(18)
    w = window if isinstance(window, tuple) else (window, window)
    s = stride if isinstance(stride, tuple) else (stride, stride)
    ref = Occlusion(net).attribute(
        torch.from_numpy(images),
        sliding_window_shapes=(1, *w),
        strides=(1, *s),
        baselines=0.25,
        target=0,
    )
    ours = xai.occlusion(net, images, window=window, stride=stride, fill=0.25, target=1)
    assert_allclose(ours, ref[:, 0].numpy(), atol=1e-5)


def test_occlusion_hand_worked():
    """Linear model y = sum(w * x): masking a window with 0 drops the score by sum(w * x) there."""
    lin = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 1, bias=False))
    with torch.no_grad():
        lin[1].weight.copy_(torch.arange(16.0).view(1, 16))
    x = np.ones((1, 1, 4, 4), np.float32)
    got = xai.occlusion(lin, x, window=2, stride=2, target=1)[0]
    w = np.arange(16.0).reshape(4, 4)
    blocks = w.reshape(2, 2, 2, 2).sum(axis=(1, 3))  # drop of each 2 x 2 window
    assert_allclose(got, np.kron(blocks, np.ones((2, 2))))


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------


def test_errors(images):
    net = _net(19)
    with pytest.raises(ValueError, match="no layer named 'features.44'.*did you mean"):
        xai.gradcam(net, images, layer="features.44")
    with pytest.raises(ValueError, match="0 or 1"):
        xai.gradcam(net, images, target=2)
    with pytest.raises(TypeError, match="torch.nn.Module or a fitted pybridge estimator"):
        xai.gradcam(object(), images)
    with pytest.raises(ValueError, match="N x K x h x w"):
        xai.gradcam(net, images, layer="head.3")
    with pytest.raises(ValueError, match="smooth"):
        xai.saliency(net, images, smooth=-1)
    with pytest.raises(ValueError, match="window"):
        xai.occlusion(net, images, window=0)
    with pytest.raises(ValueError, match="larger than the images"):
        xai.occlusion(net, images, window=30)
    with pytest.raises(ValueError, match="N x C x H x W"):
        xai.gradcam(net, np.zeros(5, np.float32))

    class Unused(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.side = torch.nn.Conv2d(1, 2, 3)
            self.main = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(400, 1))

        def forward(self, x):
            self.side(x)
            return self.main(x)

    with pytest.raises(PyBridgeError, match="does not depend"):
        xai.gradcam(Unused(), images, layer="side")


def test_unfitted_estimator_is_refused(images):
    class Est:
        network_ = None

        def fit(self, X, y):
            return self

        def to_tensor(self, X):
            return torch.as_tensor(X)

    with pytest.raises(ValueError, match="not fitted"):
        xai.gradcam(Est(), images)
