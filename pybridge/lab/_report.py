"""The lab's HTML report: numbers rounded for people, explained, and nothing cut off.

The page is rendered from the jinja2 template ``templates/report.html.j2``
(package data) with the figures embedded as PNG data, so the one file can be
mailed or opened on a phone. Full-precision values stay in ``results.json``.
"""

from __future__ import annotations

import base64
import math
import platform
import time
from pathlib import Path
from typing import Any

__all__ = ["EXPLAIN", "explain", "human", "render", "stage_counts", "cell"]

#: One line per quantity the lab reports: the row's name -> what it means.
#: A name is looked up as ``stage.key`` first, then as ``key``.
EXPLAIN: dict[str, str] = {
    # summary (top of the page)
    "CNN test AUC": "area under the ROC curve of the course CNN on the test patches (0.5 = chance, 1 = perfect)",
    "traditional test AUC": "the same for the hand-crafted-feature baseline (logistic regression)",
    "CNN AUC mean over seeds": "the CNN's test AUC averaged over retrainings with other random seeds",
    "CNN AUC sd over seeds": "standard deviation of that AUC over the seeds: how much training luck moves it",
    "Grad-CAM mass inside cluster": "share of the CNN's Grad-CAM heat that falls on the microcalcification "
                                    "specks (compare with the cluster area share: higher = looks at the specks)",
    "cluster area share": "share of the patch covered by the specks: what Grad-CAM would put on them by chance",
    "CAE test Dice": "overlap of the convolutional auto-encoder's masks with the true masses (0 = none, 1 = exact)",
    "U-Net test Dice": "overlap of the U-Net's masks with the true masses (0 = none, 1 = exact)",
    "U-Net Dice mean over seeds": "the U-Net's test Dice averaged over retrainings with other random seeds",
    "U-Net Dice sd over seeds": "standard deviation of that Dice over the seeds",
    "legacy Dice vs truth": "overlap of the legacy MATLAB segmentation with the true mass on the full mammograms",
    "legacy engine": "what ran the legacy MATLAB code: MATLAB where installed, GNU Octave otherwise",
    "legacy vs U-Net Dice": "overlap of the legacy segmentation with the U-Net's on the same mammograms",
    "stages": "how many of the lab's stages finished, failed, or were skipped because an earlier one failed",
    # data
    "source": "where the patches come from",
    "n_train": "training patches (normal and with microcalcifications)",
    "n_test": "test patches, never seen in training",
    "positives_train": "training patches that hold a microcalcification cluster",
    "n_mass_train": "mass crops (64 x 64) the segmenters learn from",
    "n_mass_test": "mass crops the segmenters are scored on",
    "n_mammograms": "full synthetic mammograms for the legacy MATLAB segmentation",
    "mammogram_size": "side of each mammogram, in pixels",
    # classification
    "classification.models": "each classifier on the test patches",
    "auc": "area under the ROC curve (0.5 = chance, 1 = perfect)",
    "sensitivity": "share of patches with microcalcifications called positive (at probability 0.5)",
    "specificity": "share of normal patches called negative (at probability 0.5)",
    "train_seconds": "wall time of the training, in seconds",
    "learning_curve": "test AUC after training on the first n patches: the baseline can win on little data",
    "sizes": "number of training patches",
    "CNN": "the course CNN",
    "traditional": "the hand-crafted-feature baseline",
    "history_epochs": "training epochs the CNN ran",
    # explain
    "gradcam_mass_in_cluster": "share of the CNN's Grad-CAM heat on the microcalcification specks "
                               "(higher than the area share = the CNN looks at the specks)",
    "cluster_area_share": "share of the patch covered by the specks: the Grad-CAM share expected by chance",
    "permutation_importance": "rise of the baseline's test error when one feature is shuffled "
                              "(bigger = the model relies on it more; near 0 = unused)",
    # segmentation
    "segmentation.models": "each segmenter on the test mass crops",
    "dice_mean": "mean Dice overlap with the true mask (0 = none, 1 = exact)",
    "dice_sd": "standard deviation of the Dice over the images",
    "jaccard_mean": "mean Jaccard index (intersection over union) with the true mask",
    # legacy
    "engine": "what ran the legacy MATLAB code: MATLAB where installed, GNU Octave otherwise",
    "per_image": "the value for each image, in order",
    "image": "index of the mammogram",
    "dice": "Dice overlap with the true mask (0 = none, 1 = exact)",
    "seconds": "wall time of the whole stage, engine start included",
    "seconds_per_image": "wall time per mammogram",
    # agreement
    "agreement.dice": "Dice overlap between two methods on each mammogram: mean, spread and per image",
    "mean": "mean over the images (or the seeds)",
    "sd": "standard deviation over the images (or the seeds)",
    "areas": "segmented area of each mammogram's mass, in pixels",
    "truth": "the true mask",
    "legacy": "the legacy MATLAB segmentation",
    "U-Net": "the U-Net, applied to each mammogram's region of interest",
    "bland_altman": "agreement of areas with the truth: mean difference (bias) and the 95% limits of agreement",
    "bias": "mean of (method - truth) area, in pixels: above 0 = the method over-segments",
    "loa_low": "lower 95% limit of agreement (bias - 1.96 sd of the differences)",
    "loa_high": "upper 95% limit of agreement (bias + 1.96 sd of the differences)",
    # repeat
    "cnn_seeds": "the random seeds the CNN was retrained with",
    "unet_seeds": "the random seeds the U-Net was retrained with",
    "cnn_auc": "the CNN's test AUC for each seed, their mean and standard deviation",
    "unet_dice": "the U-Net's test Dice for each seed, their mean and standard deviation",
    "values": "one value per seed",
}


def explain(key: str, stage: str = "") -> str:
    """The one-line explanation of a reported quantity ('' when there is none)."""
    return EXPLAIN.get(f"{stage}.{key}") or EXPLAIN.get(key, "")


def human(value: Any) -> str:
    """A number as a person reads it: 3 decimals below 10, fewer above; integers as they are.

    >>> human(0.96412345), human(1.0), human(1234.5678), human(12), human(True), human(None)
    ('0.964', '1.000', '1,235', '12', 'yes', '-')
    >>> human(-0.00012), human(108.0)
    ('-0.00012', '108.0')
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        a = abs(value)
        if a >= 1000:
            return f"{value:,.0f}"
        if a >= 10:
            return f"{value:.1f}"
        if a >= 0.001 or value == 0:
            return f"{value:.3f}"
        return f"{value:.2g}"
    return str(value)


def _number(value: Any, key: str = "") -> str:
    """``human``, but wall times (keys ending in 'seconds') to a tenth of a second."""
    if key.endswith("seconds") and isinstance(value, float):
        return f"{value:.1f}"
    return human(value)


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def cell(value: Any, stage: str = "", key: str = "") -> dict[str, Any]:
    """How the template shows one value: text, a list, or a (sub-)table; never shortened.

    >>> cell([0.91234, 0.5])["text"]
    '0.912, 0.500'
    >>> c = cell({"CNN": {"auc": 0.9}, "traditional": {"auc": 0.8}})
    >>> c["kind"], c["columns"], c["rows"][0]
    ('matrix', ['auc'], {'name': 'CNN', 'cells': ['0.900'], 'note': 'the course CNN'})
    """
    if _scalar(value):
        return {"kind": "text", "text": _number(value, key)}
    if isinstance(value, (list, tuple)):
        if all(_scalar(v) for v in value):
            if all(isinstance(v, float) for v in value):  # a column of numbers: same decimals
                return {"kind": "text", "text": ", ".join(f"{v:.3f}" if abs(v) < 10 else human(v) for v in value)}
            return {"kind": "text", "text": ", ".join(human(v) for v in value)}
        if all(isinstance(v, dict) for v in value):  # rows, e.g. per-image results
            columns = list(dict.fromkeys(k for row in value for k in row))
            return {"kind": "matrix", "columns": columns, "notes": _notes(columns, stage),
                    "rows": [{"name": str(i + 1), "note": "",
                              "cells": [_flat(row.get(c), c) for c in columns]} for i, row in enumerate(value)]}
        return {"kind": "text", "text": ", ".join(_flat(v) for v in value)}
    if isinstance(value, dict):
        if value and all(isinstance(v, dict) for v in value.values()):
            columns = list(dict.fromkeys(k for row in value.values() for k in row))
            return {"kind": "matrix", "columns": columns, "notes": _notes(columns, stage),
                    "rows": [{"name": str(k), "cells": [_flat(row.get(c), c) for c in columns],
                              "note": explain(str(k), stage)} for k, row in value.items()]}
        return {"kind": "pairs", "rows": [{"name": str(k), "cell": cell(v, stage, str(k)),
                                           "note": explain(str(k), stage)} for k, v in value.items()]}
    return {"kind": "text", "text": str(value)}


def _flat(v: Any, key: str = "") -> str:
    c = cell(v, key=key)
    if c["kind"] == "text":
        return c["text"]
    if c["kind"] == "pairs":
        return "; ".join(f"{r['name']}: {_flat_cell(r['cell'])}" for r in c["rows"])
    return "; ".join(f"{r['name']}: " + ", ".join(r["cells"]) for r in c["rows"])


def _flat_cell(c: dict) -> str:
    return c["text"] if c["kind"] == "text" else "; ".join(r["name"] for r in c["rows"])


def _notes(columns: list[str], stage: str) -> list[dict[str, str]]:
    return [{"name": c, "note": explain(c, stage)} for c in columns if explain(c, stage)]


def stage_counts(records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """How many stages finished, failed, were skipped, reused: the true counts, and a sentence.

    >>> stage_counts({"a": {"status": "ok"}, "b": {"status": "failed"}, "c": {"status": "skipped"}})["text"]
    '1 of 3 stages ok, 1 failed (b), 1 skipped (c)'
    """
    by: dict[str, list[str]] = {"ok": [], "failed": [], "skipped": []}
    for name, rec in records.items():
        by.setdefault(rec["status"], []).append(name)
    parts = [f"{len(by['ok'])} of {len(records)} stages ok"]
    for status in ("failed", "skipped"):
        if by[status]:
            parts.append(f"{len(by[status])} {status} ({', '.join(by[status])})")
    return {"ok": len(by["ok"]), "failed": len(by["failed"]), "skipped": len(by["skipped"]),
            "total": len(records), "text": ", ".join(parts)}


def _image(path: Path) -> dict[str, str]:
    return {"alt": path.stem.replace("_", " "), "src": "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()}


def render(records: dict, summary: dict, outdir: Path, *, describe: dict[str, str], quick: bool,
           wall: float) -> str:
    """The report page, as one HTML string."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pybridge.lab", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    stages = []
    for name, rec in records.items():
        result = rec.get("result") or {}
        figures = [outdir / name / f for f in result.get("figures", [])]
        stages.append({
            "name": name,
            "status": rec["status"],
            "seconds": _number(float(rec.get("seconds", 0.0)), "seconds"),
            "reused": bool(rec.get("reused")),
            "description": describe.get(name, ""),
            "error": rec.get("error", ""),
            "traceback": rec.get("traceback", ""),
            "reason": rec.get("reason", ""),
            "rows": [{"name": k, "cell": cell(v, name, k), "note": explain(k, name)}
                     for k, v in result.items() if k != "figures"],
            "figures": [_image(p) for p in figures if p.exists()],
        })
    counts = stage_counts(records)
    headline = [{"name": k, "cell": cell(v), "note": explain(k)} for k, v in summary.items()]
    return env.get_template("report.html.j2").render(
        quick=quick,
        wall=f"{wall:.1f}",
        host=platform.node(),
        system=platform.platform(),
        written=time.strftime("%Y-%m-%d %H:%M:%S"),
        counts=counts,
        headline=headline,
        stages=stages,
    )
