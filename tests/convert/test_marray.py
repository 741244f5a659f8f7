"""matlabengine's array types as pybridge provides them (``matlab.double`` and friends).

Reference: MathWorks, "MATLAB Arrays as Python Variables"
(https://www.mathworks.com/help/matlab/matlab_external/matlab-arrays-as-python-variables.html):
its constructor examples ``matlab.double(4)``, ``matlab.double(vector=[11, 22, 33])``,
``matlab.double([[10, 20], [30, 40]])``, ``matlab.double(initializer=[[10, 20], [30, 40]],
size=[2, 2], is_complex=False)``, ``matlab.double(vector=range(0, 20))``,
``matlab.double([[1.1+2.4j, 3+4j], [5.3, 6.7]], is_complex=True)``; "when you create
an array with N elements, the size is 1-by-N": ``matlab.int8([1, 2, 3, 4, 5]).size``
is ``(1, 5)``; a one-dimensional initializer with a multidimensional size is read
in column-major order; logicals cannot be complex.
"""

from __future__ import annotations

import numpy as np
import pytest

from pybridge import _marray as matlab
from pybridge import convert


def test_documented_constructors():
    assert matlab.double(4).size == (1, 1)
    assert matlab.double(vector=[11, 22, 33]).size == (1, 3)
    c = matlab.double([[10, 20], [30, 40]])
    assert c.size == (2, 2) and c[1][0] == 30.0
    d = matlab.double(initializer=[[10, 20], [30, 40]], size=[2, 2], is_complex=False)
    assert d == c
    assert matlab.double(vector=range(0, 20)).size == (1, 20)
    f = matlab.double(vector=[x * x for x in range(0, 10, 2)])
    assert [f[0][i] for i in range(5)] == [0.0, 4.0, 16.0, 36.0, 64.0]
    g = matlab.double([[1.1 + 2.4j, 3 + 4j], [5.3, 6.7]], is_complex=True)
    assert g[0][0] == 1.1 + 2.4j and g[1][1] == 6.7 + 0j


def test_n_elements_make_a_1_by_n_array():
    assert matlab.int8([1, 2, 3, 4, 5]).size == (1, 5)


def test_flat_initializer_with_size_is_column_major_and_reshape_is_in_place():
    a = matlab.int8([1, 2, 3, 4, 5, 6], size=(2, 3))
    assert [[a[i][j] for j in range(3)] for i in range(2)] == [[1, 3, 5], [2, 4, 6]]
    a.reshape((3, 2))
    assert a.size == (3, 2) and [a[i][0] for i in range(3)] == [1, 2, 3]


def test_values_are_checked():
    with pytest.raises(OverflowError):
        matlab.int8([300])
    with pytest.raises(TypeError):
        matlab.int16([1.5])
    with pytest.raises(TypeError):
        matlab.logical([True], is_complex=True)
    with pytest.raises(TypeError, match="is_complex"):
        matlab.double([1 + 2j])
    with pytest.raises(matlab.SizeError):
        matlab.double([1, 2, 3], size=(2, 2))


def test_extremes_of_every_integer_class():
    for name in ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"):
        info = np.iinfo(convert.MATLAB_CLASSES[name])
        a = getattr(matlab, name)([int(info.min), int(info.max)])
        assert a[0][0] == info.min and a[0][1] == info.max


def test_noncomplex_real_imag_toarray():
    a = matlab.double([[1, 2], [3, 4]])
    assert list(a.toarray()) == [1.0, 3.0, 2.0, 4.0]  # column-major
    assert a.noncomplex().size == (4,)
    z = matlab.double([[1 + 2j, 3]], is_complex=True)
    assert [z.real()[i] for i in range(2)] == [1.0, 3.0]
    assert [z.imag()[i] for i in range(2)] == [2.0, 0.0]
    with pytest.raises(ValueError):
        z.noncomplex()


def test_numpy_initializer_keeps_shape_and_np_array_reads_back():
    x = np.arange(6.0).reshape(2, 3)
    a = matlab.double(x)
    assert a.size == (2, 3) and a[1][2] == 5.0
    np.testing.assert_array_equal(np.asarray(a), x)
    empty = matlab.uint8(size=(0, 3))
    assert empty.size == (0, 3) and len(empty) == 0
