function tests = test_py
%TEST_PY py. itself: MATLAB's rules, as pybridge's provider implements them in Octave.
%   Written in MATLAB-compatible syntax; the few tests that exercise what only
%   the Octave provider has (pyclass, its error ids for a dead process) skip on MATLAB.
tests = localfunctions;
end

function t = pytypename(x)
% the type Python sees for the MATLAB value x
t = char(py.getattr(py.type(x), '__name__'));
end

function tf = isOctave()
tf = exist('OCTAVE_VERSION', 'builtin') ~= 0;
end

function test_scalars_to_python
pbtest.assertEqual(pytypename(1.5), 'float', 'double scalar');
pbtest.assertEqual(pytypename(single(2)), 'float', 'single scalar');
pbtest.assertEqual(pytypename(int32(3)), 'int', 'int32 scalar');
pbtest.assertEqual(pytypename(uint8(3)), 'int', 'uint8 scalar');
pbtest.assertEqual(char(py.str(intmax('uint64'))), '18446744073709551615', 'largest uint64 scalar');
pbtest.assertEqual(char(py.str(intmin('int64'))), '-9223372036854775808', 'smallest int64 scalar');
pbtest.assertEqual(char(py.str(int64(2)^53 + 1)), '9007199254740993', 'int64 beyond double precision');
pbtest.assertEqual(pytypename(true), 'bool', 'logical scalar');
pbtest.assertEqual(pytypename('abc'), 'str', 'char row');
pbtest.assertEqual(pytypename(''), 'str', 'empty char');
pbtest.assertEqual(pytypename({1, 'a'}), 'tuple', 'cell');
pbtest.assertEqual(pytypename(struct('a', 1)), 'dict', 'struct');
end

function test_arrays_to_python_keep_shape_and_dtype
if ~isOctave()
  pbtest.skip('MATLAB before R2025a passes memoryview/array.array: checked through pybridge.mapi instead');
end
a = reshape(1:6, 2, 3);
pbtest.assertEqual(pytypename(a), 'ndarray', 'matrix');
pbtest.assertEqual(cellfun(@double, cell(py.getattr(py.numpy.asarray(a), 'shape'))), [2 3], 'shape');
pairs = {double(a), 'float64'; single(a), 'float32'; uint8(a), 'uint8'; int16(a), 'int16'; ...
         int64(a), 'int64'; a > 2, 'bool'};
for k = 1:size(pairs, 1)
  dt = char(py.str(py.numpy.asarray(pairs{k, 1}).dtype));
  pbtest.assertEqual(dt, pairs{k, 2}, sprintf('dtype of %s', class(pairs{k, 1})));
end
end

function test_column_major_and_one_based
a = py.numpy.array(reshape(1:6, 2, 3));          % [1 3 5; 2 4 6]
% MATLAB a(1, 2) is Python a[0, 1]
pbtest.assertEqual(double(a.item(int32(0), int32(1))), 3, 'a[0, 1]');
pbtest.assertEqual(double(a.T), [1 2; 3 4; 5 6], 'transpose in Python');
l = py.list({10, 20, 30});
pbtest.assertEqual(double(l.index(20)), 1, 'list.index is 0-based in Python');
end

function test_values_from_python
pbtest.assertEqual(py.math.sqrt(4), 2, 'float -> double');
pbtest.assertEqual(py.math.isfinite(1), true, 'bool -> logical');
pbtest.assertEqual(double(py.int(7)), 7, 'int converts with double');
pbtest.assertEqual(int64(py.int(-7)), int64(-7), 'int converts with int64');
pbtest.assertEqual(char(py.str('héllo')), 'héllo', 'str -> char keeps UTF-8');
pbtest.assertEqual(double(py.len('héllo')), 5, 'UTF-8 text is 5 characters in Python');
pbtest.assertEqual(py.float('inf'), Inf, 'inf');
assert(isnan(py.float('nan')), 'nan');
c = cell(py.list({1, true, 'x'}));
pbtest.assertEqual(c{1}, 1, 'cell{1}');
pbtest.assertEqual(c{2}, true, 'cell{2}');
pbtest.assertEqual(char(c{3}), 'x', 'cell{3}');
s = struct(py.dict(pyargs('a', 1, 'b', 'two')));
pbtest.assertEqual(s.a, 1, 'struct a');
pbtest.assertEqual(char(s.b), 'two', 'struct b');
end

function test_array_round_trip_classes_and_shapes
cases = {rand(3, 4), single(rand(2, 3, 4)), uint8(reshape(0:23, 4, 6)), int32([-5 7]), ...
         true(3, 1), int64(2)^53 + int64([1 3]), uint64(intmax('uint64')) - uint64([0 1])};
for k = 1:numel(cases)
  x = cases{k};
  y = feval(class(x), py.numpy.array(x));
  pbtest.assertEqual(y, x, sprintf('round trip case %d (%s)', k, class(x)));
end
end

function test_large_array_round_trip_through_files
x = reshape(1:3e5, 300, 1000) / 7;               % 2.4 MB: travels through a file
a = py.numpy.array(x);
pbtest.assertClose(double(a.sum()), sum(x(:)), 1e-6, 'sum in Python');
pbtest.assertEqual(double(a), x, 'back in MATLAB');
end

function test_large_arrays_of_every_class
% whole-number doubles above 8192 elements: Octave's save narrows their storage
cases = {reshape(1:3e4, 100, 300), -reshape(1:3e4, 100, 300), single(reshape(1:3e4, 300, 100)), ...
         reshape(1:9e4, 30, 30, 100) > 4e4, uint8(mod(reshape(1:1e5, 1000, 100), 256)), ...
         int64(reshape(1:1e4, 100, 100)) * int64(2)^40, int8(-mod(reshape(1:7e4, 700, 100), 128))};
for k = 1:numel(cases)
  x = cases{k};
  a = py.numpy.asarray(x);
  pbtest.assertEqual(char(py.str(a.dtype)), char(py.str(py.numpy.asarray(x(1:2)).dtype)), ...
    sprintf('dtype of large case %d', k));
  pbtest.assertEqual(feval(class(x), a), x, sprintf('large round trip case %d (%s)', k, class(x)));
end
end

function test_pyargs_keywords
w = cell(py.textwrap.wrap('aaa bbb ccc', pyargs('width', int32(4))));
pbtest.assertEqual(numel(w), 3, 'three lines');
pbtest.assertEqual(char(w{2}), 'bbb', 'second line');
d = py.dict(pyargs('alpha', 1));
pbtest.assertEqual(double(py.len(d)), 1, 'dict from pyargs');
end

function test_list_dict_tuple_str_numpy_constructors
l = py.list({1, 2});
l.append(3);
pbtest.assertEqual(double(py.len(l)), 3, 'list.append');
pbtest.assertEqual(double(py.sum(l)), 6, 'sum(list)');
t = py.tuple({1, 'a'});
pbtest.assertEqual(double(py.len(t)), 2, 'tuple');
d = py.dict(struct('k', 5));
pbtest.assertEqual(double(d{'k'}), 5, 'dict{key}');
pbtest.assertEqual(char(py.str(12)), '12.0', 'str of a float');
pbtest.assertEqual(double(py.numpy.array([1 2 3]).mean()), 2, 'numpy mean');
end

function test_attributes_and_methods
o = py.argparse.Namespace();
o.width = 5;
pbtest.assertEqual(o.width, 5, 'set then get an attribute');
s = py.str('a,b,c');
parts = cell(s.split(','));
pbtest.assertEqual(char(parts{3}), 'c', 'method of a returned object');
pbtest.assertEqual(char(s.upper()), 'A,B,C', 'method with no arguments');
pbtest.assertEqual(py.math.pi, pi, 'module attribute');
end

function test_python_exception_becomes_error
err = pbtest.assertError(@() py.math.sqrt(-1), 'MATLAB:Python:PyException');
assert(~isempty(strfind(err.message, 'Python Error: ValueError: math domain error')), err.message);
err = pbtest.assertError(@() py.no_such_module_pbt.f(), 'MATLAB:Python:PyException');
assert(~isempty(strfind(err.message, 'ModuleNotFoundError')), err.message);
end

function test_disp_prints_python_str
txt = evalc('disp(py.list({1, ''a''}))');
assert(~isempty(strfind(txt, '[1.0, ''a'']')), ['disp printed: ' txt]);
end

function test_released_handle_frees_python_object
o = py.argparse.Namespace();
w = py.weakref.ref(o);
assert(~isequal(pytypename(w()), 'NoneType'), 'the object is alive while held');
clear o
pbtest.assertEqual(pytypename(w()), 'NoneType', 'released when the last MATLAB handle goes');
end

function test_user_module_in_current_folder_and_reload
folder = tempname();
mkdir(folder);
old = cd(folder);
c = onCleanup(@() cleanupFolder(old, folder));
writeModule(folder, 'return 1');
pbtest.assertEqual(double(py.pbt_usermod.answer()), 1, 'module from the current folder');
writeModule(folder, 'return 22');
m = py.importlib.import_module('pbt_usermod');
py.importlib.reload(m);
pbtest.assertEqual(double(py.pbt_usermod.answer()), 22, 'after importlib.reload');
end

function writeModule(folder, body)
fid = fopen(fullfile(folder, 'pbt_usermod.py'), 'w');
fprintf(fid, 'def answer():\n    %s\n', body);
fclose(fid);
end

function cleanupFolder(old, folder)
cd(old);
if isOctave()
  confirm_recursive_rmdir(false, 'local');
end
rmdir(folder, 's');
end

function test_recovery_after_process_is_killed
if ~isOctave()
  pbtest.skip('the Octave provider''s process; MATLAB''s is checked with terminate(pyenv)');
end
pid = double(py.os.getpid());
keep = py.list({1});                             % a handle into the doomed process
[st, out] = system(sprintf('kill -9 %d', pid));
assert(st == 0, out);
pause(0.2);
err = pbtest.assertError(@() py.math.sqrt(4), 'MATLAB:Python:ProcessTerminated');
assert(~isempty(strfind(err.message, sprintf('%d', pid))), err.message);
pbtest.assertEqual(py.math.sqrt(4), 2, 'the next call starts a new process');
assert(double(py.os.getpid()) ~= pid, 'a new process');
pbtest.assertError(@() py.len(keep), 'MATLAB:Python:StaleObject');
end

function test_process_dying_during_a_call_says_so
if ~isOctave()
  pbtest.skip('the Octave provider''s process');
end
exitNow = py.getattr(py.os, '_exit');
err = pbtest.assertError(@() exitNow(int32(3)), 'MATLAB:Python:ProcessTerminated');
assert(~isempty(strfind(err.message, 'during this call')), err.message);
pbtest.assertEqual(py.math.sqrt(9), 3, 'the next call starts a new process');
end

function test_terminate_and_restart
if ~isOctave()
  pbtest.skip('terminate(pyenv) of the Octave provider');
end
py.math.sqrt(1);
pe = pyenv();
pbtest.assertEqual(pe.Status, 'Loaded', 'Status before');
terminate(pyenv);
pe = pyenv();
pbtest.assertEqual(pe.Status, 'NotLoaded', 'Status after terminate');
pbtest.assertEqual(py.math.sqrt(16), 4, 'restarts on the next call');
end

function test_pyclass_names_like_matlab
if ~isOctave()
  pbtest.skip('pyclass is the Octave provider''s stand-in for class()');
end
pbtest.assertEqual(pyclass(py.list()), 'py.list', 'list');
pbtest.assertEqual(pyclass(py.numpy.zeros(int32(2))), 'py.numpy.ndarray', 'ndarray');
pbtest.assertEqual(pybridge.internal.pyClass(py.dict()), 'py.dict', 'pybridge.internal.pyClass');
end

function test_unsupported_inputs
if ~isOctave()
  pbtest.skip('error ids of the Octave provider');
end
% complex arrays cross as complex NumPy arrays (MATLAB R2025a and later)
pbtest.assertEqual(char(py.str(py.numpy.asarray([1 + 2i, 3]).dtype)), 'complex128', 'complex array');
pbtest.assertError(@() py.len(@sin), 'MATLAB:Python:UnsupportedInput');
pbtest.assertError(@() py.len(cell(2, 2)), 'MATLAB:Python:UnsupportedInput');
pbtest.assertError(@() py.len(['ab'; 'cd']), 'MATLAB:Python:UnsupportedInput');
pbtest.assertError(@() py.len(struct('a', {1, 2})), 'MATLAB:Python:UnsupportedInput');
pbtest.assertError(@() py.len(sparse([1 0 2])), 'MATLAB:Python:UnsupportedInput');
pbtest.assertError(@() pyargs('a'), 'MATLAB:Python:BadSyntax');
end

function test_pycall_converts_in_one_round_trip
if ~isOctave()
  pbtest.skip('pycall is the Octave provider''s one-round-trip call');
end
pbtest.assertEqual(pycall('pybridge.mapi.call', 'ping'), 'pong', 'str result');
s = pycall('dict', pyargs('a', 1.5, 'b', {int32(2), 'x'}));
pbtest.assertEqual(s.a, 1.5, 'struct field a');
pbtest.assertEqual(s.b, {int64(2), 'x'}, 'struct field b (tuple -> cell, int -> int64)');
pbtest.assertEqual(pycall('numpy.eye', int32(2)), eye(2), 'ndarray result');
pbtest.assertEqual(pycall('print', 'pycall prints'), [], 'None result');
pbtest.assertError(@() pycall('math.sqrt', -1), 'MATLAB:Python:PyException');
pbtest.assertError(@() pycall('not a name'), 'MATLAB:Python:BadSyntax');
end

function test_python_output_is_octave_output
if ~isOctave()
  pbtest.skip('MATLAB prints Python''s output itself');
end
txt = evalc('py.help(''len'')');
assert(~isempty(strfind(txt, 'Return the number of items')), ['evalc captured: ' txt]);
txt = evalc('disp(''one''); py.print(''two''); disp(''three''); py.print(''four'', pyargs(''file'', py.sys.stderr))');
pos = cellfun(@(w) strfind(txt, w), {'one', 'two', 'three', 'four'});
assert(isequal(pos, sort(pos)), ['in order: ' txt]);
f = [tempname() '.txt'];
c = onCleanup(@() delete(f));
diary(f);
py.print('written to the diary');
diary('off');
assert(~isempty(strfind(fileread(f), 'written to the diary')), 'diary captures Python''s output');
end

function test_hostile_names_get_an_error_and_python_lives_on
if ~isOctave()
  pbtest.skip('the Octave provider''s wire');
end
pid = double(py.os.getpid());
pbtest.assertError(@() py.math.(sprintf('pi\nPING')), 'MATLAB:Python:PyException');
pbtest.assertError(@() pycall(sprintf('math.sqrt\n')), 'MATLAB:Python:BadSyntax');
s = struct();
s.('a b') = 1;                                   % Octave allows any field name
d = py.dict(s);
pbtest.assertEqual(double(d{'a b'}), 1, 'a field name with a space is just a key');
pbtest.assertEqual(double(py.os.getpid()), pid, 'the same Python process');
end

function test_current_folder_is_searched_last
if ~isOctave()
  pbtest.skip('where the Octave provider puts the current folder');
end
folder = tempname();
mkdir(folder);
old = cd(folder);
c = onCleanup(@() cleanupFolder(old, folder));
fid = fopen(fullfile(folder, 'json.py'), 'w');
fprintf(fid, 'raise RuntimeError("the planted json.py ran")\n');
fclose(fid);
pbtest.assertEqual(char(py.json.dumps(int32(5))), '5', 'the installed json module, not the planted one');
p = cell(py.sys.path);
pbtest.assertEqual(char(p{end}), pwd, 'the current folder is last on sys.path');
end
