"""``pybridge doctor``: what is installed, what is missing, and the command that fixes it."""

from __future__ import annotations

import importlib
import importlib.metadata
import shutil
import subprocess
import sys
from dataclasses import dataclass

__all__ = ["Check", "run_checks", "report"]


@dataclass
class Check:
    """One component: its name, whether it works, what was found, and the fix."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _python() -> Check:
    v = sys.version_info
    ok = v >= (3, 10)
    return Check("Python", ok, f"{sys.version.split()[0]} at {sys.executable}",
                 "" if ok else "install Python >= 3.10 (Debian: apt-get install python3.11 python3.11-venv)")


def _package(dist: str, module: str, fix: str, required: bool = True) -> Check:
    ver = _version(dist)
    if ver is None:
        return Check(dist, False, "not installed", fix, required)
    try:
        importlib.import_module(module)
    except Exception as err:  # a broken install is as bad as a missing one
        return Check(dist, False, f"{ver} installed but import fails: {err}", fix, required)
    return Check(dist, True, ver, "", required)


def _torch() -> list[Check]:
    fix = "pip install torch==2.13.0   (the CPU build; or: bash scripts/test.sh, which installs everything)"
    c = _package("torch", "torch", fix)
    if not c.ok:
        return [c, Check("GPU", False, "torch missing", fix, required=False)]
    import torch

    if torch.cuda.is_available():
        gpu = Check("GPU", True, f"CUDA {torch.version.cuda}: {torch.cuda.get_device_name(0)}", required=False)
    else:
        gpu = Check("GPU", False, f"none visible to torch {torch.__version__} (training runs on the CPU)",
                    "optional: a CUDA machine with a CUDA build of torch", required=False)
    return [c, gpu]


def _matlab_engine() -> Check:
    # the engine module owns backend detection (a repo's matlab/ folder is not matlabengine)
    from .engine import available_backends

    info = available_backends()["matlab"]
    if not info.available:
        return Check("MATLAB engine", False, "not usable here", info.detail, required=False)
    return Check("MATLAB engine", True, info.detail, required=False)


def _octave() -> list[Check]:
    fix = "sudo apt-get install octave octave-image   (Debian/Ubuntu)"
    exe = shutil.which("octave-cli")
    if exe is None:
        return [Check("GNU Octave", False, "octave-cli not on PATH", fix),
                Check("Octave image package", False, "Octave missing", fix)]
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout
        ver = out.splitlines()[0] if out else "unknown version"
    except (OSError, subprocess.TimeoutExpired) as err:
        return [Check("GNU Octave", False, f"{exe} does not run: {err}", fix)]
    octave = Check("GNU Octave", True, f"{ver} ({exe})")
    try:
        r = subprocess.run([exe, "--no-gui", "--norc", "--eval", "pkg load image; disp(pkg('list', 'image'){1}.version)"],
                           capture_output=True, text=True, timeout=120)
        image = Check("Octave image package", r.returncode == 0,
                      r.stdout.strip() or r.stderr.strip()[:200], "" if r.returncode == 0 else "sudo apt-get install octave-image")
    except subprocess.TimeoutExpired:
        image = Check("Octave image package", False, "octave did not answer in 120 s", "sudo apt-get install octave-image")
    return [octave, image]


def _octave_kernel() -> Check:
    fix = "pip install octave_kernel   (then: python -m octave_kernel install --user)"
    # Only the distribution is checked: importing octave_kernel starts Octave.
    ver = _version("octave_kernel")
    c = Check("Octave Jupyter kernel", ver is not None, ver or "not installed", fix, required=False)
    if not c.ok:
        return c
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
    except Exception as err:  # noqa: BLE001
        return Check(c.name, False, f"jupyter_client cannot list kernels: {err}", fix, required=False)
    if "octave" not in specs:
        return Check(c.name, False, f"octave_kernel {c.detail} installed, kernel spec not registered",
                     "python -m octave_kernel install --sys-prefix", required=False)
    return Check(c.name, True, f"octave_kernel {c.detail}", required=False)


def run_checks() -> list[Check]:
    """Probe every component pybridge can use. Starts no engine; runs ``octave-cli`` once or twice."""
    checks = [_python()]
    checks += [_package("numpy", "numpy", "pip install numpy")]
    checks += _torch()
    checks += [
        _package("scikit-learn", "sklearn", "pip install scikit-learn"),
        _package("pydicom", "pydicom", "pip install pydicom"),
        _matlab_engine(),
    ]
    checks += _octave()
    checks += [
        # importing oct2py creates its module-level Octave session: check the distribution only
        Check("oct2py", _version("oct2py") is not None, _version("oct2py") or "not installed", "pip install oct2py"),
        _octave_kernel(),
    ]
    return checks


def report(checks: list[Check]) -> str:
    """The table ``pybridge doctor`` prints."""
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        mark = "ok  " if c.ok else ("MISS" if c.required else "--  ")
        lines.append(f"[{mark}] {c.name:<{width}}  {c.detail}")
        if not c.ok and c.fix:
            lines.append(f"       {'':<{width}}  fix: {c.fix}")
    missing = [c.name for c in checks if c.required and not c.ok]
    lines.append("")
    lines.append("everything pybridge needs is here" if not missing
                 else f"missing: {', '.join(missing)}  (bash scripts/test.sh installs all of it)")
    return "\n".join(lines)
