function serve(folder, fallback, gen, token)
%SERVE The request loop of pybridge.engine's GNU Octave backend (private to pybridge).
%   pbwire.serve(FOLDER, FALLBACK, GEN, TOKEN) opens the FIFOs reqGEN and
%   respGEN in FOLDER and runs each call Python sends until Python closes
%   the channel, or Ctrl-C (SIGINT, the engine's interrupt) leaves the loop
%   and Octave's prompt; Python then starts the loop again with GEN + 1.
%   After each call it prints TOKEN and the call's number to stdout and
%   stderr, so that Python knows the call's printed text is complete.
%   The format is described in pybridge/_octpy/wire.py.
folders = {folder, fallback};
fin = fopen(fullfile(folder, sprintf('req%d', gen)), 'r');
fout = fopen(fullfile(folder, sprintf('resp%d', gen)), 'w');
cleanup = onCleanup(@() closeboth(fin, fout));
fwrite(fout, [typecast(uint64(5), 'uint8'), uint8(2), typecast(uint32(gen), 'uint8')]);
fflush(fout);
while true
  n = fread(fin, 1, 'uint64=>double');
  if isempty(n)
    break;                            % Python closed the channel
  end
  buf = fread(fin, n, '*uint8');
  seq = typecast(buf(2:5), 'uint32');
  try
    reply = handle(buf, folders);
  catch e
    reply = failure(seq, e);
  end
  fprintf(stdout, '%s%d;', token, seq);
  fflush(stdout);
  fprintf(stderr, '%s%d;', token, seq);
  fflush(stderr);
  fwrite(fout, [typecast(uint64(numel(reply)), 'uint8'), reply]);
  fflush(fout);
end
end

function reply = handle(buf, folders)
verb = buf(1);
seq = typecast(buf(2:5), 'uint32');
if verb == 2
  reply = [uint8(0), typecast(seq, 'uint8'), typecast(uint32(0), 'uint8')];
  return;
end
nout = double(typecast(buf(6:9), 'uint32'));
n = double(typecast(buf(10:13), 'uint32'));
name = char(buf(14:13 + n)).';
p = 14 + n;
nargs = double(typecast(buf(p:p + 3), 'uint32'));
p = p + 4;
args = cell(1, nargs);
for k = 1:nargs
  if buf(p) == 7                      % a real double scalar, the common case
    args{k} = typecast(buf(p + 1:p + 8), 'double');
    p = p + 9;
  else
    [args{k}, p] = pbwire.decode(buf, p, folders);
  end
end
outs = cell(1, nout);
try
  if nout > 0
    [outs{1:nout}] = feval(name, args{:});
  else
    feval(name, args{:});
  end
catch e
  reply = failure(seq, e);
  return;
end
parts = cell(1, nout);
for k = 1:nout
  x = outs{k};
  if isa(x, 'double') && isscalar(x) && isreal(x) && ~issparse(x)
    parts{k} = [uint8(7), typecast(x, 'uint8')];
  else
    parts{k} = pbwire.encode(x, folders);
  end
end
reply = [uint8(0), typecast(seq, 'uint8'), typecast(uint32(nout), 'uint8'), parts{:}];
end

function reply = failure(seq, e)
frames = {};
for k = 1:numel(e.stack)
  s = e.stack(k);
  if ~isempty(strfind(s.file, [filesep() '+pbwire' filesep()]))
    continue;                           % the loop's own frames
  end
  frames{end + 1} = [txt(s.file), txt(s.name), typecast(int64(s.line), 'uint8')];
end
reply = [uint8(1), typecast(uint32(seq), 'uint8'), txt(e.identifier), txt(e.message), ...
         typecast(uint32(numel(frames)), 'uint8'), frames{:}];
end

function b = txt(s)
s = uint8(s);
b = [typecast(uint32(numel(s)), 'uint8'), s(:).'];
end

function closeboth(fin, fout)
fclose(fin);
fclose(fout);
end
