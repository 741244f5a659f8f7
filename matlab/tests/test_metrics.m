function tests = test_metrics
%TEST_METRICS pybridge.dice and pybridge.jaccard: values, shapes, error ids.
tests = localfunctions;
end

function [A, B] = squares()
A = false(8); A(2:5, 2:5) = true;     % 16 pixels
B = false(8); B(3:6, 3:6) = true;     % 16 pixels, 9 shared
end

function test_dice_hand_worked
pbtest.requirePython('pybridge.metrics');
[A, B] = squares();
pbtest.assertClose(pybridge.dice(A, B), 2 * 9 / 32, 1e-12, 'dice of the two squares');
pbtest.assertClose(pybridge.dice(A, A), 1, 1e-12, 'dice of a mask with itself');
pbtest.assertClose(pybridge.dice(A, ~A), 0, 1e-12, 'dice of disjoint masks');
end

function test_jaccard_hand_worked
pbtest.requirePython('pybridge.metrics');
[A, B] = squares();
pbtest.assertClose(pybridge.jaccard(A, B), 9 / 23, 1e-12, 'jaccard of the two squares');
end

function test_dice_matches_matlab_formula_on_random_masks
pbtest.requirePython('pybridge.metrics');
rng(7);
A = rand(30, 40) > 0.6;
B = rand(30, 40) > 0.4;
d = 2 * nnz(A & B) / (nnz(A) + nnz(B));
j = nnz(A & B) / nnz(A | B);
pbtest.assertClose(pybridge.dice(A, B), d, 1e-12, 'dice');
pbtest.assertClose(pybridge.jaccard(A, B), j, 1e-12, 'jaccard');
pbtest.assertClose(pybridge.dice(double(A), double(B)), d, 1e-12, 'dice of 0/1 doubles');
end

function test_dice_batch_one_value_per_sample
pbtest.requirePython('pybridge.metrics');
[A, B] = squares();
As = cat(3, A, A, false(8));
Bs = cat(3, B, A, false(8)); Bs(1, 1, 3) = true;
d = pybridge.dice(As, Bs, 'Batch', true);
pbtest.assertEqual(size(d), [3 1], 'one row per sample');
pbtest.assertClose(d, [18 / 32; 1; 0], 1e-12, 'per-sample dice');
j = pybridge.jaccard(As, Bs, 'Batch', true);
pbtest.assertClose(j, [9 / 23; 1; 0], 1e-12, 'per-sample jaccard');
end

function test_dice_labels_one_value_per_label
pbtest.requirePython('pybridge.metrics');
L1 = [1 1 2 2; 1 1 2 2; 0 0 3 3];
L2 = [1 1 2 2; 1 2 2 2; 0 0 0 3];
d = pybridge.dice(L1, L2, 'Labels', [1 2 3]);
pbtest.assertEqual(size(d), [3 1], 'one row per label');
% label 1: |A|=4, |B|=3, shared 3; label 2: 4, 5, 4; label 3: 2, 1, 1
pbtest.assertClose(d, [6 / 7; 8 / 9; 2 / 3], 1e-12, 'per-label dice');
end

function test_dice_numeric_label_images_score_labels_1_to_max
pbtest.requirePython('pybridge.metrics');
% as MATLAB's dice(L1, L2): numeric inputs are label images, background 0 unscored
L1 = [1 1 2 2; 1 1 2 2; 0 0 3 3];
L2 = [1 1 2 2; 1 2 2 2; 0 0 0 3];
pbtest.assertClose(pybridge.dice(L1, L2), [6 / 7; 8 / 9; 2 / 3], 1e-12, 'labels 1..max');
pbtest.assertClose(pybridge.jaccard(L1, L2), [3 / 4; 4 / 5; 1 / 2], 1e-12, 'jaccard labels 1..max');
end

function test_dice_error_ids
[A, B] = squares();
pbtest.assertError(@() pybridge.dice(A), 'pybridge:dice:notEnoughInputs');
pbtest.assertError(@() pybridge.dice('abc', 'abd'), 'pybridge:dice:invalidInput');
pbtest.assertError(@() pybridge.dice({A}, B), 'pybridge:dice:invalidInput');
err = pbtest.assertError(@() pybridge.dice(A, B(1:7, :)), 'pybridge:dice:sizeMismatch');
assert(~isempty(strfind(err.message, '[8 8] and [7 8]')), err.message);
pbtest.assertError(@() pybridge.dice(A, B, 'Batch'), 'pybridge:dice:invalidOption');
pbtest.assertError(@() pybridge.dice(A, B, 'Batch', [true false]), 'pybridge:dice:invalidOption');
pbtest.assertError(@() pybridge.dice(A, B, 'Labels', ones(2)), 'pybridge:dice:invalidOption');
pbtest.assertError(@() pybridge.dice(A, B, 'Lables', 1), 'pybridge:dice:unknownOption');
end

function test_dice_python_value_error_is_translated
pbtest.requirePython('pybridge.metrics');
% a NaN mask passes MATLAB's checks; pybridge.convert refuses it in Python
A = double(squares()); A(1) = NaN;
err = pbtest.assertError(@() pybridge.dice(A > 0, A), 'pybridge:dice:invalidValue');
assert(~isempty(strfind(err.message, 'pybridge.dice:')), ['message: ' err.message]);
end

function test_jaccard_error_ids
[A, B] = squares();
pbtest.assertError(@() pybridge.jaccard(A), 'pybridge:jaccard:notEnoughInputs');
pbtest.assertError(@() pybridge.jaccard(1i * A, B), 'pybridge:jaccard:invalidInput');
pbtest.assertError(@() pybridge.jaccard(A, B(:, 1:7)), 'pybridge:jaccard:sizeMismatch');
pbtest.assertError(@() pybridge.jaccard(A, B, 'Batch', 'yes'), 'pybridge:jaccard:invalidOption');
pbtest.assertError(@() pybridge.jaccard(A, B, 'Bach', true), 'pybridge:jaccard:unknownOption');
end

function test_jaccard_python_value_error_is_translated
pbtest.requirePython('pybridge.metrics');
A = double(squares()); A(1) = NaN;
pbtest.assertError(@() pybridge.jaccard(A > 0, A), 'pybridge:jaccard:invalidValue');
end

function test_noPython_when_python_cannot_start
if exist('OCTAVE_VERSION', 'builtin') == 0
  pbtest.skip('needs the Octave provider to point py. at a missing Python');
end
c = onCleanup(@() pybridge.setup('Verbose', false));
pyenv('Version', '/nonexistent/python3');
pbtest.assertError(@() pybridge.dice(true(2), true(2)), 'pybridge:dice:noPython');
pbtest.assertError(@() pybridge.jaccard(true(2), true(2)), 'pybridge:jaccard:noPython');
end
