function terminate(pe)
%TERMINATE Stop the Python process behind py. in GNU Octave: terminate(pyenv).
%   Python objects held in Octave become invalid; the next py. call starts
%   a new process.
%
%   See also pyenv, py.
if nargin < 1 || ~isstruct(pe) || ~isfield(pe, 'PyBridgeProvider')
  error('MATLAB:Python:BadSyntax', 'terminate: use terminate(pyenv)');
end
pyconn('terminate');
end
