"""Five minutes of pybridge for a Python user: legacy MATLAB code from Python."""

import numpy as np

from pybridge import convert, datasets, legacy
from pybridge.engine import available_backends, start_matlab
from pybridge.metrics import dice

print(available_backends())  # MATLAB where installed, GNU Octave otherwise, and why not

with start_matlab() as eng:  # the matlab.engine API, on MATLAB or Octave
    print(eng.sqrt(16.0))  # 4.0
    q, r = eng.deconv(np.array([1.0, 5.0, 6.0]), np.array([1.0, 2.0]), nargout=2)
    eng.workspace["x"] = np.arange(6.0).reshape(2, 3)  # numpy in ...
    print(eng.eval("x'", nargout=1).shape)  # ... numpy out: (3, 2)

    # the legacy radial-line mass segmentation, on a mammogram with a known lesion
    m = datasets.mammogram(size=512, seed=0)
    print("ROI for MATLAB [x y w h]:", convert.roi_to_matlab(m["roi"]))
    mask, small = legacy.mass_segment(m["image"], m["roi"], scale=4, smooth=4, engine=eng)

# the mask lies on the 4x down-scaled grid: compare with the truth there
h, w = mask.shape
truth = m["mask"][: 4 * h, : 4 * w].reshape(h, 4, w, 4).mean(axis=(1, 3)) >= 0.5
print(f"Dice of the legacy segmentation: {dice(mask, truth):.3f}")
