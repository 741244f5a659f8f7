"""pybridge.xai on pybridge's own estimators (CNNClassifier, segmenters) through their protocol."""

from __future__ import annotations

import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal

from pybridge import xai
from pybridge.datasets import microcalcifications
from pybridge.xai._model import Explained

classification = pytest.importorskip("pybridge.classification")


@pytest.fixture(scope="module")
def fitted():
    d = microcalcifications(48, seed=3)
    clf = classification.CNNClassifier(epochs=2, seed=0, progress=False)
    clf.fit(d["images"], d["labels"])
    return clf, d


@pytest.mark.timeout(300)
def test_gradcam_on_cnn_classifier_matches_captum(fitted):
    from captum.attr import LayerAttribution, LayerGradCam

    clf, d = fitted
    X = d["images"][:6]
    net = clf.network_
    x = clf.to_tensor(X)
    layer = dict(net.named_modules())["blocks.2.2"]  # ReLU of the last conv block
    grads = [None if p.grad is None else p.grad.clone() for p in net.parameters()]
    for k in (0, 1):
        ours = xai.gradcam(clf, X, target=k)
        assert not net.training
        for p, g in zip(net.parameters(), grads, strict=True):  # .grad left as fit left it
            assert (p.grad is None and g is None) or torch.equal(p.grad, g)
        if k == 1:
            attr = LayerGradCam(net, layer).attribute(x, target=0, relu_attributions=True)
        else:
            neg = torch.nn.Sequential(net, torch.nn.Identity())
            neg.forward = lambda t: -net(t)  # class 0 = the negated logit
            attr = LayerGradCam(neg, layer).attribute(x, target=0, relu_attributions=True)
        ref = LayerAttribution.interpolate(attr, (60, 60), interpolate_mode="bilinear")
        assert_allclose(ours, ref[:, 0].detach().numpy(), atol=1e-5, rtol=1e-5)


@pytest.mark.timeout(300)
def test_saliency_occlusion_on_cnn_classifier(fitted):
    clf, d = fitted
    X = d["images"][:3]
    s = xai.saliency(clf, X, smooth=2)
    o = xai.occlusion(clf, X, window=10, stride=10)
    assert s.shape == o.shape == (3, 60, 60)
    # occlusion of the estimator = occlusion of its network on to_tensor's input
    assert_allclose(o, xai.occlusion(clf.network_, clf.to_tensor(X), window=10, stride=10))


@pytest.mark.timeout(300)
def test_nearest_examples_use_embed(fitted):
    from sklearn.neighbors import NearestNeighbors

    clf, d = fitted
    train, query = d["images"][6:], d["images"][:4]
    emb = clf.embed(train)
    dist, idx = NearestNeighbors(n_neighbors=3).fit(emb).kneighbors(clf.embed(query))
    res = xai.nearest_examples(clf, query, train, k=3, train_labels=d["labels"][6:])
    assert_array_equal(res["indices"], idx)
    assert_allclose(res["distances"], dist, rtol=1e-4, atol=1e-5)
    assert_array_equal(res["labels"], d["labels"][6:][idx])


def test_permutation_importance_refuses_image_models(fitted):
    clf, d = fitted
    with pytest.raises(TypeError, match="gradcam, saliency or occlusion"):
        xai.permutation_importance(clf, d["images"], d["labels"])


@pytest.mark.timeout(300)
def test_gradcam_on_unet_segmenter_explains_its_predicted_mask():
    from captum.attr import LayerAttribution, LayerGradCam

    segmentation = pytest.importorskip("pybridge.segmentation")
    from pybridge.datasets import masses

    d = masses(12, size=32, seed=0)
    seg = segmentation.UNetSegmenter(width=4, depth=2, epochs=1, seed=0, progress=False)
    seg.fit(d["images"], d["masks"])
    X = d["images"][:3]
    maps = xai.gradcam(seg, X)
    assert maps.shape == (3, 32, 32)
    # reference: captum on the sum of the logits inside the estimator's own predicted mask
    pred = seg.predict_proba(X) > seg.threshold_
    pred[~pred.reshape(3, -1).any(1)] = True
    region = torch.from_numpy(pred).float()
    net = seg.network_

    class RegionScore(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x):
            return (self.net(x)[:, 0] * region).flatten(1).sum(1, keepdim=True)

    default_name = next(n for n, m in net.named_modules() if m is Explained(seg).layer(None))
    layer = dict(net.named_modules())[default_name]
    attr = LayerGradCam(RegionScore(), layer).attribute(
        seg.to_tensor(X), target=0, relu_attributions=True
    )
    ref = LayerAttribution.interpolate(attr, (32, 32), interpolate_mode="bilinear")[:, 0]
    assert_allclose(maps, ref.detach().numpy(), atol=1e-5, rtol=1e-4)
