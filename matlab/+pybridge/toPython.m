function p = toPython(x, varargin)
%TOPYTHON Convert a MATLAB value to the Python value pybridge functions take.
%   P = pybridge.toPython(X) returns a Python object: numeric and logical
%   arrays become numpy.ndarray with MATLAB's shape and class (double ->
%   float64, single -> float32, uint8 -> uint8, logical -> bool, ...), char
%   becomes str, a struct becomes a dict and a cell vector a list.
%
%   P = pybridge.toPython(X, 'Layout', L) reads X as a MATLAB image stack
%   and returns numpy N x C x H x W, the layout of pybridge's Python core.
%   L is 'HWCN' (the default of MATLAB's Deep Learning Toolbox), 'HWC',
%   'HWN' or 'HW'.
%
%   Example
%     p = pybridge.toPython(rand(4, 5, 1, 2), 'Layout', 'HWCN');
%     s = double(py.len(p.shape));    % 4 axes: N x C x H x W = 2 x 1 x 4 x 5
%
%   Errors
%     pybridge:toPython:unknownOption   an option other than 'Layout'
%     pybridge:toPython:invalidOption   options not in 'Name', value pairs
%     pybridge:toPython:invalidValue    bad layout or X does not fit it
%     pybridge:toPython:invalidType     X is complex, sparse, a char matrix,
%                                       a struct array, or has no Python
%                                       equivalent (the message says what
%                                       to pass instead)
%     pybridge:toPython:noPython        Python is not set up
%
%   See also pybridge.fromPython, pybridge.setup.

opts = pybridge.internal.parseOptions('toPython', struct('Layout', ''), varargin);
if ~ischar(opts.Layout)
  error('pybridge:toPython:invalidOption', ...
    'pybridge.toPython: ''Layout'' must be text such as ''HWCN''; got a %s', class(opts.Layout));
end
if ~(isnumeric(x) || islogical(x) || ischar(x) || isstruct(x) || iscell(x))
  error('pybridge:toPython:invalidType', ...
    'pybridge.toPython: cannot convert a %s; expected a numeric, logical, char, struct or cell value', ...
    class(x));
end
if isnumeric(x) && ~isreal(x)
  error('pybridge:toPython:invalidType', ...
    'pybridge.toPython: X is complex, which MATLAB''s py. does not pass; pass real(X) and imag(X) separately');
end
if issparse(x)
  error('pybridge:toPython:invalidType', ...
    'pybridge.toPython: X is sparse, which MATLAB''s py. does not pass; pass full(X), or [i, j, v] = find(X) and size(X)');
end
if ischar(x) && size(x, 1) > 1
  error('pybridge:toPython:invalidType', ...
    'pybridge.toPython: X is a %s char matrix, which MATLAB''s py. does not pass; pass cellstr(X) (one str a row)', ...
    mat2str(size(x)));
end
if isstruct(x) && numel(x) ~= 1
  error('pybridge:toPython:invalidType', ...
    'pybridge.toPython: X is a %s struct array, which MATLAB''s py. does not pass; pass num2cell(X) (a cell of scalar structs)', ...
    mat2str(size(x)));
end
try
  if isempty(opts.Layout)
    p = py.pybridge.mapi.to_python(x);
  else
    p = py.pybridge.mapi.to_python(x, pyargs('layout', opts.Layout));
  end
catch err
  pybridge.internal.throwPython('toPython', err);
end
end
