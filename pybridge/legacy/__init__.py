"""The lab's legacy MATLAB code from Python: run it unmodified and headless, alone or over folders.

- :func:`run`: an interactive MATLAB function or script, unmodified, with
  scripted answers for its GUI input (:class:`Rectangle`, :class:`Click`,
  :class:`Key`, :class:`Text`, :class:`Dialog`, :class:`File`), invisible
  figures, compat functions for toolboxes GNU Octave lacks (``interpm``,
  ``imbinarize``), and a working folder of its own.
- :func:`run_folder`: the same over every image of a folder (ROIs from a
  CSV), on a local pool of engines or a Dask cluster; resumable.
- :func:`mass_segment` / :func:`segment_folder`: pybridge's own
  non-interactive ``massSegment.m`` (the course's radial-line mass
  segmentation), typed in Python conventions.

Everything takes and returns Python conventions (numpy arrays, ROIs as
``(row0, col0, row1, col1)``, 0-based, end-exclusive); :mod:`pybridge.convert`
turns them into MATLAB's.
"""

from .._batch import BatchLockedError
from ._folder import FolderSummary, read_rois, run_folder
from ._harness import (
    Click,
    Dialog,
    Figure,
    File,
    Key,
    LegacyError,
    Rectangle,
    RunResult,
    ScriptedInputError,
    Text,
    UnusedAnswersWarning,
    run,
)
from ._segment import SegmentSummary, legacy_dir, mass_segment, result_paths, segment_folder

__all__ = [
    "run",
    "RunResult",
    "Figure",
    "Click",
    "Rectangle",
    "Key",
    "Text",
    "Dialog",
    "File",
    "LegacyError",
    "ScriptedInputError",
    "UnusedAnswersWarning",
    "run_folder",
    "read_rois",
    "FolderSummary",
    "BatchLockedError",
    "mass_segment",
    "segment_folder",
    "SegmentSummary",
    "legacy_dir",
    "result_paths",
]
