function v = fromPython(x)
%FROMPYTHON Convert a Python result to the matching MATLAB value.
%   V = pybridge.fromPython(X) converts any value that Python code returns:
%
%     Python                               MATLAB
%     numpy.ndarray, memoryview,           numeric or logical array of the
%       array.array, torch.Tensor            matching class, shape kept
%     complex numpy arrays                 complex double or single
%     float / bool                         double / logical scalar
%     int                                  int64 scalar
%     dict                                 struct (scalar), values converted
%     list, tuple                          cell row vector, values converted
%     str                                  char row vector
%     None                                 []
%     set                                  cell row vector
%
%   Values that already are MATLAB values are returned unchanged. The
%   conversion rules are pybridge.convert's (column-major, at least 2-D,
%   1-D arrays become 1 x N rows).
%
%   Example
%     p = pybridge.toPython(magic(3));
%     m = pybridge.fromPython(p);          % isequal(m, magic(3))
%     s = pybridge.fromPython(py.dict(pyargs('a', 1)));   % s.a == 1
%
%   Errors
%     pybridge:fromPython:unsupportedType   a Python value with no MATLAB
%                                           equivalent (a set, a model...)
%     pybridge:fromPython:invalidValue      a dict key that is not a valid
%                                           struct field name
%     pybridge:fromPython:noPython          Python is not set up
%
%   See also pybridge.toPython, pybridge.setup.

if isa(x, 'pyobject')
  % pybridge's py. for GNU Octave converts the whole tree in one round trip.
  try
    v = tomatlab(x);
  catch err
    unsupported(err);
  end
  return;
end
if ~strncmp(class(x), 'py.', 3)
  v = x;
  return;
end
try
  x = py.pybridge.mapi.from_python(x);
catch err
  unsupported(err);
end
v = walk(x);
end

function unsupported(err)
if strcmp(err.identifier, 'MATLAB:Python:PyException') ...
    && ~isempty(regexp(err.message, '^\s*Python Error:\s*TypeError', 'once'))
  error('pybridge:fromPython:unsupportedType', 'pybridge.fromPython: %s', ...
    regexprep(err.message, '^\s*Python Error:\s*TypeError:\s*', ''));
end
pybridge.internal.throwPython('fromPython', err);
end

function v = walk(x)
c = class(x);
switch c
  case 'py.NoneType'
    v = [];
  case 'py.str'
    v = char(x);
  case 'py.dict'
    v = struct(x);
    f = fieldnames(v);
    for k = 1:numel(f)
      v.(f{k}) = walk(v.(f{k}));
    end
  case {'py.list', 'py.tuple'}
    v = cell(x);
    for k = 1:numel(v)
      v{k} = walk(v{k});
    end
  case 'py.numpy.ndarray'
    v = ndarrayToMatlab(x);
  case 'py.int'
    v = int64(x);
  otherwise
    if strncmp(c, 'py.', 3)
      error('pybridge:fromPython:unsupportedType', ...
        'pybridge.fromPython: cannot convert a Python %s to a MATLAB value', c(4:end));
    end
    v = x;
end
end

function v = ndarrayToMatlab(x)
dt = char(x.dtype.name);
switch dt
  case 'float64'
    v = double(x);
  case 'float32'
    v = single(x);
  case 'bool'
    v = logical(x);
  case 'complex128'
    v = complex(double(py.numpy.asfortranarray(x.real)), double(py.numpy.asfortranarray(x.imag)));
  case 'complex64'
    v = complex(single(py.numpy.asfortranarray(x.real)), single(py.numpy.asfortranarray(x.imag)));
  case {'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'}
    v = feval(dt, x);
  otherwise
    error('pybridge:fromPython:unsupportedType', ...
      'pybridge.fromPython: numpy dtype %s has no MATLAB class', dt);
end
end
