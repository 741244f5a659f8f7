function v = pycall(name, varargin)
%PYCALL Call a Python function and convert its result whole, in one round trip (Octave).
%   V = pycall('module.function', ARG1, ..., ARGN) is
%   pybridge.fromPython(py.module.function(ARG1, ..., ARGN)) with one
%   message to the Python process instead of two: the result comes back as
%   a MATLAB value (ndarray -> numeric/logical, dict -> struct, list/tuple
%   -> cell, str -> char, None -> []). Keyword arguments with pyargs, as in
%   py. calls. pybridge.internal.callPython uses it on GNU Octave.
%
%   Example
%     s = pycall('pybridge.mapi.call', 'ping');       % 'pong'
%
%   See also py, pybridge.fromPython, pybridge.internal.callPython.
if nargin < 1 || ~ischar(name) || isempty(regexp(name, '^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\z', 'once'))
  error('MATLAB:Python:BadSyntax', 'pycall: the first argument must be a dotted Python name');
end
v = pyconn('eval', -1, 'G', name, struct('type', '()', 'subs', {varargin}));
end
