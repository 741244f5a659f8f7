"""Ships ``pybridge-matlab.pth`` into site-packages next to the package.

Everything else is in pyproject.toml. The .pth line runs
``pybridge._matlab_finder.install()`` at Python start-up, so ``import matlab``
works where MathWorks' matlabengine is not installed (and never shadows it).
"""

import os

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = "pybridge-matlab.pth"


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


setup(cmdclass={"build_py": BuildPyWithPth})
