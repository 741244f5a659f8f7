"""A family of synthetic data settings, split into tuning and held-out settings.

Defaults tuned on one generator's data fit that generator. To choose
defaults that hold on data nobody tuned for, pybridge's generators are
varied along the axes that differ between real collections:

- background texture: ``'smooth'`` (steep power spectrum, little texture),
  ``'fibroglandular'`` (power-law texture with exponent 3, the classical
  model of breast tissue) and ``'noisy'`` (flatter spectrum, strong quantum
  noise);
- lesion contrast from faint to clear, lesion size and count;
- class balance, down to 1 positive in 10 for classification;
- mass margin (round, lobulated, spiculated) and bright distractor blobs for
  segmentation;
- image sides from 32 to 128 pixels.

Each setting is a role: ``'tuning'`` settings are the only ones defaults may
be chosen on; ``'held-out'`` settings are only ever reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["BACKGROUNDS", "Setting", "SETTINGS", "settings", "make_setting"]

#: Background texture presets: keyword arguments of the generators.
BACKGROUNDS: dict[str, dict[str, float]] = {
    "smooth": {"beta": 3.5, "texture": 0.04, "noise": 0.01},
    "fibroglandular": {"beta": 3.0, "texture": 0.10, "noise": 0.02},
    "noisy": {"beta": 2.0, "texture": 0.06, "noise": 0.05},
}


@dataclass(frozen=True)
class Setting:
    """One data setting of the family.

    Attributes
    ----------
    name : str
    task : {'classification', 'segmentation'}
    role : {'tuning', 'held-out'}
    background : str
        A key of :data:`BACKGROUNDS`.
    options : dict
        Further keyword arguments of the generator
        (:func:`~pybridge.datasets.microcalcifications` or
        :func:`~pybridge.datasets.masses`).
    n_train, n_test : int
        Sizes of the training and test sets the benchmark draws.
    """

    name: str
    task: str
    role: str
    background: str
    options: dict[str, Any] = field(default_factory=dict)
    n_train: int = 600
    n_test: int = 300

    def describe(self) -> str:
        """A one-line summary of the setting's generator options."""
        opts = ", ".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.background} background, {opts}"


def _calc(name, role, background, n_train=600, n_test=300, **options) -> Setting:
    return Setting(name, "classification", role, background, options, n_train, n_test)


def _mass(name, role, background, n_train=200, n_test=80, **options) -> Setting:
    return Setting(name, "segmentation", role, background, options, n_train, n_test)


#: Every setting of the family, tuning ones first.
SETTINGS: tuple[Setting, ...] = (
    # ---- classification: tuning
    _calc("calc-fibro-60", "tuning", "fibroglandular", size=60, contrast=(0.18, 0.35)),
    _calc("calc-smooth-faint-48", "tuning", "smooth", size=48, contrast=(0.10, 0.20), count=(3, 8)),
    _calc(
        "calc-noisy-imbalanced-60", "tuning", "noisy", size=60, contrast=(0.15, 0.30),
        positive_fraction=0.1,
    ),
    # ---- classification: held out
    _calc("calc-noisy-clear-32", "held-out", "noisy", size=32, contrast=(0.25, 0.45), count=(3, 6)),
    _calc(
        "calc-smooth-large-96", "held-out", "smooth", n_train=400, n_test=200, size=96,
        contrast=(0.12, 0.25), count=(5, 15), distractors=(2, 5), jitter=0.2,
    ),
    _calc(
        "calc-fibro-faint-imbalanced-64", "held-out", "fibroglandular", size=64,
        contrast=(0.12, 0.22), positive_fraction=0.1,
    ),
    # ---- segmentation: tuning
    _mass("mass-fibro-lobulated-64", "tuning", "fibroglandular", size=64, margin="lobulated"),
    _mass(
        "mass-smooth-round-faint-48", "tuning", "smooth", size=48, margin="round",
        contrast=(0.08, 0.18), radius=(0.10, 0.2),
    ),
    _mass(
        "mass-noisy-spiculated-64", "tuning", "noisy", size=64, margin="spiculated",
        distractors=(0, 1),
    ),
    # ---- segmentation: held out
    _mass(
        "mass-fibro-spiculated-blob-64", "held-out", "fibroglandular", size=64, margin="spiculated",
        contrast=(0.12, 0.25), distractors=1,
    ),
    _mass("mass-noisy-lobulated-small-32", "held-out", "noisy", size=32, margin="lobulated",
          radius=(0.12, 0.22)),
    _mass(
        "mass-smooth-round-128", "held-out", "smooth", n_train=120, n_test=40, size=128,
        margin="round", contrast=(0.12, 0.3), radius=(0.08, 0.2), distractors=(0, 2),
    ),
)


def settings(task: str | None = None, role: str | None = None) -> list[Setting]:
    """The settings of one task and/or role.

    Examples
    --------
    >>> [s.name for s in settings("classification", "held-out")][:1]
    ['calc-noisy-clear-32']
    """
    if task not in (None, "classification", "segmentation"):
        raise ValueError(f"task must be 'classification', 'segmentation' or None; got {task!r}")
    if role not in (None, "tuning", "held-out"):
        raise ValueError(f"role must be 'tuning', 'held-out' or None; got {role!r}")
    return [s for s in SETTINGS if (task is None or s.task == task) and (role is None or s.role == role)]


def make_setting(setting: Setting | str, n: int, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Draw ``n`` examples of a setting.

    Parameters
    ----------
    setting : Setting or str
        A setting or its name.
    n : int
    seed : int

    Returns
    -------
    dict
        What the generator returns: ``'images'`` and ``'labels'``
        (classification) or ``'masks'`` (segmentation), among others.

    Examples
    --------
    >>> d = make_setting("mass-noisy-lobulated-small-32", 3, seed=1)
    >>> d["images"].shape, d["masks"].shape
    ((3, 32, 32), (3, 32, 32))
    """
    if isinstance(setting, str):
        found = [s for s in SETTINGS if s.name == setting]
        if not found:
            raise ValueError(
                f"unknown setting {setting!r}; expected one of {[s.name for s in SETTINGS]}"
            )
        setting = found[0]
    kwargs = {**BACKGROUNDS[setting.background], **setting.options}
    if setting.task == "classification":
        from ._microcalcifications import microcalcifications

        return microcalcifications(n, seed=seed, **kwargs)
    from ._masses import masses

    return masses(n, seed=seed, **kwargs)
