function info = setup(varargin)
%SETUP Find and configure the Python that pybridge's MATLAB functions call.
%   pybridge.setup checks that Python can import pybridge and numpy and
%   makes py. ready:
%     - in MATLAB it configures pyenv, out of process by default (torch and
%       MATLAB ship clashing libraries, which crash an in-process Python);
%     - in GNU Octave it puts pybridge's py. provider (matlab/octave) on the
%       path and tells it which Python to start.
%   When Python or pybridge is missing, the error says exactly what to
%   install or run.
%
%   The Python executable is, in this order: the 'Python' option, the
%   environment variable PYBRIDGE_PYTHON, the Python that pybridge is
%   installed in (when this folder is the one `pybridge matlab-path`
%   prints from a pip install), the repository's virtual environment
%   (.venv/bin/python next to the matlab folder of a source checkout), then
%   'python3' ('python' on Windows). In MATLAB, a Python that pyenv already
%   loaded is kept.
%
%   INFO = pybridge.setup(...) returns a struct with fields Executable,
%   Version (Python's), ExecutionMode, Provider ('matlab' or 'pybridge'),
%   and PybridgeVersion.
%
%   Options
%     'Python'         path of the Python executable
%     'ExecutionMode'  'OutOfProcess' (default) or 'InProcess' (MATLAB)
%     'Verbose'        true (default) prints what was configured
%
%   Example
%     addpath('/path/to/matlab');   % the folder holding +pybridge: what
%                                   % `pybridge matlab-path` prints (a full
%                                   % path, so that cd and run keep it)
%     pybridge.setup();
%     d = pybridge.dice(true(4), true(4));
%
%   Errors
%     pybridge:setup:invalidOption    bad option value or pairing
%     pybridge:setup:unknownOption    an unknown option name
%     pybridge:setup:pythonNotFound   the Python executable does not run
%                                     (or MATLAB's pyenv refuses it)
%     pybridge:setup:importFailed     Python runs but cannot import
%                                     pybridge or numpy (message: what to
%                                     install)
%
%   See also pyenv, pybridge.toPython, pybridge.fromPython.

opts = pybridge.internal.parseOptions('setup', ...
  struct('Python', '', 'ExecutionMode', 'OutOfProcess', 'Verbose', true), varargin);
if ~ischar(opts.Python)
  error('pybridge:setup:invalidOption', ...
    'pybridge.setup: ''Python'' must be the path of a Python executable (text); got a %s', ...
    class(opts.Python));
end
if ~ischar(opts.ExecutionMode) || ~any(strcmpi(opts.ExecutionMode, {'OutOfProcess', 'InProcess'}))
  error('pybridge:setup:invalidOption', ...
    'pybridge.setup: ''ExecutionMode'' must be ''OutOfProcess'' or ''InProcess''');
end

here = fileparts(mfilename('fullpath'));        % .../matlab/+pybridge
matlabDir = fileparts(here);                    % .../matlab
repo = fileparts(matlabDir);                    % repository root
isOctave = exist('OCTAVE_VERSION', 'builtin') ~= 0;

exe = chooseExecutable(opts.Python, repo);

if isOctave
  octDir = fullfile(matlabDir, 'octave');
  addpath(octDir);                              % first on the path: before pythonic's py
  if ~strcmp(fileparts(which('py')), octDir)
    warning('pybridge:setup:shadowedPy', ...
      'pybridge.setup: %s shadows pybridge''s py.; pybridge''s wrappers need the one in %s', ...
      which('py'), octDir);
  end
  checkImports(exe, repo);
  pyenv('Version', exe);
  provider = 'pybridge';
  mode = 'OutOfProcess';
else
  pe = pyenv();
  if strcmp(char(pe.Status), 'Loaded')
    exe = char(pe.Executable);
  else
    checkImports(exe, repo);
    try
      pyenv('Version', exe, 'ExecutionMode', opts.ExecutionMode);
    catch err
      error('pybridge:setup:pythonNotFound', ...
        'pybridge.setup: MATLAB''s pyenv refused Python ''%s'': %s', exe, err.message);
    end
  end
  pe = pyenv();
  mode = char(pe.ExecutionMode);
  provider = 'matlab';
end

try
  ver = char(py.platform.python_version());
  pbver = char(py.getattr(py.importlib.import_module('pybridge'), '__version__'));
  pong = char(py.pybridge.mapi.call('ping'));
catch err
  error('pybridge:setup:importFailed', ...
    'pybridge.setup: Python ''%s'' starts but py. cannot use pybridge: %s\n%s', ...
    exe, err.message, installHint(repo));
end
if ~strcmp(pong, 'pong')
  error('pybridge:setup:importFailed', 'pybridge.setup: pybridge.mapi did not answer');
end
info = struct('Executable', exe, 'Version', ver, 'ExecutionMode', mode, ...
              'Provider', provider, 'PybridgeVersion', pbver);
if opts.Verbose
  fprintf('pybridge %s ready: Python %s (%s), %s, py. by %s\n', pbver, ver, exe, mode, provider);
end
end

function exe = chooseExecutable(given, repo)
if ~isempty(given)
  exe = given;
  return;
end
exe = getenv('PYBRIDGE_PYTHON');
if ~isempty(exe)
  return;
end
exe = installedPython(repo);
if ~isempty(exe)
  return;
end
if ispc()
  venv = fullfile(repo, '.venv', 'Scripts', 'python.exe');
else
  venv = fullfile(repo, '.venv', 'bin', 'python');
end
if exist(venv, 'file') == 2
  exe = venv;
elseif ispc()
  exe = 'python';
else
  exe = 'python3';
end
end

function exe = installedPython(pkg)
%INSTALLEDPYTHON The Python whose site-packages holds this copy of pybridge, or ''.
%   A pip install puts the .m code in <site-packages>/pybridge/_matlab, so
%   PKG (the folder above matlabDir) is <site-packages>/pybridge.
exe = '';
[sitePackages, name] = fileparts(pkg);
[libDir, spName] = fileparts(sitePackages);
if ~strcmp(name, 'pybridge') || ~any(strcmp(spName, {'site-packages', 'dist-packages'}))
  return;
end
if ispc()
  % <prefix>\Lib\site-packages: a venv has Scripts\python.exe, an installation python.exe
  prefix = fileparts(libDir);
  candidates = {fullfile(prefix, 'Scripts', 'python.exe'), fullfile(prefix, 'python.exe')};
else
  % <prefix>/lib/python3.X/site-packages: the interpreter is <prefix>/bin/python3.X
  [lib, pyName, pyVersion] = fileparts(libDir);   % 'python3' and '.11'
  pyName = [pyName pyVersion];
  prefix = fileparts(lib);
  candidates = {fullfile(prefix, 'bin', pyName), fullfile(prefix, 'bin', 'python3'), ...
                fullfile(prefix, 'bin', 'python')};
end
for k = 1:numel(candidates)
  if exist(candidates{k}, 'file') == 2
    exe = candidates{k};
    return;
  end
end
end

function checkImports(exe, repo)
q = ['"' exe '"'];
[st, out] = system([q ' -c "import sys; print(sys.version.split()[0])" 2>&1']);
if st ~= 0
  error('pybridge:setup:pythonNotFound', ...
    ['pybridge.setup: cannot run Python ''%s'' (exit status %d): %s\n' ...
     'Install Python 3.10 or newer, or name yours: pybridge.setup(''Python'', ''/path/to/python'') ' ...
     'or set the environment variable PYBRIDGE_PYTHON.'], exe, st, strtrim(out));
end
[st, out] = system([q ' -c "import numpy, pybridge" 2>&1']);
if st ~= 0
  error('pybridge:setup:importFailed', ...
    'pybridge.setup: Python ''%s'' cannot import pybridge:\n%s\n%s', exe, strtrim(out), installHint(repo));
end
end

function s = installHint(repo)
if exist(fullfile(repo, 'scripts', 'bootstrap.sh'), 'file') == 2
  s = sprintf(['Install pybridge into that Python: run  bash %s  (creates .venv with everything), ' ...
               'or  python -m pip install -e "%s"  with the Python you use.'], ...
              fullfile(repo, 'scripts', 'bootstrap.sh'), repo);
else
  s = ['Install pybridge into that Python:  python -m pip install "pybridge-lab[ml]"  ' ...
       '(or name the Python that has it: pybridge.setup(''Python'', ''/path/to/python''))'];
end
end
