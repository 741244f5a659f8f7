function r = bench_octave_py(ncalls, nrep, mb)
%BENCH_OCTAVE_PY Time pybridge's py. for GNU Octave (run by bench_octave_py.py).
%   R = bench_octave_py(NCALLS, NREP, MB) returns a struct of timings in
%   seconds: per-call latencies of NCALLS calls (py.math.sqrt, a method of
%   a returned object, pybridge.dice on 64 x 64 masks) and NREP transfers of
%   an MB-megabyte double array each way, plus the same bytes written and
%   read with fwrite/fread in /dev/shm (the floor of the transport).
here = fileparts(mfilename('fullpath'));
addpath(fullfile(fileparts(here), 'matlab'));
pybridge.setup('Verbose', false);

py.math.sqrt(2);                           % start the process
r.sqrt = zeros(1, ncalls);
for k = 1:ncalls
  t = tic; y = py.math.sqrt(2); r.sqrt(k) = toc(t);
end
l = py.list({1, 2, 3});
r.method = zeros(1, ncalls);
for k = 1:ncalls
  t = tic; y = l.count(2); r.method(k) = toc(t);
end
A = false(64); A(10:40, 10:40) = true;
B = false(64); B(20:50, 20:50) = true;
pybridge.dice(A, B);
r.dice = zeros(1, ncalls);
for k = 1:ncalls
  t = tic; d = pybridge.dice(A, B); r.dice(k) = toc(t);
end
r.octave_fn = zeros(1, ncalls);
for k = 1:ncalls
  t = tic; y = max(2, 1); r.octave_fn(k) = toc(t);
end

n = round(mb * 1e6 / 8);
x = rand(n, 1);
r.bytes = 8 * n;
r.to_py = zeros(1, nrep);
r.from_py = zeros(1, nrep);
r.raw_write = zeros(1, nrep);
r.raw_read = zeros(1, nrep);
ok = true;
f = [tempname('/dev/shm') '.bin'];
for k = 1:nrep
  t = tic; a = py.numpy.asarray(x); r.to_py(k) = toc(t);
  t = tic; y = double(a); r.from_py(k) = toc(t);
  ok = ok && isequal(y, x);
  clear a y
  t = tic; fid = fopen(f, 'w'); fwrite(fid, x, 'double'); fclose(fid); r.raw_write(k) = toc(t);
  t = tic; fid = fopen(f, 'r'); y = fread(fid, n, '*double'); fclose(fid); r.raw_read(k) = toc(t);
  delete(f);
  clear y
end
r.equal = ok;
end
