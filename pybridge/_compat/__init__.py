"""Packages pybridge provides under other names (see :mod:`pybridge._matlab_finder`)."""
