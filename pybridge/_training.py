"""Torch utilities shared by every pybridge estimator (classifiers and segmenters).

- :func:`resolve_device`: ``None``/``"auto"`` -> CUDA when torch sees one, else CPU.
- :func:`seed_everything`: seed torch (CPU and CUDA) and Python's ``random``.
- :func:`fit_network`: the one training loop: train/validation split
  (stratified when labels are given), mini-batches from a seeded generator,
  on-the-fly augmentation, early stopping on the validation loss or a
  validation metric with the best weights restored, ``ReduceLROnPlateau``, an
  optional exponential moving average of the weights (torch's
  ``AveragedModel``), a
  progress bar showing the loss and the validation metric
  (:func:`pybridge._progress.progress`) that ``progress=False`` silences, and a
  history of per-epoch values.
- :func:`predict_batches`: inference in eval mode, batch by batch.
- :func:`save_model` / :func:`load_model`: weights in safetensors with a JSON
  metadata record (architecture options, preprocessing, classes...) in the
  same file. Loading never executes code (no pickle).

torch is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._errors import PyBridgeError
from ._jsonable import json_default

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "resolve_device",
    "seed_everything",
    "split_train_val",
    "fit_network",
    "predict_batches",
    "save_model",
    "save_tensors",
    "load_model",
    "upgrade_params",
    "load_weights",
    "effective_seed",
    "show_progress",
    "check_chance",
    "check_average",
    "NoBetterThanChanceWarning",
    "FORMAT_VERSION",
]

#: Version of the file layout written by :func:`save_model`. 2: estimators
#: gained ``architecture``, ``random_state`` (``seed`` kept as an alias),
#: ``monitor`` and the training images' class and value range; files of
#: format 1 load as the course architectures they hold.
FORMAT_VERSION = 2
_META_KEY = "pybridge"


class NoBetterThanChanceWarning(UserWarning):
    """A fit ended no better than chance on its own validation split.

    The model learned nothing it can show on held-out data: more data, more
    epochs, clearer lesions or another learning rate may help; its
    predictions should not be trusted.
    """


def effective_seed(random_state: Any, seed: Any) -> int | None:
    """The seed an estimator uses: ``seed`` (the older name) when given, else ``random_state``.

    Examples
    --------
    >>> effective_seed(0, None), effective_seed(0, 7), effective_seed(None, None)
    (0, 7, None)
    """
    value = random_state if seed is None else seed
    if value is None:
        return None
    if isinstance(value, np.random.RandomState | np.random.Generator):
        raise TypeError(
            "random_state must be an int or None for pybridge's estimators (torch draws its own "
            f"numbers); got a {type(value).__name__}"
        )
    if isinstance(value, bool) or int(value) != value:
        raise TypeError(f"random_state must be an int or None; got {value!r}")
    return int(value)


def show_progress(verbose: Any, progress: Any) -> tuple[bool, int]:
    """(show the progress bar, print per-epoch lines) from an estimator's ``verbose``/``progress``.

    ``verbose`` True/1 shows the bar, 2 or more also prints a line per
    epoch, False/0 shows nothing. ``progress=False`` (the older switch)
    hides the bar: with the default ``verbose=True`` nothing is shown, as
    before; with the older integer ``verbose=1`` a line per epoch takes its
    place, as before.

    Examples
    --------
    >>> show_progress(True, None), show_progress(False, None), show_progress(1, False)
    ((True, 0), (False, 0), (False, 1))
    >>> show_progress(True, False)
    (False, 0)
    """
    level = int(verbose) if verbose is not None else 0
    bar = bool(level) and progress is not False
    older_lines = progress is False and verbose is not True and level >= 1
    lines = 1 if level >= 2 or older_lines else 0
    return bar, lines


def check_chance(history: dict[str, list], metric: str, chance: float | None, who: str) -> None:
    """Warn when the restored epoch's validation ``metric`` is no better than ``chance``.

    Parameters
    ----------
    history : dict
        As :func:`fit_network` returns it.
    metric : str
        Key of the validation metric (higher is better).
    chance : float or None
        What a model that learned nothing reaches; None skips the check
        (a validation split too small to judge).
    who : str
        The estimator's name, for the message.
    """
    import warnings

    values = history.get(metric) or []
    if chance is None or not values:
        return
    best = int(history.get("best_epoch", [len(values) - 1])[0])
    value = values[min(best, len(values) - 1)]
    if not math.isfinite(value) or value <= chance:
        warnings.warn(
            f"{who} ended no better than chance on its own validation split "
            f"({metric} {value:.3f}, chance level {chance:.3f}); do not trust its predictions. "
            "More training images, more epochs, another learning rate or clearer examples may help.",
            NoBetterThanChanceWarning,
            stacklevel=3,
        )


def upgrade_params(cls: type, params: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """The constructor options of a saved model, brought to this version's estimator.

    Format 1 files hold the course architectures and no ``architecture``,
    ``random_state`` or ``monitor``: they get ``'course'``, their ``seed`` and
    the validation loss they were trained with. Options this version does not
    know are refused with the file's format version in the message.
    """
    import inspect

    params = dict(params)
    version = int(meta.get("format_version", 1))
    known = set(inspect.signature(cls.__init__).parameters) - {"self"}
    if version < 2:
        params.setdefault("architecture", "course")
        if "seed" in params and "random_state" in known:
            params["random_state"] = params.pop("seed")
        if "monitor" in known:
            params.setdefault("monitor", "val_loss")
    unknown = sorted(set(params) - known)
    if unknown:
        raise PyBridgeError(
            f"this model file (format {version}) holds options {unknown} that this pybridge's "
            f"{cls.__name__} does not know (it reads formats 1 to {FORMAT_VERSION}); "
            "load it with the pybridge version that wrote it"
        )
    return params


def load_weights(network: torch.nn.Module, state: dict, meta: dict[str, Any], path: Any = None) -> None:
    """``network.load_state_dict(state)``, with a message naming the file's format on a mismatch."""
    try:
        network.load_state_dict(state)
    except RuntimeError as err:
        version = meta.get("format_version", 1)
        where = f"{str(path)!r} " if path is not None else ""
        raise PyBridgeError(
            f"the model file {where}(format {version}, architecture "
            f"{meta.get('architecture', {}).get('name')!r}) does not fit the network this pybridge "
            f"builds for it (format {FORMAT_VERSION}): {str(err).splitlines()[0]}; retrain the model "
            "or load it with the pybridge version that wrote it"
        ) from err


def check_average(average: Any, name: str = "average") -> None:
    """Refuse a weight-average decay that is not None or a number strictly between 0 and 1.

    Examples
    --------
    >>> check_average(0.98); check_average(None)
    >>> check_average(1.0)
    Traceback (most recent call last):
    ...
    ValueError: average must be None or a decay strictly between 0 and 1 (e.g. 0.98); got 1.0
    """
    if average is None:
        return
    if isinstance(average, bool) or not isinstance(average, int | float | np.integer | np.floating):
        raise TypeError(
            f"{name} must be None or a number strictly between 0 and 1 (e.g. 0.98); got a "
            f"{type(average).__name__}"
        )
    if not 0.0 < float(average) < 1.0:
        raise ValueError(
            f"{name} must be None or a decay strictly between 0 and 1 (e.g. 0.98); got {average!r}"
        )


def resolve_device(device: Any = None) -> torch.device:
    """The torch device an estimator should use.

    Parameters
    ----------
    device : None, "auto", str or torch.device
        ``None`` or ``"auto"``: ``cuda`` when torch sees a GPU, else ``cpu``.
        Anything else is passed to :class:`torch.device`.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        For a string torch does not know, or ``"cuda"`` when no GPU is visible.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    import torch

    if device is None or (isinstance(device, str) and device.lower() == "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(
            f"device must be None, 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r}"
        ) from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device {device!r} asked for a GPU but torch sees none "
            "(pass device='cpu', or device=None to pick automatically)"
        )
    return dev


def seed_everything(seed: int | None) -> None:
    """Seed torch (CPU and every CUDA device) and Python's ``random``.

    numpy is not touched: pybridge code draws from explicit
    :func:`numpy.random.default_rng` generators. ``None`` does nothing.

    Examples
    --------
    >>> import torch
    >>> seed_everything(3); a = torch.rand(2)
    >>> seed_everything(3); bool((a == torch.rand(2)).all())
    True
    """
    if seed is None:
        return
    import torch

    seed = int(seed)
    random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():  # pragma: no cover - no GPU in CI
        torch.cuda.manual_seed_all(seed)


def split_train_val(
    n: int,
    fraction: float,
    *,
    stratify: np.ndarray | None = None,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a train/validation split (stratified when labels are given).

    Parameters
    ----------
    n : int
        Number of samples.
    fraction : float
        Share of the samples held out for validation, in [0, 1).
    stratify : ndarray of shape (n,), optional
        Class labels to keep in proportion (scikit-learn's
        ``StratifiedShuffleSplit``); falls back to a plain shuffle when a
        class has too few members.
    seed : int or None

    Returns
    -------
    train_idx, val_idx : ndarray of int64

    Examples
    --------
    >>> tr, va = split_train_val(10, 0.2, stratify=[0] * 5 + [1] * 5, seed=0)
    >>> len(tr), len(va)
    (8, 2)
    """
    if not 0 <= fraction < 1:
        raise ValueError(f"validation fraction must be in [0, 1); got {fraction}")
    idx = np.arange(n)
    n_val = int(math.floor(n * fraction))
    if n_val == 0:
        return idx, idx[:0]
    if stratify is not None:
        from sklearn.model_selection import StratifiedShuffleSplit

        y = np.asarray(stratify).reshape(n)
        _, counts = np.unique(y, return_counts=True)
        if counts.min() >= 2 and n_val >= len(counts) and n - n_val >= len(counts):
            sss = StratifiedShuffleSplit(n_splits=1, test_size=n_val, random_state=seed)
            tr, va = next(sss.split(np.zeros(n), y))
            return np.sort(tr), np.sort(va)
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


def _batches(n: int, batch_size: int, generator: torch.Generator | None, shuffle: bool):
    import torch

    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def fit_network(
    network: torch.nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    epochs: int = 50,
    batch_size: int = 32,
    validation: float | tuple[torch.Tensor, torch.Tensor] | None = 0.2,
    stratify: np.ndarray | None = None,
    early_stopping: int | None = 10,
    lr_patience: int | None = 5,
    lr_factor: float = 0.5,
    min_lr: float = 1e-6,
    augment: Callable | None = None,
    augment_targets: bool = False,
    metric: Callable[[torch.Tensor, torch.Tensor], float] | None = None,
    metric_name: str = "val_metric",
    monitor: str = "val_loss",
    average: float | None = None,
    device: torch.device | str | None = None,
    seed: int | None = 0,
    progress: bool = True,
    verbose: int = 0,
    desc: str = "training",
) -> dict[str, list]:
    """Train ``network`` in place and return its per-epoch history.

    Parameters
    ----------
    network : torch.nn.Module
        Moved to ``device``; left in eval mode with the best weights (lowest
        validation loss; lowest training loss without validation).
    X : Tensor of shape (N, C, H, W), float32
        Inputs, already normalised; may live on the CPU (batches are moved).
    y : Tensor of shape (N, ...)
        Targets in the form ``loss_fn`` expects (e.g. (N, 1) float for a
        one-logit classifier, (N, 1, H, W) for a segmenter).
    loss_fn : callable(logits, targets) -> scalar tensor
    optimizer : torch.optim.Optimizer
        Built by the caller over the parameters (and param groups, e.g.
        discriminative learning rates) it wants trained.
    epochs : int
        Upper bound on epochs (early stopping usually ends sooner).
    batch_size : int
    validation : float, (X_val, y_val) or None
        A fraction of (X, y) held out (stratified by ``stratify``), explicit
        validation tensors, or None/0 for no validation.
    stratify : ndarray of shape (N,), optional
        Labels for a stratified split.
    early_stopping : int or None
        Stop after this many epochs without improvement of the monitored loss.
    lr_patience, lr_factor, min_lr
        ``ReduceLROnPlateau`` on the monitored loss; ``lr_patience=None`` keeps
        the learning rate fixed.
    augment : callable(images, masks, *, generator) -> (images, masks), optional
        E.g. an :class:`pybridge._augment.Augmenter`; applied to each training
        batch. With ``augment_targets=True`` the targets are transformed with
        the images (segmentation masks).
    metric : callable(y_val, logits_val) -> float, optional
        Extra validation metric recorded in the history as ``metric_name``
        (higher is better).
    monitor : str, default 'val_loss'
        What early stopping, the learning-rate schedule and the choice of the
        best weights follow: ``'val_loss'`` (lower is better) or
        ``metric_name`` (higher is better; an epoch where the metric is
        undefined counts as no improvement). Without validation data the
        training loss is followed.
    average : float or None
        Decay of an exponential moving average of the weights (and of batch
        norm's running statistics), updated after every optimiser step, e.g.
        0.99. The average, not the last step's weights, is validated, kept as
        the best weights and left in ``network``. None trains without one.
    device : torch.device, str or None
    seed : int or None
        Seeds the weights' order of batches and the augmentation draws.
    progress : bool
        Show a progress bar over epochs with the loss and the validation
        metric (one summary line when the output is not a terminal).
    verbose : int
        ``>= 1`` prints one line per epoch.
    desc : str
        Label of the progress bar.

    Returns
    -------
    dict of lists
        ``'loss'``, ``'val_loss'`` (NaN without validation), ``metric_name``
        (when ``metric`` is given), ``'lr'`` (one entry per epoch) and
        ``'best_epoch'`` (a one-element list, 0-based).

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Linear(2, 1)
    >>> X = torch.randn(40, 2); y = (X[:, :1] > 0).float()
    >>> h = fit_network(net, X, y, loss_fn=torch.nn.functional.binary_cross_entropy_with_logits,
    ...                 optimizer=torch.optim.SGD(net.parameters(), lr=0.5), epochs=5,
    ...                 progress=False)
    >>> sorted(h)
    ['best_epoch', 'loss', 'lr', 'val_loss']
    """
    import torch

    dev = resolve_device(device)
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1; got {epochs}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of samples; got {X.shape[0]} and {y.shape[0]}")
    if monitor != "val_loss" and (metric is None or monitor != metric_name):
        raise ValueError(
            f"monitor must be 'val_loss' or the metric's name {metric_name!r}; got {monitor!r}"
        )

    if isinstance(validation, tuple):
        X_tr, y_tr = X, y
        X_va, y_va = validation
    elif validation:
        tr, va = split_train_val(X.shape[0], float(validation), stratify=stratify, seed=seed)
        tr_t, va_t = torch.as_tensor(tr), torch.as_tensor(va)
        X_tr, y_tr, X_va, y_va = X[tr_t], y[tr_t], X[va_t], y[va_t]
    else:
        X_tr, y_tr, X_va, y_va = X, y, None, None
    has_val = X_va is not None and X_va.shape[0] > 0
    follow_metric = has_val and monitor != "val_loss"

    generator = torch.Generator()
    if seed is not None:
        generator.manual_seed(int(seed))
    else:
        generator.seed()

    network.to(dev)
    averaged = None
    if average is not None:
        check_average(average)
        from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

        averaged = AveragedModel(network, multi_avg_fn=get_ema_multi_avg_fn(float(average)), use_buffers=True)
    evaluated = network if averaged is None else averaged.module
    scheduler = None
    if lr_patience is not None:
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="max" if follow_metric else "min", factor=lr_factor,
            patience=lr_patience, min_lr=min_lr,
        )

    history: dict[str, list] = {"loss": [], "val_loss": [], "lr": []}
    if metric is not None:
        history[metric_name] = []
    best = math.inf
    best_tie_loss = math.inf
    best_state = None
    best_epoch = 0
    stale = 0

    from ._progress import progress as progress_bar

    bar = progress_bar(range(epochs), desc=desc, unit="epoch", enabled=bool(progress))
    for epoch in bar:
        network.train()
        total, count = 0.0, 0
        for idx in _batches(X_tr.shape[0], batch_size, generator, shuffle=True):
            if len(idx) < 2 and X_tr.shape[0] >= 2:
                continue  # a batch of one breaks batch norm
            xb, yb = X_tr[idx], y_tr[idx]
            if augment is not None:
                if augment_targets:
                    xb, yb = augment(xb, yb, generator=generator)
                else:
                    xb, _ = augment(xb, None, generator=generator)
            xb, yb = xb.to(dev, non_blocking=True), yb.to(dev, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(network(xb), yb)
            if not torch.isfinite(loss):
                raise PyBridgeError(
                    f"training diverged at epoch {epoch} (loss {loss.item()}); lower the learning rate"
                )
            loss.backward()
            optimizer.step()
            if averaged is not None:
                averaged.update_parameters(network)
            total += float(loss.detach()) * len(idx)
            count += len(idx)
        train_loss = total / max(count, 1)
        history["loss"].append(train_loss)
        history["lr"].append(float(optimizer.param_groups[0]["lr"]))

        if has_val:
            logits = predict_batches(evaluated, X_va, batch_size=max(batch_size, 256), device=dev)
            val_loss = float(loss_fn(logits, y_va.to(logits.device)))
            history["val_loss"].append(val_loss)
            if metric is not None:
                history[metric_name].append(float(metric(y_va.cpu(), logits.cpu())))
            if follow_metric:
                value = history[metric_name][-1]
                # lower is better inside: an undefined metric never improves
                monitored = -value if math.isfinite(value) else math.inf
            else:
                monitored = val_loss
        else:
            history["val_loss"].append(float("nan"))
            monitored = train_loss

        if scheduler is not None and math.isfinite(monitored):
            scheduler.step(monitored)
        # a metric that ties (AUC saturates at 1.0 on a small validation split) is
        # broken by the validation loss: the later, better-calibrated weights win
        tie_loss = history["val_loss"][-1] if follow_metric else math.inf
        improved = monitored < best - 1e-6 or (
            follow_metric and abs(monitored - best) <= 1e-6 and tie_loss < best_tie_loss - 1e-6
        )
        if improved:
            # patience counts epochs without a better metric; a tie only swaps the weights
            stale = 0 if monitored < best - 1e-6 else stale + 1
            best, best_epoch, best_tie_loss = monitored, epoch, tie_loss
            best_state = {k: v.detach().clone() for k, v in evaluated.state_dict().items()}
        else:
            stale += 1
        postfix = {"loss": f"{train_loss:.4f}", "val_loss": f"{history['val_loss'][-1]:.4f}"}
        if metric is not None and has_val:
            postfix[metric_name] = f"{history[metric_name][-1]:.4f}"
        bar.set_postfix(**postfix)
        if verbose:
            extra = f" {metric_name} {history[metric_name][-1]:.4f}" if metric is not None and has_val else ""
            print(
                f"epoch {epoch + 1}/{epochs}: loss {train_loss:.4f} "
                f"val_loss {history['val_loss'][-1]:.4f}{extra} lr {history['lr'][-1]:.3g}"
            )
        if early_stopping is not None and stale >= early_stopping:
            break
    bar.close()

    if best_state is None and averaged is not None:
        best_state = averaged.module.state_dict()
    if best_state is not None:
        network.load_state_dict(best_state)
    network.eval()
    history["best_epoch"] = [best_epoch]
    return history


def predict_batches(
    network: torch.nn.Module,
    X: torch.Tensor,
    *,
    batch_size: int = 256,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Run ``network`` in eval mode over ``X`` batch by batch, without gradients.

    Parameters
    ----------
    network : torch.nn.Module
    X : Tensor of shape (N, ...)
    batch_size : int
    device : torch.device, str or None
        Where to run (``None``: where the network's parameters live).

    Returns
    -------
    Tensor of shape (N, ...) on the device the network runs on.

    Examples
    --------
    >>> import torch
    >>> predict_batches(torch.nn.Identity(), torch.ones(3, 2), batch_size=2).shape
    torch.Size([3, 2])
    """
    import torch

    if device is None:
        p = next(network.parameters(), None)
        dev = p.device if p is not None else torch.device("cpu")
    else:
        dev = resolve_device(device)
    was_training = network.training
    network.eval()
    outs = []
    with torch.no_grad():
        for start in range(0, X.shape[0], batch_size):
            outs.append(network(X[start : start + batch_size].to(dev)))
    network.train(was_training)
    if not outs:
        with torch.no_grad():
            return network(X.to(dev))
    return torch.cat(outs)


def save_model(path: str | PathLike, network: torch.nn.Module, meta: dict[str, Any]) -> Path:
    """Write ``network``'s weights and a JSON metadata record to one safetensors file.

    Parameters
    ----------
    path : str or path-like
        Target file (``.safetensors`` is the usual suffix); parent folders
        must exist.
    network : torch.nn.Module
    meta : dict
        JSON-serialisable record of everything needed to rebuild and use the
        model (class name, architecture options, normalisation...).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError
        When ``meta`` is not JSON-serialisable.

    Examples
    --------
    >>> import tempfile, torch, os
    >>> p = os.path.join(tempfile.mkdtemp(), "m.safetensors")
    >>> _ = save_model(p, torch.nn.Linear(2, 1), {"kind": "demo"})
    >>> state, meta = load_model(p)
    >>> sorted(state), meta["kind"]
    (['bias', 'weight'], 'demo')
    """
    state = {k: v.detach().to("cpu").contiguous().clone() for k, v in network.state_dict().items()}
    return save_tensors(path, state, meta)


def save_tensors(path: str | PathLike, tensors: dict[str, Any], meta: dict[str, Any]) -> Path:
    """Write named tensors (torch or numpy, not both) and a metadata record; see :func:`save_model`.

    For models that are not a torch module (e.g. a scikit-learn pipeline's
    coefficients); :func:`load_model` reads the file back as torch tensors.
    """
    path = Path(path)
    try:
        record = json.dumps({"format_version": FORMAT_VERSION, **meta}, default=json_default)
    except TypeError as err:
        raise TypeError(f"model metadata must be JSON-serialisable: {err}") from err
    if tensors and all(isinstance(v, np.ndarray) for v in tensors.values()):
        from safetensors.numpy import save_file

        tensors = {k: np.ascontiguousarray(v) for k, v in tensors.items()}
    else:
        from safetensors.torch import save_file
    save_file(tensors, str(path), metadata={_META_KEY: record})
    return path


def load_model(
    path: str | PathLike, *, expect: str | None = None, hint: str = ""
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a file written by :func:`save_model` (no code is executed).

    Parameters
    ----------
    path : str or path-like
    expect : str, optional
        The estimator class the file must hold (its ``meta['estimator']``).
    hint : str, optional
        What to use instead when it holds another one, for the message.

    Returns
    -------
    state_dict : dict of str to Tensor (on the CPU)
    meta : dict
        The metadata record, with ``'format_version'``.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    PyBridgeError
        When the file is not a pybridge safetensors model, or not an ``expect``.
    """
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {str(path)!r} (save one with est.save(path))")
    try:
        with safe_open(str(path), framework="pt") as f:
            header = f.metadata() or {}
            state = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as err:  # safetensors raises its own error types
        raise PyBridgeError(
            f"{str(path)!r} is not a safetensors model file ({err}); "
            "pybridge models are written by est.save(path)"
        ) from err
    if _META_KEY not in header:
        raise PyBridgeError(
            f"{str(path)!r} is a safetensors file without pybridge metadata; "
            "it was not written by pybridge's save()"
        )
    meta = json.loads(header[_META_KEY])
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise PyBridgeError(
            f"{str(path)!r} was written by a newer pybridge (format {meta['format_version']}); "
            f"this one reads format {FORMAT_VERSION}: upgrade pybridge"
        )
    if expect is not None and meta.get("estimator") != expect:
        raise PyBridgeError(
            f"{str(path)!r} holds a {meta.get('estimator')!r} model, not a {expect}"
            + (f"; use {hint}" if hint else "")
        )
    return state, meta
