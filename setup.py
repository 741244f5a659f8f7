"""What pyproject.toml cannot say: the package list.

``pybridge._matlab`` is the repository's matlab/ folder (mapped in
pyproject.toml's ``package-dir``), installed as package data so that a wheel
carries the .m code; its test folder stays out.
"""

from setuptools import find_namespace_packages, setup

MATLAB = ["pybridge._matlab"] + [
    f"pybridge._matlab.{name}"
    for name in find_namespace_packages(where="matlab", exclude=["tests", "tests.*"])
]

setup(packages=[*find_namespace_packages(include=["pybridge", "pybridge.*"]), *MATLAB])
