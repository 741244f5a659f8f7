"""The pybridge lab for a Python user, in one script.

Generates synthetic mammography data with exact ground truth, trains the
course CNN and explains it with Grad-CAM, trains a U-Net on mass crops, and
runs the legacy MATLAB mass segmentation through an engine (MATLAB where it is
installed, GNU Octave otherwise), comparing it with the truth and the U-Net.

    python examples/python/lab.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from pybridge import classification, datasets, legacy, segmentation, xai
from pybridge.engine import start_matlab
from pybridge.metrics import dice


def stage(text: str) -> None:
    """One line per step, so a long run is never silent (and a log stays readable)."""
    print(f"[{time.strftime('%H:%M:%S')}] {text} ...", flush=True)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="tiny data and short training")
    args = p.parse_args(argv)
    n_train, n_test, epochs = (120, 60, 5) if args.quick else (556, 241, 60)

    # 1. classification: microcalcification clusters in 60 x 60 patches
    stage(f"1/4 training the course CNN on {n_train} patches ({epochs} epochs)")
    train = datasets.microcalcifications(n_train, seed=1)
    test = datasets.microcalcifications(n_test, seed=2)
    cnn = classification.CNNClassifier(epochs=epochs, seed=0, progress=False)
    cnn.fit(train["images"], train["labels"])
    prob = cnn.predict_proba(test["images"])[:, 1]
    print(f"CNN test AUC: {classification.auc(test['labels'], prob):.3f}", flush=True)

    # 2. explanation: where does the CNN look?
    stage("2/4 Grad-CAM of the CNN on positive test patches")
    pos = np.flatnonzero(test["labels"] == 1)[:8]
    cams = xai.gradcam(cnn, test["images"][pos])
    inside = [cam[m].sum() / cam.sum() for cam, m in zip(cams, test["masks"][pos], strict=True) if cam.sum() > 0]
    print(f"Grad-CAM mass inside the cluster: {np.mean(inside):.2f} "
          f"(cluster area share {test['masks'][pos].mean():.3f})", flush=True)

    # 3. segmentation: a U-Net on 64 x 64 mass crops
    stage(f"3/4 training a U-Net on 64 x 64 mass crops ({epochs} epochs)")
    crops = datasets.masses(96 if args.quick else 400, seed=3)
    held = datasets.masses(32 if args.quick else 100, seed=4)
    unet = segmentation.UNetSegmenter(epochs=epochs, seed=0, progress=False)
    unet.fit(crops["images"], crops["masks"])
    d = dice(unet.predict(held["images"]), held["masks"], batch=True)
    print(f"U-Net test Dice: {np.nanmean(d):.3f}", flush=True)

    # 4. the legacy MATLAB segmentation, driven from Python
    stage("4/4 the legacy MATLAB segmentation through the engine (MATLAB, else GNU Octave)")
    with start_matlab() as eng:
        for seed in range(2 if args.quick else 5):
            m = datasets.mammogram(size=512 if args.quick else 1000, seed=seed)
            mask, small = legacy.mass_segment(m["image"], m["roi"], scale=8, engine=eng)
            # the mask lies on the 8x down-scaled grid: compare with the truth on that grid
            truth = m["mask"][: mask.shape[0] * 8, : mask.shape[1] * 8]
            truth = truth.reshape(mask.shape[0], 8, mask.shape[1], 8).mean(axis=(1, 3)) >= 0.5
            print(f"legacy segmentation, mammogram {seed}: Dice {dice(mask, truth):.3f}", flush=True)


if __name__ == "__main__":
    main()
