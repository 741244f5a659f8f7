function c = pyClass(x)
%PYCLASS The Python type of X as MATLAB names it ('py.dict', 'py.numpy.ndarray').
%   C = pybridge.internal.pyClass(X) returns class(X) in MATLAB and the
%   same name from pybridge's py. provider in GNU Octave; '' when X is not
%   a Python object.
%
%   Example
%     c = pybridge.internal.pyClass(py.list());   % 'py.list'
%
%   See also pybridge.fromPython.

if isa(x, 'pyobject')
  c = pyclass(x);
elseif strncmp(class(x), 'py.', 3)
  c = class(x);
else
  c = '';
end
end
