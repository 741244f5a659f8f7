function out = callPython(fname, pyname, varargin)
%CALLPYTHON Call pybridge.mapi.<PYNAME> and return its result as a MATLAB value.
%   OUT = pybridge.internal.callPython(FNAME, PYNAME, ARG1, ..., ARGN)
%   calls the Python function pybridge.mapi.PYNAME(ARG1, ..., ARGN) through
%   the static entry point py.pybridge.mapi.call and converts the result with
%   pybridge.fromPython (ndarray -> numeric/logical, dict -> struct,
%   list -> cell, str -> char, None -> []). Pass keyword arguments as the
%   last argument with pyargs('name', value, ...).
%
%   Python exceptions become MATLAB errors with identifier
%   pybridge:<FNAME>:<reason> and the Python message (see
%   pybridge.internal.throwPython for the reasons).
%
%   This is the one helper every wrapper in +pybridge uses; it holds no
%   algorithm. Internal: its interface may change.
%
%   Example
%     d = pybridge.internal.callPython('dice', 'dice', true(3), true(3));
%
%   See also pybridge.internal.throwPython, pybridge.fromPython, pyargs.

if exist('OCTAVE_VERSION', 'builtin') ~= 0 && exist('pycall', 'file') == 2
  % pybridge's py. for Octave: call and convert in one round trip
  try
    out = pycall('pybridge.mapi.call', pyname, varargin{:});
  catch err
    pybridge.internal.throwPython(fname, err);
  end
  return;
end
try
  r = py.pybridge.mapi.call(pyname, varargin{:});
catch err
  pybridge.internal.throwPython(fname, err);
end
out = pybridge.fromPython(r);
end
