function varargout = pyconn(cmd, varargin)
%PYCONN The connection to the Python process behind py. in GNU Octave (private).
%   One Python process per Octave session, started on first use, serving
%   requests over two FIFOs (blocking, so large writes cannot stall or be
%   lost); arrays larger than 64 KiB travel through files in /dev/shm (or
%   tempdir) in Octave's binary format (save -binary / load). The wire
%   protocol is documented in pybridge/_octpy/server.py.
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
%   Errors: MATLAB:Python:PyException ("Python Error: <Type>: <message>"),
%   MATLAB:Python:ProcessTerminated (the process died; the next call starts
%   a new one), MATLAB:Python:CannotStart, MATLAB:Python:StaleObject.

persistent S
if isempty(S)
  mlock();
  S = struct('exe', '', 'pid', -1, 'fw', -1, 'fr', -1, 'dir', '', 'gen', 0, ...
             'seq', 0, 'nfile', 0, 'cwd', '', 'released', zeros(1, 0));
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
  kill(S.pid, 9);
  waitpid(S.pid);
  S = reset(S);
  warning('pybridge:py:restarted', ...
    'py.: the previous Python call was interrupted; Python is restarted and its objects are gone');
end
switch cmd
  case 'eval'
    S = ensure(S);
    [nout, kind, start, s] = varargin{:};
    if kind == 'G'
      tok = {'EVAL', sprintf('%d', nout), 'G', start};
    else
      tok = {'EVAL', sprintf('%d', nout), 'R', sprintf('%d', checkgen(S, start))};
    end
    pay = {};
    for k = 1:numel(s)
      switch s(k).type
        case '.'
          tok(end + 1:end + 2) = {'.', s(k).subs};
        case '()'
          [tok, pay, S] = encargs(S, '(', s(k).subs, tok, pay);
        case '{}'
          [tok, pay, S] = encargs(S, '{', s(k).subs, tok, pay);
      end
    end
    [S, varargout{1}] = request(S, tok, pay);
  case 'conv'
    S = ensure(S);
    [id, gen, mode] = varargin{:};
    [S, varargout{1}] = request(S, {'CONV', sprintf('%d', checkgen(S, [id gen])), mode}, {});
  case 'set'
    S = ensure(S);
    [id, gen, name, value] = varargin{:};
    tok = {'SET', sprintf('%d', checkgen(S, [id gen])), name};
    [tok, pay, S] = enc(S, value, tok, {});
    [S, ~] = request(S, tok, pay);
  case 'del'
    % released objects ride along with the next request (no round trip of their own)
    [id, gen] = varargin{:};
    if gen == S.gen && S.fw >= 0
      S.released(end + 1) = id;
      if numel(S.released) >= 256 && alive(S)
        [S, ~] = request(S, {'PING'}, {});
      end
    end
  case 'config'
    if S.pid > 0 && ~strcmp(S.exe, varargin{1})
      S = stop(S);
    end
    S.exe = varargin{1};
  case 'status'
    if S.pid > 0 && ~alive(S)
      S = reset(S);
    end
    varargout{1} = struct('Executable', S.exe, 'ProcessID', S.pid, 'Generation', S.gen, ...
                          'Folder', S.dir);
  case 'terminate'
    S = stop(S);
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
      [S, ~] = request(S, {'CWD', 'S', sprintf('%d', numel(c))}, {{c, 'char'}});
    end
    return;
  end
  pid = S.pid;
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
base = '/dev/shm';
if ~isfolder(base) || ~writable(base)
  base = tempdir();
end
d = tempname(base, 'pybridge-octpy-');
[ok, msg] = mkdir(d);
if ~ok
  error('MATLAB:Python:CannotStart', 'py.: cannot create %s: %s', d, msg);
end
req = fullfile(d, 'req');
resp = fullfile(d, 'resp');
if mkfifo(req, 600) ~= 0 || mkfifo(resp, 600) ~= 0
  error('MATLAB:Python:CannotStart', 'py.: cannot create FIFOs in %s', d);
end
S.exe = exe;
S.dir = d;
S.cwd = pwd();
S.pid = system(sprintf('exec %s -u -m pybridge._octpy %s', shq(exe), shq(d)), false, 'async');
S.fw = fopen(req, 'w');
S.fr = fopen(resp, 'r');
S.gen = S.gen + 1;
S.seq = 0;
[S, ~] = request(S, {'PING'}, {});
end

function S = stop(S)
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
  t0 = tic();
  while waitpid(S.pid, WNOHANG()) == 0
    if toc(t0) > 5
      kill(S.pid, 9);             % it did not finish on its own (a stuck thread)
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
if ~isempty(S.dir) && isfolder(S.dir)
  confirm_recursive_rmdir(false, 'local');
  try
    rmdir(S.dir, 's');
  catch
  end
end
S.pid = -1;
interrupted(false);
S.released = zeros(1, 0);
S.fw = -1;
S.fr = -1;
S.dir = '';
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

function [S, val] = request(S, tok, pay)
interrupted(true);                 % until the whole answer is read
S.seq = S.seq + 1;
nbytes = 0;
for k = 1:numel(pay)
  nbytes = nbytes + bytesof(pay{k}{1}, pay{k}{2});
end
fwrite(S.fw, [sprintf('%d %d %d', S.seq, nbytes, numel(S.released)), ...
              sprintf(' %d', S.released), sprintf(' %s', tok{:}), char(10)], 'char');
S.released = zeros(1, 0);
for k = 1:numel(pay)
  fwrite(S.fw, pay{k}{1}, pay{k}{2});
end
fflush(S.fw);
while true
  n = fread(S.fr, 1, 'uint32=>double');
  if isempty(n)
    interrupted(false);
    pid = S.pid;
    S = reset(S);
    error('MATLAB:Python:ProcessTerminated', ...
      ['Python process %d terminated during this call (crashed, was killed, or called exit); ' ...
       'its Python objects are gone. The next py. call starts a new process.'], pid);
  end
  line = fread(S.fr, [1 n], '*char');
  t = ostrsplit(line, ' ');
  if str2double(t{1}) == S.seq
    break;
  end
  % the answer to a call interrupted earlier (Ctrl-C): skip it and its payload
  skip = str2double(t{2});
  if skip > 0
    fread(S.fr, skip, 'uint8');
  end
end
if strcmp(t{3}, 'OK')
  [val, ~, S] = dec(S, t, 4);
  interrupted(false);
else
  n = str2double(t{2});
  msg = fread(S.fr, [1 n], '*char');
  interrupted(false);
  error('MATLAB:Python:PyException', 'Python Error: %s: %s', t{4}, msg);
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

function n = bytesof(x, prec)
switch prec
  case {'double', 'int64', 'uint64'}
    n = 8 * numel(x);
  case {'single', 'int32', 'uint32'}
    n = 4 * numel(x);
  case {'int16', 'uint16'}
    n = 2 * numel(x);
  otherwise
    n = numel(x);
end
end

% ------------------------------------------------------------------ encoding

function [tok, pay, S] = encargs(S, bracket, args, tok, pay)
tok(end + 1:end + 2) = {bracket, sprintf('%d', numel(args))};
for k = 1:numel(args)
  [tok, pay, S] = enc(S, args{k}, tok, pay);
end
end

function [tok, pay, S] = enc(S, x, tok, pay)
if isnumeric(x) || islogical(x)
  if ~isreal(x)
    error('MATLAB:Python:UnsupportedInput', ...
      'py.: complex arrays cannot be passed to Python; pass real(x) and imag(x)');
  end
  if issparse(x)
    error('MATLAB:Python:UnsupportedInput', 'py.: sparse arrays cannot be passed to Python; use full(x)');
  end
  cls = class(x);
  if isscalar(x)
    if islogical(x)
      tok(end + 1:end + 2) = {'B', sprintf('%d', x)};
    elseif isfloat(x)
      tok(end + 1:end + 2) = {'F', sprintf('%.17g', x)};
    elseif isa(x, 'uint64') && x > uint64(intmax('int64'))
      % sprintf('%d') goes through double above 2^63: print it in two exact halves
      hi = idivide(x, uint64(1e10));
      tok(end + 1:end + 3) = {'I', cls, sprintf('%d%010d', hi, x - hi * uint64(1e10))};
    else
      tok(end + 1:end + 3) = {'I', cls, sprintf('%d', x)};
    end
    return;
  end
  sz = size(x);
  prec = cls;
  if islogical(x)
    prec = 'uint8';
  end
  head = {'A', cls, sprintf('%d', numel(sz)), sprintf('%d ', sz)};
  head{end}(end) = [];
  nb = bytesof(x, prec);
  if nb <= 65536
    tok = [tok, head, {'-'}];
    pay{end + 1} = {x, prec};
  else
    % Octave's binary format: save/load run about twice as fast as fwrite/fread
    S.nfile = S.nfile + 1;
    name = sprintf('o%d.oct', S.nfile);
    save('-binary', fullfile(S.dir, name), 'x');
    tok = [tok, head, {['@' name]}];
  end
elseif ischar(x)
  if ~(isempty(x) || isrow(x))
    error('MATLAB:Python:UnsupportedInput', ...
      'py.: only a char row vector can become a Python str; got a %s char array', mat2str(size(x)));
  end
  tok(end + 1:end + 2) = {'S', sprintf('%d', numel(x))};
  pay{end + 1} = {x, 'char'};
elseif isa(x, 'pyobject')
  tok(end + 1:end + 2) = {'R', sprintf('%d', checkgen(S, pyid(x)))};
elseif iscell(x)
  if ~(isempty(x) || isvector(x))
    error('MATLAB:Python:UnsupportedInput', ...
      'py.: only a cell vector can become a Python tuple; got a %s cell array', mat2str(size(x)));
  end
  tok(end + 1:end + 2) = {'T', sprintf('%d', numel(x))};
  for k = 1:numel(x)
    [tok, pay, S] = enc(S, x{k}, tok, pay);
  end
elseif isstruct(x)
  if ~isscalar(x)
    error('MATLAB:Python:UnsupportedInput', ...
      'py.: only a scalar struct can become a Python dict; got a %s struct array', mat2str(size(x)));
  end
  f = fieldnames(x);
  tok(end + 1:end + 2) = {'D', sprintf('%d', numel(f))};
  for k = 1:numel(f)
    tok{end + 1} = f{k};
    [tok, pay, S] = enc(S, x.(f{k}), tok, pay);
  end
elseif isa(x, 'pykwargs')
  [names, values] = kwitems(x);
  tok(end + 1:end + 2) = {'K', sprintf('%d', numel(names))};
  for k = 1:numel(names)
    tok{end + 1} = names{k};
    [tok, pay, S] = enc(S, values{k}, tok, pay);
  end
else
  error('MATLAB:Python:UnsupportedInput', 'py.: cannot pass a MATLAB %s to Python', class(x));
end
end

% ------------------------------------------------------------------ decoding

function [v, i, S] = dec(S, t, i)
switch t{i}
  case 'F'
    v = str2double(t{i + 1});
    i = i + 2;
  case 'B'
    v = t{i + 1} == '1';
    i = i + 2;
  case 'N'
    v = [];
    i = i + 1;
  case 'O'
    v = pyobject(str2double(t{i + 1}), S.gen, t{i + 2});
    i = i + 3;
  case 'S'
    n = str2double(t{i + 1});
    if n > 0
      v = fread(S.fr, [1 n], '*char');
    else
      v = '';
    end
    i = i + 2;
  case 'A'
    cls = t{i + 1};
    nd = str2double(t{i + 2});
    sz = str2double(t(i + 3:i + 2 + nd));
    loc = t{i + 3 + nd};
    i = i + 4 + nd;
    prec = cls;
    if strcmp(cls, 'logical')
      prec = 'uint8';
    end
    n = prod(sz);
    if n == 0
      v = zeros(sz, prec);
    elseif loc(1) == '-'
      v = fread(S.fr, n, ['*' prec]);
    else
      f = fullfile(S.dir, loc(2:end));
      v = load('-binary', f);
      v = v.x;
      unlink(f);
    end
    v = reshape(v, sz);
    if strcmp(cls, 'logical')
      v = logical(v);
    end
  case 'C'
    n = str2double(t{i + 1});
    i = i + 2;
    v = cell(1, n);
    for k = 1:n
      [v{k}, i, S] = dec(S, t, i);
    end
  case 'D'
    n = str2double(t{i + 1});
    i = i + 2;
    v = struct();
    for k = 1:n
      name = t{i};
      [v.(name), i, S] = dec(S, t, i + 1);
    end
  otherwise
    error('pybridge:py:internal', 'py.: unknown value tag %s from Python', t{i});
end
end
