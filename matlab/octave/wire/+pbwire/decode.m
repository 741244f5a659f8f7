function [x, p] = decode(buf, p, folders, gen)
%DECODE One value from bytes of pybridge's Octave wire (private to pybridge).
%   [X, P] = pbwire.decode(BUF, P, FOLDERS, GEN) reads the value that
%   starts at byte P of the uint8 vector BUF and returns the position after
%   it. Files named by the bytes are read from FOLDERS and deleted. GEN
%   is the generation of the Python process (for Python object handles).
%   The format is described in pybridge/_octpy/wire.py.
if nargin < 4
  gen = 0;
end
[x, p] = dec(buf, p, folders, gen);
end

function [x, p] = dec(buf, p, folders, gen)
tag = buf(p);
p = p + 1;
switch tag
  case 7
    x = typecast(buf(p:p + 7), 'double');
    p = p + 8;
  case 1
    [cls, p] = str(buf, p);
    [d, p] = dims(buf, p);
    cx = buf(p);
    [x, p] = part(buf, p + 1, cls, d, folders);
    if cx
      if ~isfloat(x)
        error('pybridge:wire:unsupported', ...
          ['GNU Octave has no complex %s arrays (its complex numbers are double or single); ' ...
           'send double or single values, or the real and imaginary parts as two arrays'], cls);
      end
      [im, p] = part(buf, p, cls, d, folders);
      x = complex(x, im);
    end
  case 2
    [d, p] = dims(buf, p);
    [x, p] = part(buf, p, 'char', d, folders);
  case 3
    [cls, p] = str(buf, p);
    [d, p] = dims(buf, p);
    cx = buf(p);
    n = double(typecast(buf(p + 1:p + 8), 'uint64'));
    p = p + 9;
    [i, p] = part(buf, p, 'int64', [n, 1], folders);
    [j, p] = part(buf, p, 'int64', [n, 1], folders);
    [v, p] = part(buf, p, cls, [n, 1], folders);
    if cx
      [im, p] = part(buf, p, cls, [n, 1], folders);
      v = complex(v, im);
    end
    x = sparse(double(i), double(j), v, d(1), d(2));
  case 4
    [d, p] = dims(buf, p);
    x = cell(d);
    for k = 1:numel(x)
      [x{k}, p] = dec(buf, p, folders, gen);
    end
  case 5
    [d, p] = dims(buf, p);
    nf = double(typecast(buf(p:p + 3), 'uint32'));
    p = p + 4;
    f = cell(1, nf);
    for q = 1:nf
      [f{q}, p] = str(buf, p);
    end
    n = prod(d);
    if nf == 0
      x = repmat(struct(), d);
    else
      args = [f; cell(1, nf)];
      x = repmat(struct(args{:}), d);
    end
    for k = 1:n
      for q = 1:nf
        [x(k).(f{q}), p] = dec(buf, p, folders, gen);
      end
    end
  case 6
    [kt, p] = str(buf, p);
    [vt, p] = str(buf, p);
    n = double(typecast(buf(p:p + 3), 'uint32'));
    p = p + 4;
    k = cell(1, n);
    v = cell(1, n);
    for q = 1:n
      [k{q}, p] = dec(buf, p, folders, gen);
    end
    for q = 1:n
      [v{q}, p] = dec(buf, p, folders, gen);
    end
    if n == 0
      x = containers.Map('KeyType', kt, 'ValueType', vt);
    else
      x = containers.Map(k, v, 'UniformValues', false);
      if ~strcmp(x.KeyType, kt) || ~strcmp(vt, 'any')
        x = containers.Map('KeyType', kt, 'ValueType', vt);
        for q = 1:n
          x(k{q}) = v{q};
        end
      end
    end
  case 8
    [cls, p] = str(buf, p);
    [txt, p] = str(buf, p);
    error('pybridge:wire:unsupported', 'a %s (%s) cannot be passed to GNU Octave', cls, txt);
  case 10
    id = double(typecast(buf(p:p + 7), 'int64'));
    [cls, p] = str(buf, p + 8);
    x = pyobject(id, gen, cls);
  case 11
    n = double(typecast(buf(p:p + 3), 'uint32'));
    p = p + 4;
    names = cell(1, n);
    vals = cell(1, n);
    for q = 1:n
      [names{q}, p] = str(buf, p);
      [vals{q}, p] = dec(buf, p, folders, gen);
    end
    x = pykwargs(names, vals);
  otherwise
    error('pybridge:wire:corrupt', 'unknown value tag %d at byte %d', tag, p - 1);
end
end

function [s, p] = str(buf, p)
n = double(typecast(buf(p:p + 3), 'uint32'));
s = char(buf(p + 4:p + 3 + n));
s = s(:).';
p = p + 4 + n;
end

function [d, p] = dims(buf, p)
nd = double(buf(p));
d = double(typecast(buf(p + 1:p + 8 * nd), 'uint64')).';
p = p + 1 + 8 * nd;
end

function [x, p] = part(buf, p, cls, d, folders)
loc = buf(p);
if loc == 0
  n = double(typecast(buf(p + 1:p + 8), 'uint64'));
  raw = buf(p + 9:p + 8 + n);
  p = p + 9 + n;
  if strcmp(cls, 'logical')
    x = reshape(logical(raw), d);
  elseif strcmp(cls, 'char')
    x = reshape(char(raw), d);
  elseif n == 0
    x = zeros(d, cls);
  else
    x = reshape(typecast(raw, cls), d);
  end
else
  [name, p] = str(buf, p + 1);
  if loc > numel(folders) || any(name == '/') || any(name == '\')
    error('pybridge:wire:corrupt', 'a payload file name from Python is not valid: %s', name);
  end
  f = fullfile(folders{loc}, name);
  try
    s = load('-binary', f);
  catch e
    unlink(f);
    rethrow(e);
  end
  unlink(f);
  x = reshape(s.x, d);
  if strcmp(cls, 'char')
    x = char(x);
  end
end
end
