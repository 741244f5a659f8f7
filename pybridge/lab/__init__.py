"""The lab: ``pybridge lab`` runs the whole mixed-language lab and writes an HTML report.

Stages, in order (each reused on a re-run unless ``force``; a failing stage
is reported and does not stop the others):

1. ``data``: synthetic microcalcification patches, mass crops and full
   mammograms with exact ground truth (or the course's patches with ``data=``).
2. ``classification``: the course CNN and the traditional baseline (ROC, AUC,
   sensitivity, specificity, learning curve).
3. ``explain``: Grad-CAM of the CNN, permutation importance of the baseline.
4. ``segmentation``: the CAE and the U-Net on mass crops (Dice, Jaccard).
5. ``legacy``: the legacy MATLAB mass segmentation through the engine
   (MATLAB where installed, GNU Octave otherwise).
6. ``agreement``: legacy vs U-Net vs truth (Dice table, Bland-Altman of areas).
7. ``repeat``: spread over seeds of the CNN's AUC and the U-Net's Dice.
"""

from __future__ import annotations

from ._runner import run_lab
from ._stages import STAGES, Settings

__all__ = ["run_lab", "STAGES", "Settings"]
