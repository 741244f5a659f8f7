function throwPython(fname, err)
%THROWPYTHON Rethrow an error from py. as pybridge:<FNAME>:<reason>.
%   pybridge.internal.throwPython(FNAME, ERR) takes the error ERR (an
%   MException or a struct with fields identifier and message) and raises a MATLAB error whose
%   identifier is pybridge:FNAME:<reason> and whose message is
%   'pybridge.FNAME: <Python message> (Python <ExceptionType>)'.
%
%   Python exception (MATLAB:Python:PyException)   reason
%     ValueError                                      invalidValue
%     TypeError                                       invalidType
%     ImportError, ModuleNotFoundError,
%     EngineNotFoundError                             missingDependency
%     FileNotFoundError                               fileNotFound
%     any other exception                             pythonError
%   a MATLAB value py. cannot pass (MATLAB:Python:
%     ...Unsupported...)                              invalidType
%   Python missing, not set up, or its process died   noPython
%   Any other MATLAB error is rethrown unchanged.
%
%   Example
%     try
%       py.pybridge.mapi.call('nosuchfunction');
%     catch err
%       pybridge.internal.throwPython('demo', err);  % pybridge:demo:invalidValue
%     end
%
%   See also pybridge.internal.callPython.

id = err.identifier;
msg = err.message;
if strcmp(id, 'MATLAB:Python:PyException')
  tok = regexp(msg, '^\s*Python Error:\s*([\w.]+):\s*(.*)$', 'tokens', 'once');
  if isempty(tok)
    tok = regexp(msg, '^\s*Python Error:\s*([\w.]+)\s*(.*)$', 'tokens', 'once');
  end
  if isempty(tok)
    pytype = 'Exception';
    pymsg = msg;
  else
    pytype = tok{1};
    pymsg = strtrim(tok{2});
  end
  dot = find(pytype == '.', 1, 'last');
  if ~isempty(dot)
    pytype = pytype(dot + 1:end);
  end
  switch pytype
    case 'ValueError'
      reason = 'invalidValue';
    case 'TypeError'
      reason = 'invalidType';
    case {'ImportError', 'ModuleNotFoundError', 'EngineNotFoundError'}
      reason = 'missingDependency';
    case 'FileNotFoundError'
      reason = 'fileNotFound';
    otherwise
      reason = 'pythonError';
  end
  error(struct('identifier', sprintf('pybridge:%s:%s', fname, reason), ...
    'message', sprintf('pybridge.%s: %s (Python %s)', fname, pymsg, pytype)));
end
if strncmp(id, 'MATLAB:Python:', 14) && ~isempty(strfind(id, 'Unsupported'))
  error(struct('identifier', sprintf('pybridge:%s:invalidType', fname), ...
    'message', sprintf('pybridge.%s: %s', fname, msg)));
end
if strncmp(id, 'MATLAB:Python:', 14) || strcmp(id, 'Octave:undefined-function') ...
    || strncmp(id, 'pybridge:py:', 12)
  error(struct('identifier', sprintf('pybridge:%s:noPython', fname), 'message', sprintf( ...
    'pybridge.%s needs Python with pybridge: %s (run pybridge.setup first; it says what to install)', ...
    fname, msg)));
end
rethrow(err);
end
