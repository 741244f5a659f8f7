function pe = pyenv(varargin)
%PYENV Choose and inspect the Python behind py. in GNU Octave (MATLAB's pyenv).
%   PE = pyenv returns a struct with fields Version, Executable, Status
%   ('NotLoaded' or 'Loaded'), ExecutionMode ('OutOfProcess': always a
%   separate process here) and ProcessID.
%   PE = pyenv('Version', EXE) uses the Python executable EXE from the next
%   start on (a running process with another executable is stopped).
%   'ExecutionMode' is accepted for MATLAB compatibility; only
%   'OutOfProcess' is supported. terminate(pyenv) stops the process.
%
%   See also py, terminate, pybridge.setup.
if mod(numel(varargin), 2) ~= 0
  error('MATLAB:Python:BadSyntax', 'pyenv: options come in ''Name'', value pairs');
end
for k = 1:2:numel(varargin)
  switch lower(varargin{k})
    case 'version'
      pyconn('config', varargin{k + 1});
    case 'executionmode'
      if ~strcmpi(varargin{k + 1}, 'OutOfProcess')
        error('MATLAB:Python:BadSyntax', ...
          'pyenv: GNU Octave runs Python out of process only; got ExecutionMode ''%s''', varargin{k + 1});
      end
    otherwise
      error('MATLAB:Python:BadSyntax', 'pyenv: unknown option ''%s''', varargin{k});
  end
end
st = pyconn('status');
exe = st.Executable;
if isempty(exe)
  exe = getenv('PYBRIDGE_PYTHON');
end
if isempty(exe)
  exe = 'python3';
end
status = 'NotLoaded';
if st.ProcessID > 0
  status = 'Loaded';
end
pe = struct('Version', '', 'Executable', exe, 'Status', status, ...
            'ExecutionMode', 'OutOfProcess', 'ProcessID', st.ProcessID, 'PyBridgeProvider', true);
end
