function results = runtests_pybridge(varargin)
%RUNTESTS_PYBRIDGE Run pybridge's .m tests, on MATLAB and GNU Octave alike.
%   RESULTS = runtests_pybridge() runs every local function whose name
%   starts with 'test_' in every matlab/tests/test_*.m file, each in its own
%   workspace, after pybridge.setup. It prints one line per test (PASS,
%   FAIL with the error id, message and line, SKIP with the reason) and a
%   summary, and returns a struct array with fields file, name, status
%   ('pass', 'fail', 'skip'), message and seconds.
%
%   A test file is a function file that returns its local functions:
%       function tests = test_area
%       tests = localfunctions;
%       end
%       function test_something
%       assert(...);
%       end
%   Helpers in +pbtest: pbtest.assertError, pbtest.assertEqual,
%   pbtest.assertClose, pbtest.skip, pbtest.requirePython.
%
%   Options
%     'Files'        cell of file names (without .m) to run; default all
%     'Folder'       folder holding the test files; default this one
%     'ResultsFile'  also write the results there, one tab-separated
%                    line per test: status, file, test, seconds, message
%     'Setup'        call pybridge.setup first (default true)
%     'Exit'         exit MATLAB/Octave when done, with status 1 when a
%                    test failed and 0 otherwise (default false)
%
%   Example (shell)
%     octave-cli --quiet --no-history --eval "addpath('matlab/tests'); runtests_pybridge('Exit', true)"
%     matlab -batch "addpath('matlab/tests'); runtests_pybridge('Exit', true)"
%
%   See also pbtest.assertError, pybridge.setup.

here = fileparts(mfilename('fullpath'));
opts = struct('Files', {{}}, 'Folder', here, 'ResultsFile', '', 'Setup', true, 'Exit', false);
for k = 1:2:numel(varargin)
  opts.(varargin{k}) = varargin{k + 1};
end
if ischar(opts.Files)
  opts.Files = {opts.Files};
end
addpath(here);
addpath(fileparts(here));          % the folder holding +pybridge
addpath(opts.Folder);

results = struct('file', {}, 'name', {}, 'status', {}, 'message', {}, 'seconds', {});
status = 0;
fid = -1;
if ~isempty(opts.ResultsFile)
  % written test by test, so a crash keeps the results so far
  fid = fopen(opts.ResultsFile, 'w');
end
try
  if opts.Setup
    pybridge.setup('Verbose', true);
  end
  listing = dir(fullfile(opts.Folder, 'test_*.m'));
  names = sort({listing.name});
  for f = 1:numel(names)
    [~, fileName] = fileparts(names{f});
    if ~isempty(opts.Files) && ~any(strcmp(fileName, opts.Files))
      continue;
    end
    results = runFile(fileName, results, fid);
  end
catch err
  results(end + 1) = struct('file', 'runtests_pybridge', 'name', 'setup', 'status', 'fail', ...
    'message', describe(err), 'seconds', 0);
  fprintf('FAIL runtests_pybridge/setup: %s\n', describe(err));
  record(fid, results(end));
end

np = sum(strcmp({results.status}, 'pass'));
nf = sum(strcmp({results.status}, 'fail'));
ns = sum(strcmp({results.status}, 'skip'));
fprintf('\n%d passed, %d failed, %d skipped\n', np, nf, ns);
if fid >= 0
  fclose(fid);
end
if nf > 0
  status = 1;
end
if opts.Exit
  exit(status);
end
end

function results = runFile(fileName, results, fid)
try
  tests = feval(fileName);
catch err
  results(end + 1) = struct('file', fileName, 'name', '(file)', 'status', 'fail', ...
    'message', describe(err), 'seconds', 0);
  fprintf('FAIL %s: cannot list its tests: %s\n', fileName, describe(err));
  record(fid, results(end));
  return;
end
for k = 1:numel(tests)
  name = func2str(tests{k});
  gt = find(name == '>', 1, 'last');
  if ~isempty(gt)
    name = name(gt + 1:end);
  end
  if ~strncmp(name, 'test_', 5)
    continue;
  end
  t0 = tic;
  try
    tests{k}();
    st = 'pass';
    msg = '';
  catch err
    if strcmp(err.identifier, 'pbtest:skip')
      st = 'skip';
      msg = err.message;
    else
      st = 'fail';
      msg = describe(err);
    end
  end
  secs = toc(t0);
  results(end + 1) = struct('file', fileName, 'name', name, 'status', st, ...
    'message', msg, 'seconds', secs);
  record(fid, results(end));
  switch st
    case 'pass'
      fprintf('PASS %s/%s (%.2f s)\n', fileName, name, secs);
    case 'skip'
      fprintf('SKIP %s/%s: %s\n', fileName, name, msg);
    otherwise
      fprintf('FAIL %s/%s: %s\n', fileName, name, msg);
  end
end
end

function record(fid, r)
if fid >= 0
  msg = regexprep(r.message, '[\t\r\n]+', ' | ');
  fprintf(fid, '%s\t%s\t%s\t%.4f\t%s\n', r.status, r.file, r.name, r.seconds, msg);
  if exist('OCTAVE_VERSION', 'builtin') ~= 0
    fflush(fid);
  end
end
end

function s = describe(err)
s = err.message;
if ~isempty(err.identifier)
  s = sprintf('[%s] %s', err.identifier, s);
end
for k = 1:numel(err.stack)
  st = err.stack(k);
  [~, f] = fileparts(st.file);
  if strncmp(f, 'test_', 5) || k == 1
    s = sprintf('%s (at %s line %d)', s, st.name, st.line);
    if strncmp(f, 'test_', 5)
      break;
    end
  end
end
end
