"""``pybridge doctor``: what is installed, what is missing, and the one command that fixes each part.

pybridge comes in parts: the core (DICOM, metrics, conversions, the engines,
the lab's report) and the optional extras ``ml`` (torch and the deep-learning
libraries), ``octave`` (GNU Octave), ``matlab`` (MATLAB's
engine), ``dask`` and ``notebooks``. Each check belongs to one part; each
part with something missing gets one command that installs it.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Check", "run_checks", "report", "fix_command", "matlab_release", "MATLAB_ENGINE"]

#: MATLAB release -> the matlabengine series built for it (each works with that release only).
MATLAB_ENGINE = {
    "R2022b": "9.13", "R2023a": "9.14", "R2023b": "23.2", "R2024a": "24.1",
    "R2024b": "24.2", "R2025a": "25.1", "R2025b": "25.2", "R2026a": "26.1",
}

_DIST = "pybridge-lab"


@dataclass
class Check:
    """One component: its name, whether it works, what was found, and the part (extra) it belongs to."""

    name: str
    ok: bool
    detail: str
    part: str = "core"
    fix: str = ""  # a command of its own, when pip cannot fix it (apt, a kernel spec)

    @property
    def required(self) -> bool:
        return self.part == "core"


def _checkout() -> Path | None:
    """The source tree pybridge runs from, or None when it is installed from a wheel."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "matlab").is_dir() else None


def fix_command(part: str) -> str:
    """The pip command that installs one part of pybridge into this Python.

    >>> fix_command("ml").endswith("[ml]'") or fix_command("ml").endswith('[ml]"')
    True
    """
    py = Path(sys.executable).name if _on_path(sys.executable) else sys.executable
    root = _checkout()
    if root is not None:
        target = f'-e "{root}"' if part == "core" else f'-e "{root}[{part}]"'
    else:
        target = f"'{_DIST}'" if part == "core" else f"'{_DIST}[{part}]'"
    return f"{py} -m pip install {target}"


def _on_path(exe: str) -> bool:
    found = shutil.which(Path(exe).name)
    return found is not None and os.path.realpath(found) == os.path.realpath(exe)


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _python() -> Check:
    v = sys.version_info
    ok = v >= (3, 10)
    return Check("Python", ok, f"{sys.version.split()[0]} at {sys.executable}", "core",
                 "" if ok else "install Python >= 3.10 (Debian: sudo apt-get install python3.11 python3.11-venv)")


def _package(dist: str, module: str, part: str) -> Check:
    ver = _version(dist)
    if ver is None:
        return Check(dist, False, "not installed", part)
    try:
        importlib.import_module(module)
    except Exception as err:  # noqa: BLE001 - a broken install is as bad as a missing one
        return Check(dist, False, f"{ver} installed but import fails: {err}", part)
    return Check(dist, True, ver, part)


def _mfiles() -> Check:
    from ._errors import PyBridgeError
    from ._install import matlab_folder

    try:
        folder = matlab_folder()
    except PyBridgeError as err:
        return Check(".m code for MATLAB/Octave", False, str(err), "core")
    return Check(".m code for MATLAB/Octave", True, f"{folder} (pybridge setup-matlab prints the addpath line)")


def _gpu() -> Check:
    if _version("torch") is None:
        return Check("GPU", False, "torch missing", "ml")
    try:
        import torch
    except Exception as err:  # noqa: BLE001
        return Check("GPU", False, f"torch does not import: {err}", "ml")
    if torch.cuda.is_available():
        return Check("GPU", True, f"CUDA {torch.version.cuda}: {torch.cuda.get_device_name(0)}", "ml")
    # not a missing part: the CPU runs everything, only slower
    return Check("GPU", True, f"none visible to torch {torch.__version__}: training runs on the CPU", "ml")


def _layout_copy() -> Check:
    from . import _layout

    name = "fast layout copy"
    if _layout._BUILT is None:
        # not a missing part: numpy copies the same arrays, only slower
        return Check(name, True, "pybridge._transpose not built (no C compiler at install): transposing copies "
                     "(MATLAB <-> torch stacks) use numpy's loop, up to 4-6x slower on stacks in the cache "
                     "(uint8); to build it, install gcc and Python's headers (Debian: sudo apt-get install gcc "
                     "python3-dev), then reinstall pybridge")
    if not getattr(_layout._BUILT, "SIMD", 0):
        return Check(name, True, "pybridge._transpose built without SSE2 (not an x86 machine): numpy's copies, "
                     "which the kernel's element-by-element copy does not beat")
    if _layout.KERNEL is None:
        return Check(name, True, "pybridge._transpose built (SSE2), turned off by PYBRIDGE_LAYOUT_KERNEL=0")
    simd = "SSE2 and AVX2" if getattr(_layout.KERNEL, "AVX2", 0) else "SSE2"
    helper = (", a second thread for copies in a row"
              if getattr(_layout.KERNEL, "THREADS", 0) and _layout._SPLIT else "")
    return Check(name, True, f"pybridge._transpose ({simd}{helper}): MATLAB <-> torch stacks change layout in C")


def matlab_release() -> str | None:
    """The release (e.g. ``'R2024b'``) of the MATLAB on PATH, or None when there is none."""
    exe = shutil.which("matlab")
    if exe is None:
        return None
    root = Path(os.path.realpath(exe)).parent.parent
    try:
        text = (root / "VersionInfo.xml").read_text(errors="replace")
    except OSError:
        text = ""
    m = re.search(r"R20\d\d[ab]", text) or re.search(r"R20\d\d[ab]", str(root))
    return m.group(0) if m else None


def _matlab_engine() -> Check:
    # the engine module owns backend detection (the repository's matlab/ folder is not matlabengine)
    from .engine import available_backends

    info = available_backends()["matlab"]
    if info.available:
        return Check("MATLAB engine", True, info.detail, "matlab")
    release = matlab_release()
    if release is None:
        return Check("MATLAB engine", False, "no MATLAB on PATH (optional: GNU Octave runs the .m code instead)",
                     "matlab", "install MATLAB R2022b or newer and put `matlab` on PATH; "
                               "pybridge doctor then names the matlabengine for its release")
    part = f"matlab-{release.lower()}" if release in MATLAB_ENGINE else "matlab"
    detail = f"MATLAB {release} found, its engine for Python (matlabengine) is not installed"
    if release not in MATLAB_ENGINE:
        detail += f"; pybridge pins matlabengine for {', '.join(MATLAB_ENGINE)} only"
    return Check("MATLAB engine", False, detail, part)


def _octave() -> list[Check]:
    apt = "sudo apt-get install octave octave-image   (Debian/Ubuntu; pybridge's Octave transport is Linux-only)"
    exe = shutil.which("octave-cli")
    if exe is None:
        return [Check("GNU Octave", False, "octave-cli not on PATH", "octave", apt),
                Check("Octave image package", False, "Octave missing", "octave", apt)]
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout
        ver = out.splitlines()[0] if out else "unknown version"
    except (OSError, subprocess.TimeoutExpired) as err:
        return [Check("GNU Octave", False, f"{exe} does not run: {err}", "octave", apt)]
    octave = Check("GNU Octave", True, f"{ver} ({exe})", "octave")
    fix = "sudo apt-get install octave-image"
    try:
        r = subprocess.run([exe, "--no-gui", "--norc", "--quiet", "--no-history", "--eval",
                            "pkg load image; disp(pkg('list', 'image'){1}.version)"],
                           capture_output=True, text=True, timeout=120)
        image = Check("Octave image package", r.returncode == 0,
                      r.stdout.strip() or r.stderr.strip()[:200], "octave", "" if r.returncode == 0 else fix)
    except subprocess.TimeoutExpired:
        image = Check("Octave image package", False, "octave did not answer in 120 s", "octave", fix)
    return [octave, image]


def _octave_kernel() -> Check:
    # Only the distribution is checked: importing octave_kernel starts Octave.
    ver = _version("octave_kernel")
    if ver is None:
        return Check("Octave Jupyter kernel", False, "octave_kernel not installed", "notebooks")
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
    except Exception as err:  # noqa: BLE001
        return Check("Octave Jupyter kernel", False, f"jupyter_client cannot list kernels: {err}", "notebooks")
    if "octave" not in specs:
        return Check("Octave Jupyter kernel", False, f"octave_kernel {ver} installed, kernel not registered",
                     "notebooks", f"{Path(sys.executable).name} -m octave_kernel install --sys-prefix")
    return Check("Octave Jupyter kernel", True, f"octave_kernel {ver}", "notebooks")


def run_checks() -> list[Check]:
    """Probe every part pybridge can use. Starts no engine; runs ``octave-cli`` twice."""
    checks = [_python()]
    checks += [_package(d, m, "core") for d, m in (("numpy", "numpy"), ("scipy", "scipy"), ("pydicom", "pydicom"),
                                                   ("matplotlib", "matplotlib"), ("Jinja2", "jinja2"))]
    checks.append(_mfiles())
    checks.append(_layout_copy())
    checks += [_package(d, m, "ml") for d, m in (("torch", "torch"), ("monai", "monai"), ("captum", "captum"),
                                                 ("safetensors", "safetensors"), ("scikit-learn", "sklearn"))]
    checks.append(_gpu())
    checks += _octave()
    checks.append(_matlab_engine())
    dask = _version("dask")
    distributed = _version("distributed")
    checks.append(Check("dask.distributed", bool(dask and distributed),
                        f"dask {dask}, distributed {distributed}" if dask and distributed else "not installed", "dask"))
    jlab = _version("jupyterlab")
    checks.append(Check("JupyterLab", jlab is not None, jlab or "not installed", "notebooks"))
    checks.append(_octave_kernel())
    return checks


def report(checks: list[Check]) -> str:
    """The table ``pybridge doctor`` prints, then one command per part that misses something."""
    width = max(len(c.name) for c in checks)
    lines = []
    part = None
    for c in checks:
        if c.part != part:
            part = c.part
            title = "core" if part == "core" else f"extra [{part}]"
            lines.append(title)
        mark = "ok  " if c.ok else ("MISS" if c.required else "--  ")
        lines.append(f"  [{mark}] {c.name:<{width}}  {c.detail}")
    fixes: list[str] = []
    for c in checks:
        if c.ok:
            continue
        cmd = c.fix or fix_command(c.part)
        line = f"  {'core' if c.part == 'core' else '[' + c.part + ']':<12} {cmd}"
        if line not in fixes:
            fixes.append(line)
    lines.append("")
    missing_core = [c.name for c in checks if c.required and not c.ok]
    if missing_core:
        lines.append(f"pybridge cannot run: {', '.join(missing_core)} missing.")
    elif not fixes:
        lines.append("everything pybridge can use is here.")
    else:
        lines.append("the core works; optional parts are missing.")
    if fixes:
        lines.append("to install what is missing, one command per part:")
        lines.extend(fixes)
    return "\n".join(lines)
