"""Example-based explanation: the training cases a model finds most alike."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._errors import PyBridgeError

__all__ = ["nearest_examples"]


def _module_features(net: Any, X: Any, batch_size: int) -> np.ndarray:
    """Penultimate features of a torch network (N, D)."""
    import torch

    from ._model import Explained, batches, evaluating

    model_ = Explained(net)
    net = model_.network
    x_all = model_.tensor(X)
    if callable(getattr(net, "embed", None)):
        grab = None
    else:
        linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
        grab = linears[-1] if linears else model_.layer(None)
    feats: list[torch.Tensor] = []
    handle = None
    if isinstance(grab, torch.nn.Linear):  # the input of the last dense layer
        handle = grab.register_forward_pre_hook(lambda _m, inp: feats.append(inp[0].flatten(1)))
    elif grab is not None:  # no dense layer: global average pool of the last conv layer
        handle = grab.register_forward_hook(lambda _m, _i, out: feats.append(out.mean(dim=(2, 3))))
    try:
        with evaluating(net), torch.no_grad():
            for sl in batches(x_all.shape[0], batch_size):
                if grab is None:
                    feats.append(net.embed(x_all[sl]).flatten(1))
                else:
                    net(x_all[sl])
    finally:
        if handle is not None:
            handle.remove()
    if len(feats) != len(range(0, x_all.shape[0], batch_size)):
        raise PyBridgeError(
            "the feature layer ran more or less than once per forward pass; pass a model "
            "with an embed method"
        )
    return torch.cat(feats).float().cpu().numpy()


def _embedding(model: Any, X: Any, batch_size: int) -> np.ndarray:
    """Where ``model`` places the images ``X``: (N, D)."""
    import torch

    if isinstance(model, torch.nn.Module):
        return _module_features(model, X, batch_size)
    if callable(getattr(model, "embed", None)):
        return np.asarray(model.embed(X))
    if hasattr(model, "pipeline_") and callable(getattr(model, "features", None)):
        # traditional baseline: the features as its final estimator sees them (scaled)
        F = np.asarray(model.features(X))
        pipe = model.pipeline_
        return np.asarray(pipe[:-1].transform(F)) if len(pipe) > 1 else F
    if hasattr(model, "network_") and hasattr(model, "to_tensor"):
        return _module_features(model, X, batch_size)
    if hasattr(model, "predict"):  # a scikit-learn estimator over feature vectors
        from sklearn.pipeline import Pipeline

        F = np.asarray(X)
        return np.asarray(model[:-1].transform(F)) if isinstance(model, Pipeline) else F
    raise TypeError(
        "model must be a torch.nn.Module, a fitted pybridge estimator (CNNClassifier with "
        f"embed, TraditionalClassifier) or a scikit-learn estimator; got {type(model).__name__}"
    )


def nearest_examples(
    model: Any,
    image: Any,
    train_images: Any,
    *,
    k: int = 5,
    train_labels: Any = None,
    metric: str = "euclidean",
    batch_size: int = 256,
) -> dict[str, Any]:
    """The ``k`` training cases closest to ``image`` in the model's feature space.

    An explanation by example ("this patch looks, to the model, like these
    training patches, of which 4 of 5 were malignant"). The feature space is
    the CNN's penultimate layer (``embed``; for a plain network the input of
    its last ``Linear`` layer, or the global-average-pooled last conv layer
    when there is none), or the traditional baseline's scaled features.

    Parameters
    ----------
    model : pybridge estimator, torch.nn.Module or scikit-learn estimator
    image : array-like of shape (H, W) or (C, H, W); or a batch (M, ...)
        One image (one fewer axis than ``train_images``) or several.
    train_images : array-like of shape (N, H, W) or (N, C, H, W)
        For a scikit-learn estimator: feature vectors (N, F), and ``image``
        (F,) or (M, F).
    k : int, default 5
    train_labels : array-like of shape (N,), optional
        Returned for the neighbours as ``labels``.
    metric : {'euclidean', 'cosine'}, default 'euclidean'
    batch_size : int, default 256

    Returns
    -------
    dict
        ``indices`` (0-based rows of ``train_images``), ``distances`` and
        ``labels`` (None without ``train_labels``), each of shape (k,) for
        one image or (M, k) for a batch, nearest first (ties: lower index
        first).

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 3), torch.nn.Linear(3, 1))
    >>> train = np.arange(24, dtype=np.float32).reshape(6, 1, 2, 2)
    >>> res = nearest_examples(net, train[2], train, k=3, train_labels=[0, 0, 1, 1, 0, 1])
    >>> int(res["indices"][0]), int(res["labels"][0]), float(res["distances"][0])
    (2, 1, 0.0)
    """
    from scipy.spatial.distance import cdist

    if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
        raise ValueError(f"'k' must be a positive int; got {k!r}")
    if metric not in ("euclidean", "cosine"):
        raise ValueError(f"'metric' must be 'euclidean' or 'cosine'; got {metric!r}")
    train = train_images if hasattr(train_images, "ndim") else np.asarray(train_images)
    query = image if hasattr(image, "ndim") else np.asarray(image)
    single = query.ndim == train.ndim - 1
    if single:
        query = query[None]
    if query.ndim != train.ndim or tuple(query.shape[1:]) != tuple(train.shape[1:]):
        raise ValueError(
            f"image must have the shape of one training image {tuple(train.shape[1:])} (or a "
            f"batch of them); got shape {tuple(image.shape)}"
        )
    n = train.shape[0]
    if k > n:
        raise ValueError(f"k = {k} but there are only {n} training images")
    labels = None
    if train_labels is not None:
        labels = np.asarray(train_labels).ravel()
        if len(labels) != n:
            raise ValueError(f"{len(labels)} train_labels for {n} training images")
    f_train = _embedding(model, train, batch_size).astype(np.float64)
    f_query = _embedding(model, query, batch_size).astype(np.float64)
    d = cdist(f_query, f_train, metric=metric)
    idx = np.argsort(d, axis=1, kind="stable")[:, :k]
    dist = np.take_along_axis(d, idx, axis=1)
    out = {
        "indices": idx,
        "distances": dist,
        "labels": None if labels is None else labels[idx],
    }
    if single:
        out = {key: None if v is None else v[0] for key, v in out.items()}
    return out
