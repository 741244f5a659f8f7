"""The lab's stages: each takes the shared context, returns numbers, writes figures.

A stage returns a JSON-able dict of results; figures (PNG) and models go to
the stage's folder. Stages never catch their own errors: the runner in
:mod:`pybridge.lab._runner` records a failure and goes on with the others.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Settings:
    """Sizes and training lengths of one lab run (``quick`` shrinks all of them)."""

    quick: bool
    n_train: int
    n_test: int
    cnn_epochs: int
    learning_sizes: tuple[int, ...]
    n_mass_train: int
    n_mass_test: int
    seg_epochs: int
    n_mammograms: int
    mammogram_size: int
    repeat_seeds: tuple[int, ...]
    unet_seeds: tuple[int, ...]
    gradcam_images: int = 8
    perm_repeats: int = 5

    @classmethod
    def make(cls, quick: bool) -> Settings:
        if quick:
            return cls(quick=True, n_train=200, n_test=100, cnn_epochs=15, learning_sizes=(20, 60, 200),
                       n_mass_train=128, n_mass_test=48, seg_epochs=8, n_mammograms=3, mammogram_size=512,
                       repeat_seeds=(1, 2), unet_seeds=(1, 2), perm_repeats=3)
        return cls(quick=False, n_train=556, n_test=241, cnn_epochs=60, learning_sizes=(20, 50, 100, 200, 556),
                   n_mass_train=320, n_mass_test=200, seg_epochs=12, n_mammograms=6, mammogram_size=1000,
                   repeat_seeds=(1, 2, 3, 4, 5), unet_seeds=(1, 2, 3))


@dataclass
class Context:
    """What the stages share: settings, the output folder, options, earlier results."""

    settings: Settings
    out: Path
    engine: str = "auto"
    data_dir: Path | None = None
    progress: bool = True  # the user's choice (--no-progress sets it False)
    bars: bool = False  # progress bars inside the estimators: only on a terminal
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def folder(self, stage: str) -> Path:
        d = self.out / stage
        d.mkdir(parents=True, exist_ok=True)
        return d


def _savefig(fig, path: Path) -> str:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path.name


def _figure(*args, **kwargs):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    # constrained layout keeps titles, axis labels and panels from overlapping
    kwargs.setdefault("layout", "constrained")
    return plt.subplots(*args, **kwargs)


# --------------------------------------------------------------------------
# 1. data
# --------------------------------------------------------------------------


def stage_data(ctx: Context) -> dict[str, Any]:
    """Generate (or load) the patches, the mass crops and the full mammograms."""
    from pybridge import datasets

    s = ctx.settings
    d = ctx.folder("data")
    if ctx.data_dir is not None:
        loaded = datasets.load_patch_folder(ctx.data_dir)
        train = {"images": loaded["train_images"], "labels": loaded["train_labels"]}
        test = {"images": loaded["test_images"], "labels": loaded["test_labels"]}
        source = f"course data from {ctx.data_dir}"
        np.savez_compressed(d / "patches.npz", x_train=train["images"], y_train=train["labels"],
                            x_test=test["images"], y_test=test["labels"])
    else:
        train = datasets.microcalcifications(s.n_train, seed=101)
        test = datasets.microcalcifications(s.n_test, seed=202)
        source = "synthetic (pybridge.datasets.microcalcifications)"
        np.savez_compressed(d / "patches.npz", x_train=train["images"], y_train=train["labels"],
                            x_test=test["images"], y_test=test["labels"], m_test=test["masks"])
    mtrain = datasets.masses(s.n_mass_train, seed=303)
    mtest = datasets.masses(s.n_mass_test, seed=404)
    np.savez_compressed(d / "masses.npz", x_train=mtrain["images"], m_train=mtrain["masks"],
                        x_test=mtest["images"], m_test=mtest["masks"])
    mammos = [datasets.mammogram(size=s.mammogram_size, seed=500 + i) for i in range(s.n_mammograms)]
    np.savez_compressed(d / "mammograms.npz", images=np.stack([m["image"] for m in mammos]),
                        masks=np.stack([m["mask"] for m in mammos]),
                        rois=np.array([m["roi"] for m in mammos]))
    fig, axes = _figure(2, 6, figsize=(10, 3.6))
    y = np.asarray(train["labels"])
    for k, label in enumerate((0, 1)):
        idx = np.flatnonzero(y == label)[:6]
        for j, i in enumerate(idx):
            axes[k, j].imshow(train["images"][i], cmap="gray")
            axes[k, j].set_title(f"label {label}", fontsize=8)
            axes[k, j].axis("off")
    fig.suptitle("Training patches (top: normal, bottom: microcalcification cluster)")
    return {
        "source": source,
        "n_train": int(len(y)), "n_test": int(len(test["labels"])),
        "positives_train": int(y.sum()),
        "n_mass_train": s.n_mass_train, "n_mass_test": s.n_mass_test,
        "n_mammograms": s.n_mammograms, "mammogram_size": s.mammogram_size,
        "figures": [_savefig(fig, d / "patches.png")],
    }


def _patches(ctx: Context) -> dict[str, np.ndarray]:
    return dict(np.load(ctx.out / "data" / "patches.npz"))


def _masses(ctx: Context) -> dict[str, np.ndarray]:
    return dict(np.load(ctx.out / "data" / "masses.npz"))


def _mammograms(ctx: Context) -> dict[str, np.ndarray]:
    return dict(np.load(ctx.out / "data" / "mammograms.npz"))


# --------------------------------------------------------------------------
# 2. classification
# --------------------------------------------------------------------------


def _cnn(ctx: Context, seed: int):
    from pybridge.classification import CNNClassifier

    return CNNClassifier(epochs=ctx.settings.cnn_epochs, seed=seed, progress=ctx.bars)


def stage_classification(ctx: Context) -> dict[str, Any]:
    """Train the course CNN and the traditional baseline; ROC, AUC, learning curve."""
    from pybridge.classification import (
        TraditionalClassifier,
        learning_curve,
        roc,
        sensitivity,
        specificity,
    )

    p = _patches(ctx)
    d = ctx.folder("classification")
    t0 = time.perf_counter()
    cnn = _cnn(ctx, seed=0).fit(p["x_train"], p["y_train"])
    t_cnn = time.perf_counter() - t0
    cnn.save(d / "cnn.safetensors")
    t0 = time.perf_counter()
    base = TraditionalClassifier(seed=0).fit(p["x_train"], p["y_train"])
    t_base = time.perf_counter() - t0
    base.save(d / "traditional.safetensors")
    out: dict[str, Any] = {"models": {}}
    fig, ax = _figure(figsize=(4.5, 4.2))
    for name, est, secs in (("CNN", cnn, t_cnn), ("traditional", base, t_base)):
        prob = est.predict_proba(p["x_test"])[:, 1]
        pred = (prob >= 0.5).astype(int)
        r = roc(p["y_test"], prob)
        out["models"][name] = {
            "auc": float(r["auc"]),
            "sensitivity": float(sensitivity(p["y_test"], pred)),
            "specificity": float(specificity(p["y_test"], pred)),
            "train_seconds": round(secs, 2),
        }
        ax.plot(r["fpr"], r["tpr"], label=f"{name} (AUC {r['auc']:.3f})")
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set_xlabel("1 - specificity")
    ax.set_ylabel("sensitivity")
    ax.set_title("ROC on the test patches")
    ax.legend(loc="lower right")
    figs = [_savefig(fig, d / "roc.png")]
    sizes = [n for n in ctx.settings.learning_sizes if n <= len(p["y_train"])]
    curve = learning_curve(
        {"CNN": _cnn(ctx, seed=0), "traditional": TraditionalClassifier(seed=0)},
        p["x_train"], p["y_train"], p["x_test"], p["y_test"], sizes=sizes, seed=0,
    )
    fig, ax = _figure(figsize=(4.5, 3.6))
    for name, aucs in curve["mean"].items():
        ax.plot(curve["sizes"], aucs, "o-", label=name)
    ax.set_xscale("log")
    # label the sizes trained on, not matplotlib's log ticks (whose minor labels collide)
    ax.set_xticks(curve["sizes"], [str(int(n)) for n in curve["sizes"]])
    ax.minorticks_off()
    ax.set_xlabel("training patches")
    ax.set_ylabel("test AUC")
    ax.set_title("Learning curve")
    ax.legend()
    figs.append(_savefig(fig, d / "learning_curve.png"))
    out["learning_curve"] = {"sizes": [int(n) for n in curve["sizes"]],
                             **{k: [float(v) for v in vals] for k, vals in curve["mean"].items()}}
    out["history_epochs"] = len(cnn.history_.get("loss", []))
    out["figures"] = figs
    return out


# --------------------------------------------------------------------------
# 3. explanations
# --------------------------------------------------------------------------


def stage_explain(ctx: Context) -> dict[str, Any]:
    """Grad-CAM of the CNN on positive test patches; permutation importance of the baseline."""
    from pybridge import classification, xai

    p = _patches(ctx)
    d = ctx.folder("explain")
    cnn = classification.load(ctx.out / "classification" / "cnn.safetensors")
    pos = np.flatnonzero(p["y_test"] == 1)[: ctx.settings.gradcam_images]
    cams = xai.gradcam(cnn, p["x_test"][pos])
    figs = []
    n = len(pos)
    fig, axes = _figure(2, n, figsize=(1.6 * n, 3.4), squeeze=False)
    share_in, share_area = [], []
    for j, i in enumerate(pos):
        axes[0, j].imshow(p["x_test"][i], cmap="gray")
        axes[0, j].axis("off")
        axes[1, j].imshow(p["x_test"][i], cmap="gray")
        axes[1, j].imshow(cams[j], cmap="jet", alpha=0.45)
        axes[1, j].axis("off")
        if "m_test" in p and p["m_test"][i].any():
            m = p["m_test"][i]
            total = float(cams[j].sum())
            if total > 0:
                share_in.append(float(cams[j][m].sum()) / total)
                share_area.append(float(m.mean()))
    fig.suptitle("Grad-CAM of the CNN (bottom) on microcalcification patches (top)")
    figs.append(_savefig(fig, d / "gradcam.png"))
    base = classification.load(ctx.out / "classification" / "traditional.safetensors")
    imp = xai.permutation_importance(base, p["x_test"], p["y_test"], n_repeats=ctx.settings.perm_repeats,
                                     seed=0)
    names = list(imp["features"])
    vals = [float(v) for v in imp["importances_mean"]]
    fig, ax = _figure(figsize=(5, 0.3 * len(names) + 1))
    ax.barh(names[::-1], vals[::-1])
    ax.set_xlabel(f"importance ({imp.get('mode', 'difference')} of error after permutation)")
    ax.set_title("Permutation importance of the baseline's features")
    figs.append(_savefig(fig, d / "permutation_importance.png"))
    return {
        "gradcam_mass_in_cluster": float(np.mean(share_in)) if share_in else None,
        "cluster_area_share": float(np.mean(share_area)) if share_area else None,
        "permutation_importance": dict(zip(names, vals, strict=True)),
        "figures": figs,
    }


# --------------------------------------------------------------------------
# 4. segmentation
# --------------------------------------------------------------------------


def _segmenter(kind: str, ctx: Context, seed: int):
    from pybridge.segmentation import CAESegmenter, UNetSegmenter

    if kind == "U-Net":
        # width 8 reaches the width-16 default's Dice on 64 x 64 crops in a quarter of the time
        return UNetSegmenter(width=8, epochs=ctx.settings.seg_epochs, seed=seed, progress=ctx.bars)
    return CAESegmenter(epochs=ctx.settings.seg_epochs, seed=seed, progress=ctx.bars)


def stage_segmentation(ctx: Context) -> dict[str, Any]:
    """Train the CAE and the U-Net on mass crops; Dice and Jaccard on the test crops."""
    from pybridge.metrics import dice, jaccard

    m = _masses(ctx)
    d = ctx.folder("segmentation")
    out: dict[str, Any] = {"models": {}}
    preds = {}
    for kind in ("CAE", "U-Net"):
        t0 = time.perf_counter()
        seg = _segmenter(kind, ctx, seed=0).fit(m["x_train"], m["m_train"])
        secs = time.perf_counter() - t0
        seg.save(d / f"{kind.lower().replace('-', '')}.safetensors")
        pred = seg.predict(m["x_test"])
        preds[kind] = pred
        dsc = dice(pred, m["m_test"], batch=True, empty=1.0)
        jac = jaccard(pred, m["m_test"], batch=True, empty=1.0)
        out["models"][kind] = {"dice_mean": float(np.nanmean(dsc)), "dice_sd": float(np.nanstd(dsc)),
                               "jaccard_mean": float(np.nanmean(jac)), "train_seconds": round(secs, 2)}
    fig, axes = _figure(3, 6, figsize=(9, 4.8))
    for j in range(6):
        axes[0, j].imshow(m["x_test"][j], cmap="gray")
        axes[0, j].contour(m["m_test"][j], [0.5], colors="lime", linewidths=0.8)
        for k, kind in enumerate(("CAE", "U-Net"), start=1):
            axes[k, j].imshow(m["x_test"][j], cmap="gray")
            axes[k, j].contour(preds[kind][j], [0.5], colors="red", linewidths=0.8)
        for k in range(3):
            axes[k, j].axis("off")
    axes[0, 0].set_title("truth", fontsize=8, loc="left")
    axes[1, 0].set_title("CAE", fontsize=8, loc="left")
    axes[2, 0].set_title("U-Net", fontsize=8, loc="left")
    out["figures"] = [_savefig(fig, d / "segmentations.png")]
    return out


# --------------------------------------------------------------------------
# 5. the legacy MATLAB segmentation through the engine
# --------------------------------------------------------------------------


def _legacy_scale(size: int) -> int:
    """massSegment's down-scaling for a mammogram of ``size`` pixels: 8 at 1000 (its default).

    The method's parameters are in pixels of the down-scaled grid, so a
    smaller synthetic mammogram (the quick lab's 512) keeps the same physical
    grid with a smaller factor.
    """
    return max(1, round(size / 125))


def _upsample(mask: np.ndarray, scale: int, shape: tuple[int, ...]) -> np.ndarray:
    """A mask on massSegment's down-scaled grid back on the full image's grid (nearest).

    With smooth == scale, down-scaled pixel j is centred on full-size pixel
    scale * j (0-based), so full-size pixel r takes down-scaled pixel round(r / scale).
    """
    mask = np.asarray(mask, dtype=bool)
    rows = np.minimum(np.rint(np.arange(shape[0]) / scale).astype(int), mask.shape[0] - 1)
    cols = np.minimum(np.rint(np.arange(shape[1]) / scale).astype(int), mask.shape[1] - 1)
    return mask[np.ix_(rows, cols)]


def stage_legacy(ctx: Context) -> dict[str, Any]:
    """Run the legacy MATLAB mass segmentation on the synthetic mammograms (MATLAB or Octave)."""
    from pybridge import engine as engine_mod
    from pybridge import legacy
    from pybridge._progress import progress
    from pybridge.metrics import dice

    mm = _mammograms(ctx)
    d = ctx.folder("legacy")
    rows = []
    masks = []
    t0 = time.perf_counter()
    with engine_mod.start_matlab(backend=ctx.engine) as eng:
        backend = getattr(eng, "backend", ctx.engine)
        for i in progress(range(len(mm["images"])), desc="    legacy: mammograms", unit="images",
                          enabled=ctx.progress):
            scale = _legacy_scale(mm["images"][i].shape[0])
            small, _ = legacy.mass_segment(mm["images"][i], tuple(int(v) for v in mm["rois"][i]),
                                           scale=scale, smooth=scale, engine=eng)
            masks.append(_upsample(small, scale, mm["masks"][i].shape))
            rows.append({"image": i, "dice": float(dice(masks[-1], mm["masks"][i]))})
    secs = time.perf_counter() - t0
    np.savez_compressed(d / "legacy_masks.npz", masks=np.stack(masks))
    fig, axes = _figure(1, len(rows), figsize=(3 * len(rows), 3), squeeze=False)
    for i, r in enumerate(rows):
        r0, c0, r1, c1 = (int(v) for v in mm["rois"][i])
        ax = axes[0, i]
        ax.imshow(mm["images"][i][r0:r1, c0:c1], cmap="gray")
        ax.contour(mm["masks"][i][r0:r1, c0:c1], [0.5], colors="lime", linewidths=0.8)
        ax.contour(masks[i][r0:r1, c0:c1], [0.5], colors="red", linewidths=0.8)
        ax.set_title(f"Dice {r['dice']:.2f}", fontsize=9)
        ax.axis("off")
    fig.suptitle("Legacy MATLAB segmentation (red) vs truth (green)")
    dices = [r["dice"] for r in rows]
    return {"engine": str(backend), "per_image": rows, "dice_mean": float(np.mean(dices)),
            "dice_sd": float(np.std(dices)), "seconds": round(secs, 2),
            "seconds_per_image": round(secs / max(1, len(rows)), 2),
            "figures": [_savefig(fig, d / "legacy.png")]}


# --------------------------------------------------------------------------
# 6. agreement between methods, and spread within a method
# --------------------------------------------------------------------------


def _unet_on_mammograms(ctx: Context, mm: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Apply the U-Net (trained on 64 x 64 crops) to each mammogram with its ROI.

    The segmenter takes a window round the ROI to its training crops' scale and
    contrast, and keeps the lesion inside the ROI (``UNetSegmenter.predict``).
    """
    from pybridge import segmentation

    seg = segmentation.load(ctx.out / "segmentation" / "unet.safetensors")
    return [
        seg.predict(mm["images"][i][None], roi=tuple(int(v) for v in mm["rois"][i]))[0]
        for i in range(len(mm["images"]))
    ]


def stage_agreement(ctx: Context) -> dict[str, Any]:
    """Inter-method agreement (legacy vs U-Net vs truth: Dice, Bland-Altman of areas)."""
    from pybridge.metrics import dice

    mm = _mammograms(ctx)
    d = ctx.folder("agreement")
    legacy_masks = np.load(ctx.out / "legacy" / "legacy_masks.npz")["masks"]
    unet_masks = _unet_on_mammograms(ctx, mm)
    truth = mm["masks"]
    pairs = {"legacy vs truth": (legacy_masks, truth), "U-Net vs truth": (unet_masks, truth),
             "legacy vs U-Net": (legacy_masks, unet_masks)}
    table = {}
    for name, (a, b) in pairs.items():
        vals = [float(dice(np.asarray(x), np.asarray(y))) for x, y in zip(a, b, strict=True)]
        table[name] = {"mean": float(np.mean(vals)), "sd": float(np.std(vals)), "per_image": vals}
    areas = {"truth": [int(m.sum()) for m in truth], "legacy": [int(m.sum()) for m in legacy_masks],
             "U-Net": [int(m.sum()) for m in unet_masks]}
    fig, axes = _figure(1, 2, figsize=(9, 3.6))
    ba = {}
    for ax, method in zip(axes, ("legacy", "U-Net"), strict=True):
        a = np.array(areas[method], float)
        t = np.array(areas["truth"], float)
        mean, diff = (a + t) / 2, a - t
        bias, sd = float(diff.mean()), float(diff.std(ddof=1)) if len(diff) > 1 else 0.0
        ba[method] = {"bias": bias, "loa_low": bias - 1.96 * sd, "loa_high": bias + 1.96 * sd}
        ax.scatter(mean, diff)
        for y, style in ((bias, "-"), (bias - 1.96 * sd, "--"), (bias + 1.96 * sd, "--")):
            ax.axhline(y, color="gray", ls=style, lw=0.8)
        ax.set_xlabel("mean area (pixels)")
        ax.set_ylabel(f"{method} - truth (pixels)")
        ax.set_title(f"Bland-Altman: {method} vs truth")
    return {"dice": table, "areas": areas, "bland_altman": ba,
            "figures": [_savefig(fig, d / "bland_altman.png")]}


def stage_repeat(ctx: Context) -> dict[str, Any]:
    """Intra-method spread: the CNN and the U-Net retrained with other seeds."""
    from pybridge._progress import progress
    from pybridge.classification import auc
    from pybridge.metrics import dice

    p = _patches(ctx)
    m = _masses(ctx)
    cnn_auc, unet_dice = [], []
    for seed in progress(ctx.settings.repeat_seeds, desc="    repeat: CNN retrained", unit="seeds",
                         enabled=ctx.progress):
        cnn = _cnn(ctx, seed=seed).fit(p["x_train"], p["y_train"])
        cnn_auc.append(float(auc(p["y_test"], cnn.predict_proba(p["x_test"])[:, 1])))
    for seed in progress(ctx.settings.unet_seeds, desc="    repeat: U-Net retrained", unit="seeds",
                         enabled=ctx.progress):
        seg = _segmenter("U-Net", ctx, seed=seed).fit(m["x_train"], m["m_train"])
        unet_dice.append(float(np.nanmean(dice(seg.predict(m["x_test"]), m["m_test"], batch=True, empty=1.0))))
    return {"cnn_seeds": list(ctx.settings.repeat_seeds), "unet_seeds": list(ctx.settings.unet_seeds),
            "cnn_auc": {"values": cnn_auc, "mean": float(np.mean(cnn_auc)), "sd": float(np.std(cnn_auc, ddof=1))},
            "unet_dice": {"values": unet_dice, "mean": float(np.mean(unet_dice)),
                          "sd": float(np.std(unet_dice, ddof=1))}}


#: name -> (function, stages it needs)
STAGES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "data": (stage_data, ()),
    "classification": (stage_classification, ("data",)),
    "explain": (stage_explain, ("classification",)),
    "segmentation": (stage_segmentation, ("data",)),
    "legacy": (stage_legacy, ("data",)),
    "agreement": (stage_agreement, ("legacy", "segmentation")),
    "repeat": (stage_repeat, ("data",)),
}
