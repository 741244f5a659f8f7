function b = encode(x, folders)
%ENCODE One MATLAB value as bytes of pybridge's Octave wire (private to pybridge).
%   B = pbwire.encode(X, FOLDERS) is a uint8 row. Arrays larger than 64 KiB
%   are written to a file in FOLDERS{1} (a private folder in /dev/shm) in
%   Octave's binary format, or in FOLDERS{2} (under tempdir) when the first
%   is full; B then names the file. The format is described in
%   pybridge/_octpy/wire.py.
%
%   Errors: pybridge:wire:unsupported for a value that cannot be sent.
b = enc(x, folders);
end

function b = enc(x, folders)
if isa(x, 'double') && isscalar(x) && isreal(x) && ~issparse(x)
  b = [uint8(7), typecast(x, 'uint8')];       % the common case, kept short
elseif ischar(x)
  b = [uint8(2), dims(x), part(uint8(x(:).'), folders)];
elseif isnumeric(x) || islogical(x)
  if issparse(x)
    [i, j, v] = find(x);
    if isreal(x)
      b = [uint8(3), str(class(x)), dims(x), uint8(0), u64(numel(v)), part(int64(i(:).'), folders), ...
           part(int64(j(:).'), folders), part(v(:).', folders)];
    else
      b = [uint8(3), str(class(x)), dims(x), uint8(1), u64(numel(v)), part(int64(i(:).'), folders), ...
           part(int64(j(:).'), folders), part(real(v(:).'), folders), part(imag(v(:).'), folders)];
    end
  elseif isreal(x)
    b = [uint8(1), str(class(x)), dims(x), uint8(0), part(x, folders)];
  else
    b = [uint8(1), str(class(x)), dims(x), uint8(1), part(real(x), folders), part(imag(x), folders)];
  end
elseif iscell(x)
  n = numel(x);
  c = cell(1, n);
  for k = 1:n
    c{k} = enc(x{k}, folders);
  end
  b = [uint8(4), dims(x), c{:}];
elseif isstruct(x)
  f = fieldnames(x);
  nf = numel(f);
  n = numel(x);
  c = cell(1, nf * n);
  for k = 1:n
    for q = 1:nf
      c{(k - 1) * nf + q} = enc(x(k).(f{q}), folders);
    end
  end
  names = cell(1, nf);
  for q = 1:nf
    names{q} = str(f{q});
  end
  b = [uint8(5), dims(x), u32(nf), names{:}, c{:}];
elseif isa(x, 'containers.Map')
  k = keys(x);
  v = values(x);
  c = cell(1, 2 * numel(k));
  for q = 1:numel(k)
    c{q} = enc(k{q}, folders);
    c{numel(k) + q} = enc(v{q}, folders);
  end
  b = [uint8(6), str(x.KeyType), str(x.ValueType), u32(numel(k)), c{:}];
elseif isa(x, 'pyobject')
  idgen = pyid(x);
  b = [uint8(9), typecast(int64(idgen), 'uint8')];
elseif isa(x, 'pykwargs')
  [names, vals] = kwitems(x);
  c = cell(1, 2 * numel(names));
  for q = 1:numel(names)
    c{2 * q - 1} = str(names{q});
    c{2 * q} = enc(vals{q}, folders);
  end
  b = [uint8(11), u32(numel(names)), c{:}];
elseif isa(x, 'function_handle')
  b = [uint8(8), str('function_handle'), str(func2str(x))];
else
  b = [uint8(8), str(class(x)), str('')];
end
end

function b = u64(n)
b = typecast(uint64(n), 'uint8');
end

function b = u32(n)
b = typecast(uint32(n), 'uint8');
end

function b = str(s)
s = uint8(s);
b = [typecast(uint32(numel(s)), 'uint8'), s(:).'];
end

function b = dims(x)
d = size(x);
b = [uint8(numel(d)), typecast(uint64(d), 'uint8')];
end

function b = part(p, folders)
% the elements of P in column-major order: inline, or a file for large arrays
if islogical(p)
  p = uint8(p);
end
if numel(p) <= 8192 || numel(p) * bytes1(p) <= 65536
  if isempty(p)
    b = [uint8(0), zeros(1, 8, 'uint8')];
  else
    raw = typecast(p(:).', 'uint8');
    b = [uint8(0), typecast(uint64(numel(raw)), 'uint8'), raw];
  end
  return;
end
persistent count
if isempty(count)
  count = 0;
end
count = count + 1;
name = sprintf('o%d.oct', count);
x = full(p);                % a range, diagonal or permutation matrix: plain storage
old = umask(77);            % octal 077: the file is private to this user (0600)
loc = 0;
for q = 1:numel(folders)
  f = fullfile(folders{q}, name);
  try
    save('-binary', f, 'x');
    if complete(f)
      loc = q;
      break;
    end
  catch
  end
  if exist(f, 'file')
    unlink(f);             % a partial file: the folder is full
  end
end
umask(old);
if loc == 0
  error('pybridge:wire:noSpace', ...
    'cannot write a %s array of %d elements to %s: the folders are full', ...
    class(p), numel(p), strjoin(folders, ' or '));
end
b = [uint8(loc), str(name)];
end

function ok = complete(f)
% whether the file save wrote holds all its data (save does not report a
% full disk): the size its header promises against its size on disk
[info, e] = stat(f);
fid = fopen(f, 'r');
h = fread(fid, 512, '*uint8').';
fclose(fid);
if e ~= 0 || numel(h) < 31
  ok = false;
  return;
end
n = double(typecast(h(23:26), 'int32'));
tname = char(h(27:26 + n));
p = 27 + n;
nd = -double(typecast(h(p:p + 3), 'int32'));
count = prod(double(typecast(h(p + 4:p + 3 + 4 * nd), 'int32')));
p = p + 4 + 4 * nd;
switch tname
  case {'matrix', 'float matrix'}
    sizes = [1 2 4 1 2 4 4 8 8 8];  % Octave's storage codes 0..9 (it narrows whole numbers)
    per = sizes(double(h(p)) + 1);
    p = p + 1;
  case 'bool matrix'
    per = 1;
  otherwise
    per = bytes1(zeros(1, 1, strtok(tname)));
end
ok = info.size == p - 1 + count * per;
end

function n = bytes1(p)
switch class(p)
  case {'double', 'int64', 'uint64'}
    n = 8;
  case {'single', 'int32', 'uint32'}
    n = 4;
  case {'int16', 'uint16'}
    n = 2;
  otherwise
    n = 1;
end
end
