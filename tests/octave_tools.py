"""What the tests know about GNU Octave here: whether it exists, and how to start it quietly."""

from __future__ import annotations

import shutil

HAVE_OCTAVE = shutil.which("octave-cli") is not None

#: octave-cli with no GUI, no start-up files, no banner and no history file (so no exit noise)
OCTAVE = ["octave-cli", "--no-gui", "--norc", "--quiet", "--no-history"]
