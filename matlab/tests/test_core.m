function tests = test_core
%TEST_CORE pybridge.setup, toPython, fromPython and the wrapper helpers.
tests = localfunctions;
end

function test_setup_returns_info
info = pybridge.setup('Verbose', false);
assert(ischar(info.Executable) && ~isempty(info.Executable), 'Executable is empty');
assert(~isempty(regexp(info.Version, '^3\.\d+', 'once')), ['odd Python version ' info.Version]);
pbtest.assertEqual(info.ExecutionMode, 'OutOfProcess', 'ExecutionMode');
end

function test_setup_option_errors
pbtest.assertError(@() pybridge.setup('Pyhton', 'x'), 'pybridge:setup:unknownOption');
pbtest.assertError(@() pybridge.setup('Python'), 'pybridge:setup:invalidOption');
pbtest.assertError(@() pybridge.setup('Python', 3), 'pybridge:setup:invalidOption');
pbtest.assertError(@() pybridge.setup('ExecutionMode', 'Sideways'), 'pybridge:setup:invalidOption');
end

function test_setup_python_not_found
if exist('OCTAVE_VERSION', 'builtin') == 0
  pbtest.skip('MATLAB keeps the Python pyenv already loaded; checked on Octave');
end
err = pbtest.assertError(@() pybridge.setup('Python', '/nonexistent/python3', 'Verbose', false), ...
  'pybridge:setup:pythonNotFound');
assert(~isempty(strfind(err.message, 'PYBRIDGE_PYTHON')), 'the message should say how to choose Python');
pybridge.setup('Verbose', false);   % back to the default Python
end

function test_setup_import_failed_says_what_to_install
if exist('OCTAVE_VERSION', 'builtin') == 0
  pbtest.skip('MATLAB keeps the Python pyenv already loaded; checked on Octave');
end
old = cd(tempdir());                 % not the repository: its pybridge folder would import
c = onCleanup(@() cd(old));
% The test run's own python3 is the virtual environment's (it has pybridge):
% look for a Python without pybridge, the system's first.
candidates = {'/usr/bin/python3', '/usr/local/bin/python3', 'python3'};
exe = '';
for k = 1:numel(candidates)
  [st, ~] = system([candidates{k} ' -c "import sys; sys.exit(0)" 2>&1']);
  if st ~= 0
    continue;
  end
  [st, ~] = system([candidates{k} ' -c "import numpy, pybridge" 2>&1']);
  if st ~= 0
    exe = candidates{k};
    break;
  end
end
if isempty(exe)
  pbtest.skip('every python3 here has pybridge: no Python without it to try');
end
err = pbtest.assertError(@() pybridge.setup('Python', exe, 'Verbose', false), ...
  'pybridge:setup:importFailed');
assert(~isempty(strfind(err.message, 'pip install')), 'the message should name pip install');
pybridge.setup('Verbose', false);
end

function test_toPython_keeps_shape_and_class
x = reshape(uint8(1:24), 2, 3, 4);
p = pybridge.toPython(x);
pbtest.assertEqual(char(py.str(p.dtype)), 'uint8', 'dtype');
pbtest.assertEqual(double(py.len(p.shape)), 3, 'ndim');
pbtest.assertEqual(double(p.shape{1}), 2, 'first axis');
pbtest.assertEqual(uint8(p), x, 'uint8(p)');
% element (2,3,4) of MATLAB is p[1, 2, 3] in Python: 0-based there
pbtest.assertEqual(double(p.item(int32(1), int32(2), int32(3))), 24, 'last element');
end

function test_toPython_layout_hwcn
x = rand(4, 5, 1, 3);
p = pybridge.toPython(x, 'Layout', 'HWCN');
s = cell(p.shape);
pbtest.assertEqual(cellfun(@double, s), [3 1 4 5], 'N x C x H x W shape');
% sample 2, row 4, column 5 in MATLAB is p[1, 0, 3, 4] in Python
pbtest.assertEqual(double(p.item(int32(1), int32(0), int32(3), int32(4))), x(4, 5, 1, 2), 'element');
end

function test_toPython_errors
pbtest.assertError(@() pybridge.toPython(1, 'Layot', 'HW'), 'pybridge:toPython:unknownOption');
pbtest.assertError(@() pybridge.toPython(1, 'Layout'), 'pybridge:toPython:invalidOption');
pbtest.assertError(@() pybridge.toPython(1, 'Layout', 4), 'pybridge:toPython:invalidOption');
pbtest.assertError(@() pybridge.toPython(ones(2, 2, 3, 2), 'Layout', 'HWXN'), 'pybridge:toPython:invalidValue');
pbtest.assertError(@() pybridge.toPython([1 + 2i, 3]), 'pybridge:toPython:invalidType');
pbtest.assertError(@() pybridge.toPython(@sin), 'pybridge:toPython:invalidType');
pbtest.assertError(@() pybridge.toPython(sparse(eye(2))), 'pybridge:toPython:invalidType');
pbtest.assertError(@() pybridge.toPython(['ab'; 'cd']), 'pybridge:toPython:invalidType');
pbtest.assertError(@() pybridge.toPython(struct('a', {1, 2})), 'pybridge:toPython:invalidType');
end

function test_fromPython_round_trip_types
cases = {magic(4), single([1.5 2.5]), int16([-3; 4]), uint8(7:9), int64(-5), ...
         true(2, 3), reshape(1:24, 2, 3, 4), zeros(0, 3)};
for k = 1:numel(cases)
  x = cases{k};
  y = pybridge.fromPython(pybridge.toPython(x));
  pbtest.assertEqual(y, x, sprintf('round trip of case %d (%s %s)', k, class(x), mat2str(size(x))));
end
end

function test_fromPython_dict_list_str_none
d = py.dict(pyargs('a', 1.5, 'name', 'mass', 'items', py.list({1, 'x'}), 'none', py.None));
s = pybridge.fromPython(d);
pbtest.assertEqual(s.a, 1.5, 's.a');
pbtest.assertEqual(s.name, 'mass', 's.name');
pbtest.assertEqual(s.items, {1, 'x'}, 's.items');
pbtest.assertEqual(s.none, [], 's.none');
pbtest.assertEqual(pybridge.fromPython(py.str('abc')), 'abc', 'str');
pbtest.assertEqual(pybridge.fromPython(py.int(7)), int64(7), 'int');
pbtest.assertEqual(pybridge.fromPython(3), 3, 'a MATLAB value passes unchanged');
end

function test_fromPython_numpy_row_major_array
% numpy's default C order: the MATLAB result still has numpy's shape
a = py.numpy.arange(int32(6)).reshape(int32(2), int32(3));   % int: an int64 array
pbtest.assertEqual(pybridge.fromPython(a), int64([0 1 2; 3 4 5]), 'arange(6).reshape(2, 3)');
b = py.numpy.arange(6).reshape(int32(2), int32(3));          % 6 is a float in Python
pbtest.assertEqual(pybridge.fromPython(b), [0 1 2; 3 4 5], 'arange(6.0).reshape(2, 3)');
end

function test_fromPython_unsupported_type
pbtest.assertError(@() pybridge.fromPython(py.object()), 'pybridge:fromPython:unsupportedType');
end

function test_fromPython_key_that_is_no_field_name
d = py.dict(py.list({py.tuple({'1abc', 1})}));
err = pbtest.assertError(@() pybridge.fromPython(d), 'pybridge:fromPython:invalidValue');
assert(~isempty(strfind(err.message, '1abc')), err.message);
end

function test_callPython_translates_value_error
err = pbtest.assertError(@() pybridge.internal.callPython('demo', 'dcie'), 'pybridge:demo:invalidValue');
assert(~isempty(strfind(err.message, 'did you mean ''dice''')), ['message: ' err.message]);
assert(~isempty(strfind(err.message, '(Python ValueError)')), ['message: ' err.message]);
end

function test_callPython_translates_type_error
pbtest.assertError(@() pybridge.internal.callPython('demo', 'to_python', @sin), 'pybridge:demo:invalidType');
end

function test_throwPython_reasons
cases = {'ValueError', 'invalidValue'; 'TypeError', 'invalidType'; ...
         'ModuleNotFoundError', 'missingDependency'; 'ImportError', 'missingDependency'; ...
         'FileNotFoundError', 'fileNotFound'; 'RuntimeError', 'pythonError'; ...
         'pybridge._errors.PyBridgeError', 'pythonError'};
for k = 1:size(cases, 1)
  e = struct('identifier', 'MATLAB:Python:PyException', ...
             'message', sprintf('Python Error: %s: went wrong', cases{k, 1}));
  err = pbtest.assertError(@() pybridge.internal.throwPython('demo', e), ['pybridge:demo:' cases{k, 2}]);
  assert(~isempty(strfind(err.message, 'went wrong')), 'the Python message is kept');
end
e = struct('identifier', 'MATLAB:Python:ProcessTerminated', 'message', 'gone');
pbtest.assertError(@() pybridge.internal.throwPython('demo', e), 'pybridge:demo:noPython');
e = struct('identifier', 'MATLAB:Python:UnsupportedInput', 'message', 'cannot pass a function_handle');
pbtest.assertError(@() pybridge.internal.throwPython('demo', e), 'pybridge:demo:invalidType');
e = struct('identifier', 'MATLAB:Python:PyException', ...
           'message', sprintf('Python Error: ValueError: first line\nsecond: line'));
err = pbtest.assertError(@() pybridge.internal.throwPython('demo', e), 'pybridge:demo:invalidValue');
pbtest.assertEqual(err.message, sprintf('pybridge.demo: first line\nsecond: line (Python ValueError)'), ...
  'a multi-line Python message is kept whole');
e = struct('identifier', 'other:id', 'message', 'plain MATLAB error');
pbtest.assertError(@() pybridge.internal.throwPython('demo', e), 'other:id');
end

function test_parseOptions
o = pybridge.internal.parseOptions('demo', struct('Batch', false, 'Labels', []), {'batch', true});
pbtest.assertEqual(o.Batch, true, 'case-insensitive name');
pbtest.assertError(@() pybridge.internal.parseOptions('demo', struct('A', 1), {'B', 2}), 'pybridge:demo:unknownOption');
pbtest.assertError(@() pybridge.internal.parseOptions('demo', struct('A', 1), {'A'}), 'pybridge:demo:invalidOption');
pbtest.assertError(@() pybridge.internal.parseOptions('demo', struct('A', 1), {3, 2}), 'pybridge:demo:invalidOption');
end

function test_noPython_ids_of_toPython_and_fromPython
if exist('OCTAVE_VERSION', 'builtin') == 0
  pbtest.skip('needs the Octave provider to stop Python under a held object');
end
c = onCleanup(@() pybridge.setup('Verbose', false));
p = pybridge.toPython(magic(3));
terminate(pyenv);
pbtest.assertError(@() pybridge.fromPython(p), 'pybridge:fromPython:noPython');
pyenv('Version', '/nonexistent/python3');
pbtest.assertError(@() pybridge.toPython(magic(3)), 'pybridge:toPython:noPython');
end

function test_fromPython_torch_tensor_and_containers
pbtest.requirePython('torch');
t = py.torch.ones(int32(2), int32(3));
pbtest.assertEqual(pybridge.fromPython(t), ones(2, 3, 'single'), 'float32 tensor -> single');
p = pybridge.toPython(struct('a', {{1, 'x'}}));     % a struct holding a cell
s = pybridge.fromPython(p);
pbtest.assertEqual(s.a{2}, 'x', 'struct of cell round trip');
pbtest.assertEqual(s.a{1}, 1, 'number in the cell');
end
