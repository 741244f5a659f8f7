function tests = test_xai
%TEST_XAI pybridge.gradcam, pybridge.saliency and pybridge.permutationImportance:
%   layouts in and out, agreement between single-image and batch calls,
%   options checked against formulas in MATLAB, error ids.
tests = localfunctions;
end

function [images, masks] = patches(n)
%PATCHES N bright discs on a noisy background, 24 x 24, as H x W x 1 x N.
rand('seed', 5);
randn('seed', 5);
[c, r] = meshgrid(1:24, 1:24);
images = zeros(24, 24, 1, n, 'single');
masks = false(24, 24, n);
for k = 1:n
  m = (r - 9 - 6 * rand()) .^ 2 + (c - 9 - 6 * rand()) .^ 2 < (3 + 2 * rand()) ^ 2;
  images(:, :, 1, k) = single(0.3 + 0.4 * m + 0.05 * randn(24));
  masks(:, :, k) = m;
end
end

function model = trained(file)
[images, masks] = patches(8);
model = pybridge.trainSegmenter(images, masks, 'Epochs', 1, 'Width', 4, 'Depth', 2, ...
  'Seed', 1, 'File', file, 'Verbose', false);
end

function test_gradcam_shapes_layouts_and_single_image
pbtest.requirePython('pybridge.xai');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = trained(file);
images = patches(4);
maps = pybridge.gradcam(model, images);
pbtest.assertEqual(size(maps), [24 24 4], 'one H x W map per image');
assert(isa(maps, 'double'), 'maps are double');
assert(all(maps(:) >= 0), 'Grad-CAM maps are non-negative (ReLU)');
pbtest.assertClose(pybridge.gradcam(file, squeeze(images)), maps, 1e-6, ...
  'H x W x N and H x W x 1 x N, struct and file name agree');
one = pybridge.gradcam(model, images(:, :, 1, 2));
pbtest.assertEqual(size(one), [24 24], 'one image in, one map out');
pbtest.assertClose(one, maps(:, :, 2), 1e-5 * max(1, max(one(:))), 'same map alone and in a batch');
end

function test_gradcam_normalize_and_region
pbtest.requirePython('pybridge.xai');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = trained(file);
[images, masks] = patches(2);
raw = pybridge.gradcam(model, images);
norm = pybridge.gradcam(model, images, 'Normalize', true);
for k = 1:2
  peak = max(max(raw(:, :, k)));
  if peak > 0
    pbtest.assertClose(norm(:, :, k), raw(:, :, k) / peak, 1e-6, 'Normalize divides by the peak');
  end
end
region = masks(:, :, 1);
byRegion = pybridge.gradcam(model, images, 'Target', region);
pbtest.assertEqual(size(byRegion), [24 24 2], 'a region target keeps the shape');
perImage = pybridge.gradcam(model, images, 'Target', cat(3, region, region));
pbtest.assertClose(perImage, byRegion, 1e-6, 'H x W region = the same region for every image');
end

function test_saliency_smoothgrad_without_noise_is_the_gradient
pbtest.requirePython('pybridge.xai');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = trained(file);
images = patches(2);
plain = pybridge.saliency(model, images);
pbtest.assertEqual(size(plain), [24 24 2], 'one saliency map per image');
same = pybridge.saliency(model, images, 'Smooth', 3, 'Noise', 0);
pbtest.assertClose(same, plain, 1e-5 * max(plain(:)), 'noise-free copies average to the gradient');
a = pybridge.saliency(model, images, 'Smooth', 2, 'Seed', 4);
b = pybridge.saliency(model, images, 'Smooth', 2, 'Seed', 4);
pbtest.assertEqual(a, b, 'SmoothGrad is seeded');
end

function test_permutation_importance_with_scikit_learn
pbtest.requirePython('sklearn');
randn('seed', 7);
X = randn(150, 3);
y = double(2 * X(:, 2) + 0.5 * randn(150, 1) > 0);
lr = py.sklearn.linear_model.LogisticRegression();
lr.fit(X, py.numpy.ravel(y));
d = pybridge.permutationImportance(lr, X, y, 'NumRepeats', 3, 'Seed', 1);
pbtest.assertEqual(d.features{1}, 'x1', 'the second column matters most');
pbtest.assertEqual(d.order(1), 2, 'order is 1-based');
pbtest.assertEqual(size(d.importances), [3 3], 'F x NumRepeats');
pbtest.assertClose(d.importance, d.permutedError - d.baselineError, 1e-12, 'difference = E_j - E');
r = pybridge.permutationImportance(lr, X, y, 'NumRepeats', 3, 'Seed', 1, 'Mode', 'ratio', ...
  'FeatureNames', {'a', 'b', 'c'});
pbtest.assertEqual(r.features{1}, 'b', 'feature names are used');
pbtest.assertClose(r.importance, r.permutedError / r.baselineError, 1e-12, 'ratio = E_j / E');
pbtest.assertClose(r.permutedError, d.permutedError, 1e-12, 'same shuffles in both modes');
end

function test_error_ids
images = patches(1);
pbtest.assertError(@() pybridge.gradcam('m.safetensors'), 'pybridge:gradcam:notEnoughInputs');
pbtest.assertError(@() pybridge.gradcam(42, images), 'pybridge:gradcam:invalidInput');
pbtest.assertError(@() pybridge.gradcam('m.safetensors', {images}), 'pybridge:gradcam:invalidInput');
pbtest.assertError(@() pybridge.gradcam('m.safetensors', images, 'Layer', 3), 'pybridge:gradcam:invalidOption');
pbtest.assertError(@() pybridge.gradcam('m.safetensors', images, 'Target', 0.5), 'pybridge:gradcam:invalidOption');
err = pbtest.assertError(@() pybridge.gradcam('m.safetensors', images, 'Target', 0), 'pybridge:gradcam:invalidOption');
assert(~isempty(strfind(err.message, 'class numbers count from 1')), err.message);
pbtest.assertError(@() pybridge.gradcam('m.safetensors', images, 'Normalize', 'yes'), 'pybridge:gradcam:invalidOption');
pbtest.assertError(@() pybridge.gradcam('m.safetensors', images, 'Layers', 'x'), 'pybridge:gradcam:unknownOption');
pbtest.assertError(@() pybridge.saliency('m.safetensors'), 'pybridge:saliency:notEnoughInputs');
pbtest.assertError(@() pybridge.saliency(42, images), 'pybridge:saliency:invalidInput');
pbtest.assertError(@() pybridge.saliency('m.safetensors', 'abc'), 'pybridge:saliency:invalidInput');
pbtest.assertError(@() pybridge.saliency('m.safetensors', images, 'Smooth', 1.5), 'pybridge:saliency:invalidOption');
pbtest.assertError(@() pybridge.saliency('m.safetensors', images, 'Noise', -1), 'pybridge:saliency:invalidOption');
pbtest.assertError(@() pybridge.saliency('m.safetensors', images, 'Seed', -1), 'pybridge:saliency:invalidOption');
pbtest.assertError(@() pybridge.saliency('m.safetensors', images, 'Target', {1}), 'pybridge:saliency:invalidOption');
pbtest.assertError(@() pybridge.saliency('m.safetensors', images, 'Smoth', 2), 'pybridge:saliency:unknownOption');
X = zeros(10, 2);
y = zeros(10, 1);
pbtest.assertError(@() pybridge.permutationImportance('m.safetensors', X), ...
  'pybridge:permutationImportance:notEnoughInputs');
pbtest.assertError(@() pybridge.permutationImportance(42, X, y), ...
  'pybridge:permutationImportance:invalidInput');
pbtest.assertError(@() pybridge.permutationImportance('m.safetensors', X, 'abc'), ...
  'pybridge:permutationImportance:invalidInput');
pbtest.assertError(@() pybridge.permutationImportance('m.safetensors', zeros(4, 4, 10), y(1:9)), ...
  'pybridge:permutationImportance:sizeMismatch');
pbtest.assertError(@() pybridge.permutationImportance('m.safetensors', zeros(4, 4, 10), y, 'Mode', 'ratoi'), ...
  'pybridge:permutationImportance:invalidOption');
pbtest.assertError(@() pybridge.permutationImportance('m.safetensors', zeros(4, 4, 10), y, 'NumRepeats', 0), ...
  'pybridge:permutationImportance:invalidOption');
pbtest.assertError(@() pybridge.permutationImportance('m.safetensors', zeros(4, 4, 10), y, 'Seed', 0.5), ...
  'pybridge:permutationImportance:invalidOption');
pbtest.assertError(@() pybridge.permutationImportance('m.safetensors', zeros(4, 4, 10), y, 'Metric', 3), ...
  'pybridge:permutationImportance:invalidOption');
pbtest.assertError(@() pybridge.permutationImportance('m.safetensors', zeros(4, 4, 10), y, 'FeatureNames', 3), ...
  'pybridge:permutationImportance:invalidOption');
pbtest.assertError(@() pybridge.permutationImportance('m.safetensors', zeros(4, 4, 10), y, 'Repeats', 3), ...
  'pybridge:permutationImportance:unknownOption');
end

function test_python_errors_are_translated
pbtest.requirePython('pybridge.xai');
images = patches(1);
missing = [tempname() '.safetensors'];
pbtest.assertError(@() pybridge.gradcam(missing, images), 'pybridge:gradcam:fileNotFound');
pbtest.assertError(@() pybridge.saliency(missing, images), 'pybridge:saliency:fileNotFound');
pbtest.assertError(@() pybridge.permutationImportance(missing, zeros(4, 4, 2), [0 1]), ...
  'pybridge:permutationImportance:fileNotFound');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = trained(file);
pbtest.assertError(@() pybridge.gradcam(model, images, 'Layer', 'no.such.layer'), 'pybridge:gradcam:invalidValue');
pbtest.assertError(@() pybridge.saliency(model, images, 'Target', true(5, 5)), 'pybridge:saliency:invalidValue');
randn('seed', 1);
X = randn(40, 2);
y = double(X(:, 1) > 0);
tree = py.sklearn.tree.DecisionTreeClassifier();
tree.fit(X, py.numpy.ravel(y));
pbtest.assertError(@() pybridge.permutationImportance(tree, X, y, 'Mode', 'ratio'), ...
  'pybridge:permutationImportance:invalidValue');
end

function test_noPython_when_python_cannot_start
if exist('OCTAVE_VERSION', 'builtin') == 0
  pbtest.skip('needs the Octave provider to point py. at a missing Python');
end
c = onCleanup(@() pybridge.setup('Verbose', false));
pyenv('Version', '/nonexistent/python3');
images = patches(1);
pbtest.assertError(@() pybridge.gradcam('m.safetensors', images), 'pybridge:gradcam:noPython');
pbtest.assertError(@() pybridge.saliency('m.safetensors', images), 'pybridge:saliency:noPython');
pbtest.assertError(@() pybridge.permutationImportance('m.safetensors', zeros(4, 4, 2), [0 1]), ...
  'pybridge:permutationImportance:noPython');
end
