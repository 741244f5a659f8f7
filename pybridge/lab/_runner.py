"""Runs the lab's stages in order, reuses finished ones, and writes the report."""

from __future__ import annotations

import csv
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from .._jsonable import json_default
from ._report import human, render, stage_counts
from ._stages import STAGES, Context, Settings

__all__ = ["run_lab"]

RESULT = "result.json"


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=json_default))
    os.replace(tmp, path)  # a crash never leaves a half-written result behind


def _load_previous(path: Path, settings: Settings) -> dict | None:
    try:
        rec = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if rec.get("status") == "ok" and rec.get("quick") == settings.quick:
        return rec
    return None


def run_lab(
    out: str | os.PathLike = "pybridge-lab",
    *,
    engine: str = "auto",
    quick: bool = False,
    force: bool = False,
    data: str | os.PathLike | None = None,
    progress: bool = True,
    stages: list[str] | None = None,
) -> int:
    """Run the whole mixed-language lab and write ``report.html``.

    Parameters
    ----------
    out : path, default "pybridge-lab"
        Output folder: one subfolder per stage (figures, models, results),
        ``results.json``, ``summary.csv`` and ``report.html``.
    engine : {"auto", "matlab", "octave"}
        Engine for the legacy MATLAB segmentation.
    quick : bool
        Small data and short training (CI runs this).
    force : bool
        Re-run stages that already finished in ``out``.
    data : path, optional
        Folder with the course's patches (Train/0, Train/1, Test/0, Test/1).
    progress : bool
        Progress: bars when stderr is a terminal; in a log, one line when a
        step ends, never bar frames. False shows neither.
    stages : list of str, optional
        Run only these stages (and reuse or skip the rest).

    Returns
    -------
    int
        0 when every stage succeeded, 1 otherwise (the report lists failures).
    """
    if engine not in ("auto", "matlab", "octave"):
        raise ValueError(f"'engine' must be one of 'auto', 'matlab', 'octave'; got {engine!r}")
    unknown = sorted(set(stages or ()) - set(STAGES))
    if unknown:
        raise ValueError(f"unknown stage(s) {unknown}; the stages are {list(STAGES)}")
    if data is not None and not Path(data).is_dir():
        raise FileNotFoundError(f"--data {data!s}: no such folder (expected Train/0, Train/1, Test/0, Test/1 inside)")
    os.environ.setdefault("MPLBACKEND", "Agg")
    isatty = getattr(sys.stderr, "isatty", None)
    bars = bool(progress and isatty is not None and isatty())
    settings = Settings.make(quick)
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    ctx = Context(settings=settings, out=outdir, engine=engine,
                  data_dir=Path(data) if data is not None else None, progress=progress, bars=bars)
    records: dict[str, dict[str, Any]] = {}
    t_all = time.perf_counter()
    print(f"pybridge lab: {'quick' if quick else 'full'} run into {outdir}/", flush=True)
    for name, (fn, needs) in STAGES.items():
        path = ctx.folder(name) / RESULT
        prev = None if force else _load_previous(path, settings)
        if prev is not None and (stages is None or name not in stages):
            records[name] = {**prev, "reused": True}
            ctx.results[name] = prev.get("result", {})
            print(f"  [{name:<14}] reused ({prev['seconds']:.1f} s earlier; --force re-runs it)", flush=True)
            continue
        if stages is not None and name not in stages:
            records[name] = {"status": "skipped", "reason": "not selected", "seconds": 0.0}
            continue
        missing = [n for n in needs if records.get(n, {}).get("status") != "ok"]
        if missing:
            records[name] = {"status": "skipped", "reason": f"needs {', '.join(missing)}, which did not finish",
                             "seconds": 0.0, "quick": quick}
            print(f"  [{name:<14}] skipped: needs {', '.join(missing)}", flush=True)
            continue
        print(f"  [{name:<14}] running: {fn.__doc__.splitlines()[0]}", flush=True)
        t0 = time.perf_counter()
        try:
            result = fn(ctx)
            rec = {"status": "ok", "seconds": round(time.perf_counter() - t0, 2), "result": result,
                   "quick": quick}
        except Exception as err:  # a failing stage is reported, the others go on
            rec = {"status": "failed", "seconds": round(time.perf_counter() - t0, 2),
                   "error": f"{type(err).__name__}: {err}", "traceback": traceback.format_exc(),
                   "quick": quick}
        records[name] = rec
        ctx.results[name] = rec.get("result", {})
        _write_json(path, rec)
        msg = "done" if rec["status"] == "ok" else f"FAILED: {rec['error']}"
        print(f"  [{name:<14}] {msg} ({rec['seconds']:.1f} s)", flush=True)
    wall = time.perf_counter() - t_all
    summary = _summary(records)
    _write_json(outdir / "results.json", {"quick": quick, "engine": engine, "wall_seconds": round(wall, 1),
                                         "stages": records, "summary": summary})
    with open(outdir / "summary.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["quantity", "value"])
        for k, v in summary.items():
            w.writerow([k, v])
    report = outdir / "report.html"
    tmp = report.with_suffix(".tmp")
    tmp.write_text(render(records, summary, outdir, describe=_describe(), quick=quick, wall=wall), encoding="utf-8")
    os.replace(tmp, report)
    counts = stage_counts(records)
    print(f"pybridge lab: {counts['text']}, in {wall:.1f} s; report: {report}", flush=True)
    for k, v in summary.items():
        print(f"  {k}: {human(v)}")
    failed = counts["failed"] > 0
    blocked = any(r["status"] == "skipped" and r.get("reason") != "not selected" for r in records.values())
    return 1 if failed or blocked else 0


def _get(records: dict, *keys: str) -> Any:
    cur: Any = records
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur


def _summary(records: dict) -> dict[str, Any]:
    """The headline numbers, flat, for the CSV and the top of the report."""
    s: dict[str, Any] = {}
    pairs = {
        "CNN test AUC": ("classification", "result", "models", "CNN", "auc"),
        "traditional test AUC": ("classification", "result", "models", "traditional", "auc"),
        "CNN AUC mean over seeds": ("repeat", "result", "cnn_auc", "mean"),
        "CNN AUC sd over seeds": ("repeat", "result", "cnn_auc", "sd"),
        "Grad-CAM mass inside cluster": ("explain", "result", "gradcam_mass_in_cluster"),
        "cluster area share": ("explain", "result", "cluster_area_share"),
        "CAE test Dice": ("segmentation", "result", "models", "CAE", "dice_mean"),
        "U-Net test Dice": ("segmentation", "result", "models", "U-Net", "dice_mean"),
        "U-Net Dice mean over seeds": ("repeat", "result", "unet_dice", "mean"),
        "U-Net Dice sd over seeds": ("repeat", "result", "unet_dice", "sd"),
        "legacy Dice vs truth": ("legacy", "result", "dice_mean"),
        "legacy engine": ("legacy", "result", "engine"),
        "legacy vs U-Net Dice": ("agreement", "result", "dice", "legacy vs U-Net", "mean"),
    }
    for label, keys in pairs.items():
        v = _get(records, *keys)
        if v is not None:
            s[label] = v  # full precision: the report rounds for people, results.json keeps it all
    s["stages"] = stage_counts(records)["text"]
    return s


def _describe() -> dict[str, str]:
    return {name: (fn.__doc__ or "").strip().splitlines()[0] for name, (fn, _) in STAGES.items()}
