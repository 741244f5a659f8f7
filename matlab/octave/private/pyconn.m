function varargout = pyconn(cmd, varargin)
%PYCONN The connection to the Python process behind py. in GNU Octave (private).
%   One Python process per Octave session, started on first use, serving
%   requests over two FIFOs (blocking, so large writes cannot stall or be
%   lost) in a private folder (mode 0700, files 0600) in /dev/shm, or in
%   tempdir where /dev/shm is missing or full. Messages are length-prefixed
%   binary (no name or text can be taken for a token); arrays larger than
%   64 KiB travel as files in Octave's binary format (save -binary / load).
%   The wire is described in pybridge/_octpy/wire.py and
%   pybridge/_octpy/server.py; its Octave half is matlab/octave/wire/+pbwire.
%
%   V = pyconn('eval', NOUT, KIND, START, S)   evaluate py.<START> (KIND 'G')
%                                              or object START (KIND 'R')
%                                              followed by the subsref chain S
%   V = pyconn('conv', ID, GEN, MODE)          convert an object to a MATLAB value
%   pyconn('set', ID, GEN, NAME, VALUE)        setattr
%   pyconn('del', ID, GEN)                     release an object
%   pyconn('config', EXE)                      choose the Python executable
%   S = pyconn('status')                       executable, pid, generation
%   pyconn('terminate')                        stop the process
%
%   What Python prints during a call is printed by Octave as it arrives, in
%   order, so evalc and diary capture it.
%
%   Errors: MATLAB:Python:PyException ("Python Error: <Type>: <message>"),
%   MATLAB:Python:UnsupportedInput (a value Python cannot take),
%   MATLAB:Python:ProcessTerminated (the process died; the next call starts
%   a new one), MATLAB:Python:CannotStart (with the reason, within about
%   10 s), MATLAB:Python:StaleObject.

persistent S
if isempty(S)
  mlock();
  S = struct('exe', '', 'pid', -1, 'pypid', -1, 'fw', -1, 'fr', -1, 'dir', '', 'spill', '', ...
             'gen', 0, 'seq', 0, 'cwd', '', 'released', zeros(1, 0));
end

% dispatch returns the state even when the request fails, so that a process
% started by a call that then raises is kept, not orphaned
[S, err, varargout{1:nargout}] = dispatch(S, cmd, varargin{:});
if ~isempty(err)
  if any(strcmp(err.identifier, {'MATLAB:Python:ProcessTerminated', 'MATLAB:Python:CannotStart'}))
    S = reset(S);
  end
  rethrow(err);
end
end

function [S, err, varargout] = dispatch(S, cmd, varargin)
err = [];
varargout = cell(1, max(nargout - 2, 0));
try
if interrupted() && S.pid > 0 && any(strcmp(cmd, {'eval', 'conv', 'set'}))
  % a call was interrupted (Ctrl-C) half way through a message: the channel
  % cannot be trusted, and Python may still be busy with that call
  S = stop(S, true);
  warning('pybridge:py:restarted', ...
    'py.: the previous Python call was interrupted; Python is restarted and its objects are gone');
end
switch cmd
  case 'eval'
    S = ensure(S);
    [nout, kind, start, s] = varargin{:};
    if kind == 'G'
      head = [uint8(1), txt(start)];
    else
      head = [uint8(2), typecast(int64(checkgen(S, start)), 'uint8')];
    end
    ops = cell(1, numel(s));
    for k = 1:numel(s)
      switch s(k).type
        case '.'
          ops{k} = [uint8(1), txt(s(k).subs)];
        case '()'
          ops{k} = [uint8(2), encargs(S, s(k).subs)];
        case '{}'
          ops{k} = [uint8(3), encargs(S, s(k).subs)];
      end
    end
    body = [typecast(int32(nout), 'uint8'), head, typecast(uint32(numel(s)), 'uint8'), ops{:}];
    [S, varargout{1}] = request(S, 1, body);
  case 'conv'
    S = ensure(S);
    [id, gen, mode] = varargin{:};
    [S, varargout{1}] = request(S, 2, [typecast(int64(checkgen(S, [id gen])), 'uint8'), txt(mode)]);
  case 'set'
    S = ensure(S);
    [id, gen, name, value] = varargin{:};
    body = [typecast(int64(checkgen(S, [id gen])), 'uint8'), txt(name), enc(S, value)];
    [S, ~] = request(S, 3, body);
  case 'del'
    % released objects ride along with the next request (no round trip of their own)
    [id, gen] = varargin{:};
    if gen == S.gen && S.fw >= 0
      S.released(end + 1) = id;
      if numel(S.released) >= 256 && alive(S)
        [S, ~] = request(S, 6, zeros(1, 0, 'uint8'));
      end
    end
  case 'config'
    if S.pid > 0 && ~strcmp(S.exe, varargin{1})
      S = stop(S, false);
    end
    S.exe = varargin{1};
  case 'status'
    if S.pid > 0 && ~alive(S)
      S = reset(S);
    end
    varargout{1} = struct('Executable', S.exe, 'ProcessID', S.pypid, 'Generation', S.gen, ...
                          'Folder', S.dir);
  case 'terminate'
    S = stop(S, false);
  otherwise
    error('pybridge:py:internal', 'pyconn: unknown command %s', cmd);
end
catch e
  err = e;
end
end

% ------------------------------------------------------------------ process

function S = ensure(S)
if S.pid > 0
  if alive(S)
    c = pwd();
    if ~strcmp(c, S.cwd)
      S.cwd = c;
      [S, ~] = request(S, 5, txt(c));
    end
    return;
  end
  pid = S.pypid;
  S = reset(S);
  error('MATLAB:Python:ProcessTerminated', ...
    'Python process %d has terminated; its Python objects are gone. The next py. call starts a new process.', pid);
end
S = start(S);
end

function ok = alive(S)
ok = waitpid(S.pid, WNOHANG()) == 0;
end

function S = start(S)
exe = S.exe;
if isempty(exe)
  exe = getenv('PYBRIDGE_PYTHON');
end
if isempty(exe)
  exe = 'python3';
end
[st, out] = system(sprintf('%s -c "import pybridge._octpy.server" 2>&1', shq(exe)));
if st ~= 0
  error('MATLAB:Python:CannotStart', ...
    ['py.: cannot start Python ''%s'' with pybridge (exit status %d):\n%s\n' ...
     'Run pybridge.setup: it chooses the Python and says what to install.'], exe, st, strtrim(out));
end
addpath(fullfile(fileparts(fileparts(mfilename('fullpath'))), 'wire'));
base = getenv('PYBRIDGE_TRANSPORT_DIR');
if isempty(base)
  base = '/dev/shm';
  if ~isfolder(base) || ~writable(base)
    base = tempdir();
  end
end
old = umask(77);                   % octal 077: folders 0700, files 0600
restore = onCleanup(@() umask(old));
cleanstale(base);
spill = newfolder(tempdir());
try
  d = newfolder(base);
catch
  d = spill;                       % /dev/shm is full: the temporary folder serves alone
end
req = fullfile(d, 'req');
resp = fullfile(d, 'resp');
if mkfifo(req, 600) ~= 0 || mkfifo(resp, 600) ~= 0
  error('MATLAB:Python:CannotStart', 'py.: cannot create FIFOs in %s', d);
end
S.exe = exe;
S.dir = d;
S.spill = spill;
S.cwd = pwd();
% The shell keeps SIGINT for Python alone. Python that has not opened its
% FIFOs within 10 s is stopped, and when Python exits without having opened
% them, the shell opens both for a moment: Octave, waiting in fopen, then
% reads end-of-file (an error) instead of waiting for good.
script = sprintf(['trap '''' INT; cd %s || exit 1; %s -m pybridge._octpy %s %s %d & p=$!; ' ...
                  'exec 2>/dev/null; ( sleep 10; [ -e ready ] || kill -9 $p ) >/dev/null & ' ...
                  'wait $p; st=$?; if [ -p req ] && [ ! -e ready ]; then ' ...
                  'exec 3<>req 4<>resp; sleep 2; fi; exit $st'], ...
                 shq(d), shq(exe), shq(d), shq(spill), getpid());
S.pid = system(['exec sh -c ' shq(script)], false, 'async');
S.fw = fopen(req, 'w');
S.fr = fopen(resp, 'r');
S.gen = S.gen + 1;
S.seq = 0;
[S, pypid] = request(S, 6, zeros(1, 0, 'uint8'));
S.pypid = pypid;
end

function d = newfolder(base)
% a private folder named after this Octave's pid, so that a later session
% can tell a stale one (its Octave is gone) and remove it
for k = 1:20
  d = fullfile(base, sprintf('pybridge-octpy-%d-%s', getpid(), dec2hex(randi(2^31), 8)));
  [ok, msg] = mkdir(d);
  if ok && numel(dir(d)) == 2
    return;
  end
end
error('MATLAB:Python:CannotStart', 'py.: cannot create a private folder in %s: %s', base, msg);
end

function cleanstale(base)
% remove folders left by Octave sessions that were killed (their pid is gone)
for b = {base, tempdir()}
  items = dir(fullfile(b{1}, 'pybridge-octpy-*'));
  for k = 1:numel(items)
    tok = regexp(items(k).name, '^pybridge-octpy-(\d+)-', 'tokens', 'once');
    if isempty(tok) || ~items(k).isdir
      continue;
    end
    pid = str2double(tok{1});
    if pid ~= getpid() && kill(pid, 0) ~= 0
      f = fullfile(b{1}, items(k).name);
      [info, e] = lstat(f);
      if e == 0 && S_ISDIR(info.mode) && info.uid == getuid()
        confirm_recursive_rmdir(false, 'local');
        [~] = rmdir(f, 's');
      end
    end
  end
end
end

function S = stop(S, force)
% closing the request FIFO is the Python process's signal to finish
if S.fw >= 0
  fclose(S.fw);
  S.fw = -1;
end
if S.fr >= 0
  fclose(S.fr);
  S.fr = -1;
end
if S.pid > 0
  if force
    if S.pypid > 0
      kill(S.pypid, 9);
    end
    kill(S.pid, 9);
  end
  t0 = tic();
  while waitpid(S.pid, WNOHANG()) == 0
    if toc(t0) > 5
      if S.pypid > 0
        kill(S.pypid, 9);         % it did not finish on its own (a stuck thread)
      end
      kill(S.pid, 9);
      waitpid(S.pid);
      break;
    end
    pause(0.01);
  end
end
S = reset(S);
end

function S = reset(S)
if S.fw >= 0
  try
    fclose(S.fw);
  catch
  end
end
if S.fr >= 0
  try
    fclose(S.fr);
  catch
  end
end
if S.pid > 0
  try
    waitpid(S.pid, WNOHANG());
  catch
  end
end
confirm_recursive_rmdir(false, 'local');
for f = {S.dir, S.spill}
  if ~isempty(f{1}) && isfolder(f{1})
    try
      [~] = rmdir(f{1}, 's');
    catch
    end
  end
end
S.pid = -1;
S.pypid = -1;
interrupted(false);
S.released = zeros(1, 0);
S.fw = -1;
S.fr = -1;
S.dir = '';
S.spill = '';
S.cwd = '';
end

function ok = writable(d)
[st, attr] = fileattrib(d);
ok = st && attr.UserWrite;
end

function q = shq(s)
q = ['''' strrep(s, '''', '''\''''') ''''];
end

function id = checkgen(S, idgen)
if idgen(2) ~= S.gen
  error('MATLAB:Python:StaleObject', ...
    'this Python object belonged to a Python process that has terminated; create it again');
end
id = idgen(1);
end

% ------------------------------------------------------------------ messages

function [S, val] = request(S, verb, body)
interrupted(true);                 % until the whole answer is read
S.seq = S.seq + 1;
rel = typecast(int64(S.released), 'uint8');
msg = [uint8(verb), typecast(uint32(S.seq), 'uint8'), typecast(uint32(numel(S.released)), 'uint8'), ...
       rel(:).', body];
S.released = zeros(1, 0);
fwrite(S.fw, [typecast(uint64(numel(msg)), 'uint8'), msg]);
fflush(S.fw);
while true
  n = fread(S.fr, 1, 'uint64=>double');
  if isempty(n)
    interrupted(false);
    pid = S.pypid;
    if pid <= 0                    % it never answered its first request
      [~, status] = waitpid(S.pid);
      S = reset(S);
      code = WEXITSTATUS(status);
      why = sprintf('it exited with status %d', code);
      if code == 137
        why = 'it did not open its channel within 10 s and was stopped';
      end
      error('MATLAB:Python:CannotStart', ...
        'py.: the Python process did not start: %s.\nRun pybridge.setup: it checks the Python and says what to install.', why);
    end
    S = reset(S);
    error('MATLAB:Python:ProcessTerminated', ...
      ['Python process %d terminated during this call (crashed, was killed, or called exit); ' ...
       'its Python objects are gone. The next py. call starts a new process.'], pid);
  end
  buf = fread(S.fr, n, '*uint8');
  if typecast(buf(2:5), 'uint32') ~= S.seq
    continue;                      % the answer to a call interrupted earlier (Ctrl-C)
  end
  switch buf(1)
    case 0
      val = pbwire.decode(buf, 6, {S.dir, S.spill}, S.gen);
      interrupted(false);
      return;
    case 2                         % text Python printed during the call
      n = double(typecast(buf(7:10), 'uint32'));
      if buf(6) == 2
        fputs(stderr, char(buf(11:10 + n)).');
      else
        fputs(stdout, char(buf(11:10 + n)).');
      end
    otherwise
      interrupted(false);
      n = double(typecast(buf(6:9), 'uint32'));
      type = char(buf(10:9 + n)).';
      m = double(typecast(buf(10 + n:13 + n), 'uint32'));
      text = char(buf(14 + n:13 + n + m)).';
      if strcmp(type, 'UnsupportedInput')
        error('MATLAB:Python:UnsupportedInput', 'py.: %s', text);
      end
      error('MATLAB:Python:PyException', 'Python Error: %s: %s', type, text);
  end
end
end

function tf = interrupted(value)
% true while a message is under way: still true at the next call only when
% the last one was interrupted (Ctrl-C) before its answer was read
persistent flag
if isempty(flag)
  flag = false;
end
if nargin > 0
  flag = value;
end
tf = flag;
end

% ------------------------------------------------------------------ encoding

function b = txt(s)
s = uint8(s);
b = [typecast(uint32(numel(s)), 'uint8'), s(:).'];
end

function b = encargs(S, args)
parts = cell(1, numel(args));
for k = 1:numel(args)
  parts{k} = enc(S, args{k});
end
b = [typecast(uint32(numel(args)), 'uint8'), parts{:}];
end

function b = enc(S, x)
if isa(x, 'pyobject')
  checkgen(S, pyid(x));
end
b = pbwire.encode(x, {S.dir, S.spill});
end
