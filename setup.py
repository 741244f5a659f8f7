"""What pyproject.toml cannot say: the package list, and the ``matlab`` start-up hook.

``pybridge._matlab`` is the repository's matlab/ folder (mapped in
pyproject.toml's ``package-dir``), installed as package data so that a wheel
carries the .m code; its test folder stays out.

``pybridge-matlab.pth`` goes into site-packages next to the package. Its line
runs ``pybridge._matlab_finder.install()`` at Python start-up, so ``import
matlab`` works where MathWorks' matlabengine is not installed (and never
shadows it).
"""

import os

from setuptools import Extension, find_namespace_packages, setup
from setuptools.command.build_py import build_py

PTH = "pybridge-matlab.pth"
MATLAB = ["pybridge._matlab"] + [
    f"pybridge._matlab.{name}"
    for name in find_namespace_packages(where="matlab", exclude=["tests", "tests.*"])
]


# The transposing copy of pybridge._layout, in C (SSE2 where the machine has it).
# optional: where no C compiler is found the install goes on without it, and
# pybridge._layout copies with numpy (slower; `pybridge doctor` says which).
# With it the wheel is for one platform (e.g. cp311-linux_x86_64);
# PYBRIDGE_PURE=1 leaves it out and builds a py3-none-any wheel for any platform.
TRANSPOSE = Extension("pybridge._transpose", ["pybridge/_transpose.c"], optional=True)
PURE = os.environ.get("PYBRIDGE_PURE", "0") not in ("", "0")


class BuildPyWithPth(build_py):
    def run(self):
        super().run()
        self.copy_file(PTH, os.path.join(self.build_lib, PTH))

    def get_outputs(self, include_bytecode=True):
        return [*super().get_outputs(include_bytecode), os.path.join(self.build_lib, PTH)]

    def get_output_mapping(self):
        mapping = super().get_output_mapping()
        mapping[os.path.join(self.build_lib, PTH)] = PTH
        return mapping


setup(
    ext_modules=[] if PURE else [TRANSPOSE],
    packages=[*find_namespace_packages(include=["pybridge", "pybridge.*"]), *MATLAB],
    cmdclass={"build_py": BuildPyWithPth},
)
