function tests = test_classification
%TEST_CLASSIFICATION pybridge.trainClassifier and pybridge.classify: shapes, classes,
%   labels 0/1 and 1/2, single patch against batch, options, error ids.
tests = localfunctions;
end

function [images, labels] = patches(n)
%PATCHES N noisy 32 x 32 patches, the odd ones with a bright disc, H x W x 1 x N.
randn('seed', 5);
[c, r] = meshgrid(1:32, 1:32);
images = 0.4 + 0.05 * randn(32, 32, 1, n);
labels = mod((1:n)', 2);
disc = 0.5 * ((r - 16) .^ 2 + (c - 16) .^ 2 < 9);
for k = 1:n
  if labels(k)
    images(:, :, 1, k) = images(:, :, 1, k) + disc;
  end
end
end

function test_traditional_model_learns_an_obvious_task
pbtest.requirePython('pybridge.classification');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
[images, labels] = patches(24);
model = pybridge.trainClassifier(images, labels, 'Model', 'traditional', 'File', file);
assert(isstruct(model), 'trainClassifier returns a struct');
pbtest.assertEqual(model.file, file, 'the model is saved where asked');
pbtest.assertEqual(model.model, 'traditional', 'model kind');
[predicted, scores] = pybridge.classify(model, images);
pbtest.assertEqual(size(predicted), [24 1], 'one label per patch, as a column');
pbtest.assertEqual(size(scores), [24 2], 'two probabilities per patch');
assert(isa(predicted, 'double') && isa(scores, 'double'), 'double outputs');
pbtest.assertClose(sum(scores, 2), ones(24, 1), 1e-12, 'probabilities sum to 1');
pbtest.assertEqual(predicted, double(scores(:, 2) >= 0.5), 'label = P(1) >= 0.5');
pbtest.assertEqual(predicted, labels, 'a bright disc is found in every patch');
end

function test_one_based_labels_and_single_patch
pbtest.requirePython('pybridge.classification');
[images, labels] = patches(16);
a = pybridge.trainClassifier(images, labels, 'Model', 'traditional');
b = pybridge.trainClassifier(squeeze(images), labels + 1, 'Model', 'traditional');
c = onCleanup(@() cellfun(@delete, {a.file, b.file}));
[~, sa] = pybridge.classify(a, images);
[~, sb] = pybridge.classify(b.file, images);
pbtest.assertClose(sb, sa, 1e-12, 'labels 1/2 train the same model as 0/1; H x W x N as H x W x 1 x N');
pbtest.assertEqual(pybridge.classify(b, images), pybridge.classify(a, images) + 1, ...
  'a model trained on labels 1/2 answers 1/2');
[one, s1] = pybridge.classify(a, images(:, :, 1, 3));
pbtest.assertEqual(size(s1), [1 2], 'one patch in, one row out');
pbtest.assertClose(s1, sa(3, :), 1e-12, 'same scores alone and in a batch');
high = pybridge.classify(a, images, 'Threshold', 0.999999);
assert(sum(high) <= sum(pybridge.classify(a, images)), 'a higher threshold gives fewer 1s');
end

function test_cnn_history
pbtest.requirePython('pybridge.classification');
[images, labels] = patches(16);
model = pybridge.trainClassifier(single(images), labels, 'Epochs', 2, 'Seed', 1, 'Verbose', false);
c = onCleanup(@() delete(model.file));
pbtest.assertEqual(model.model, 'cnn', 'default model');
pbtest.assertEqual(size(model.history.loss), [1 2], 'one loss per epoch, as a row');
assert(model.history.bestEpoch >= 1 && model.history.bestEpoch <= 2, 'bestEpoch is 1-based');
[predicted, scores] = pybridge.classify(model, single(images));
pbtest.assertEqual(size(scores), [16 2], 'scores N x 2');
assert(all(predicted == 0 | predicted == 1), 'labels are 0 or 1');
end

function test_trainClassifier_error_ids
[images, labels] = patches(4);
pbtest.assertError(@() pybridge.trainClassifier(images), 'pybridge:trainClassifier:notEnoughInputs');
pbtest.assertError(@() pybridge.trainClassifier({images}, labels), 'pybridge:trainClassifier:invalidInput');
pbtest.assertError(@() pybridge.trainClassifier(repmat(images, [1 1 3 1]), labels), 'pybridge:trainClassifier:invalidInput');
pbtest.assertError(@() pybridge.trainClassifier(images, 'yes'), 'pybridge:trainClassifier:invalidInput');
pbtest.assertError(@() pybridge.trainClassifier(images, labels(1:3)), 'pybridge:trainClassifier:sizeMismatch');
pbtest.assertError(@() pybridge.trainClassifier(images, labels, 'Model', 'svm'), 'pybridge:trainClassifier:invalidOption');
pbtest.assertError(@() pybridge.trainClassifier(images, labels, 'Strategy', 'all'), 'pybridge:trainClassifier:invalidOption');
pbtest.assertError(@() pybridge.trainClassifier(images, labels, 'Epochs', 0), 'pybridge:trainClassifier:invalidOption');
err = pbtest.assertError(@() pybridge.trainClassifier(images, labels, 'Epoch', 2), 'pybridge:trainClassifier:unknownOption');
assert(~isempty(strfind(err.message, '(did you mean ''Epochs''?)')), err.message);
err = pbtest.assertError(@() pybridge.trainClassifier(images, labels, 'File', [tempname() '/no/m.safetensors'], ...
  'Model', 'traditional'), 'pybridge:trainClassifier:fileNotFound');
assert(~isempty(strfind(err.message, 'Nothing was trained')), err.message);
end

function test_trainClassifier_python_value_error_is_translated
pbtest.requirePython('pybridge.classification');
images = patches(4);
pbtest.assertError(@() pybridge.trainClassifier(images, [1; 1; 1; 1], 'Model', 'traditional'), ...
  'pybridge:trainClassifier:invalidValue');
end

function test_classify_error_ids
images = patches(1);
pbtest.assertError(@() pybridge.classify(struct('file', 'x')), 'pybridge:classify:notEnoughInputs');
pbtest.assertError(@() pybridge.classify(42, images), 'pybridge:classify:invalidInput');
pbtest.assertError(@() pybridge.classify('m.safetensors', {images}), 'pybridge:classify:invalidInput');
pbtest.assertError(@() pybridge.classify('m.safetensors', images, 'Threshold', 1), 'pybridge:classify:invalidOption');
pbtest.assertError(@() pybridge.classify('m.safetensors', images, 'Treshold', 0.5), 'pybridge:classify:unknownOption');
pbtest.assertError(@() pybridge.classify('m.safetensors', zeros(0, 0)), 'pybridge:classify:invalidInput');
pbtest.assertError(@() pybridge.classify(struct('file', ''), images), 'pybridge:classify:invalidInput');
end

function test_classify_python_errors_are_translated
pbtest.requirePython('pybridge.classification');
[images, labels] = patches(8);
model = pybridge.trainClassifier(images, labels, 'Model', 'traditional');
c = onCleanup(@() delete(model.file));
pbtest.assertError(@() pybridge.classify([tempname() '.safetensors'], images), 'pybridge:classify:fileNotFound');
pbtest.assertError(@() pybridge.classify(model, rand(8, 8, 3, 2)), 'pybridge:classify:invalidValue');
end
