"""What the tests know about the machine's processor, independently of pybridge."""

from __future__ import annotations

import platform

#: x86 processors have SSE2 (every x86-64 one), which the C layout copy's blocks need;
#: built elsewhere (ARM) the copy declines every case and numpy makes it
X86 = platform.machine().lower() in ("x86_64", "amd64", "i686", "i386")
