function tests = test_first_hour
%TEST_FIRST_HOUR The errors a student meets in the first hour, and what they say.
%   Each case checks the error id and that the message names the argument
%   as the help does (A, B, IMAGES, MASKS, 'Target'), shows MATLAB values
%   (7, [8 8]; never np.int64(7)) and says what to do: a misspelt option,
%   a colour image to a grey model, 0-based classes and ROIs, uint8 against
%   double, a missing file, no trained model, masks of another size.
tests = localfunctions;
end

function [images, labels] = patches(n)
%PATCHES N 32 x 32 patches in [0, 1], the odd ones with a bright disc, H x W x 1 x N.
randn('seed', 11);
[c, r] = meshgrid(1:32, 1:32);
labels = mod((1:n)', 2);
images = 0.3 + 0.05 * randn(32, 32, 1, n);
for k = find(labels')
  images(:, :, 1, k) = images(:, :, 1, k) + 0.5 * ((r - 16) .^ 2 + (c - 16) .^ 2 < 16);
end
images = min(max(images, 0), 1);
end

function model = classifier(file)
[images, labels] = patches(16);
model = pybridge.trainClassifier(images, labels, 'Model', 'traditional', 'File', file);
end

function checkMessage(err, varargin)
%CHECKMESSAGE Every text in VARARGIN is in the message, and no Python repr is.
for k = 1:numel(varargin)
  assert(~isempty(strfind(err.message, varargin{k})), ...
    sprintf('expected "%s" in the message: %s', varargin{k}, err.message));
end
assert(isempty(regexp(err.message, 'np\.\w+\(|array\(', 'once')), ['a Python value in: ' err.message]);
end

function test_misspelt_option_says_the_closest_and_the_valid_ones
[images, labels] = patches(2);
err = pbtest.assertError(@() pybridge.trainClassifier(images, labels, 'Epoch', 3), ...
  'pybridge:trainClassifier:unknownOption');
checkMessage(err, 'unknown option ''Epoch''', '(did you mean ''Epochs''?)', 'valid options:', ...
  '''Model''', '''Verbose''');
err = pbtest.assertError(@() pybridge.segment('m.safetensors', images, 'Tresh', 0.5), ...
  'pybridge:segment:unknownOption');
checkMessage(err, '(did you mean ''Threshold''?)');
err = pbtest.assertError(@() pybridge.dice(true(2), true(2), 'colour', 1), 'pybridge:dice:unknownOption');
assert(isempty(strfind(err.message, 'did you mean')), 'no suggestion when nothing is close');
checkMessage(err, 'valid options: ''Labels'', ''Batch''');
end

function test_colour_image_to_a_grey_model
pbtest.requirePython('pybridge.classification');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = classifier(file);
[images, ~] = patches(2);
rgb = repmat(images(:, :, 1, 1), [1 1 3]);
err = pbtest.assertError(@() pybridge.classify(model, rgb), 'pybridge:classify:invalidValue');
checkMessage(err, 'IMAGES is 32x32x3: one colour (RGB) image, or 3 grey images?', 'rgb2gray', ...
  'im2gray', 'reshape(IMAGES, 32, 32, 1, 3)');
err = pbtest.assertError(@() pybridge.classify(model, repmat(images, [1 1 3 1])), ...
  'pybridge:classify:invalidValue');
checkMessage(err, 'IMAGES is 32x32x3x2: colour (RGB) images', 'rgb2gray');
err = pbtest.assertError(@() pybridge.trainClassifier(repmat(images, [1 1 3 1]), [0 1]), ...
  'pybridge:trainClassifier:invalidInput');
checkMessage(err, 'rgb2gray');
three = cat(4, images, images(:, :, :, 1));                 % 3 grey patches, H x W x 1 x 3
[~, s3] = pybridge.classify(model, three);
[~, s1] = pybridge.classify(model, images(:, :, :, 1));
pbtest.assertClose(s3(3, :), s1, 1e-12, 'three grey patches as H x W x 1 x 3 are classified');
end

function test_colour_image_to_segment_and_gradcam
pbtest.requirePython('pybridge.segmentation');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
[images, ~] = patches(6);
masks = squeeze(images > 0.6);
model = pybridge.trainSegmenter(images, masks, 'Epochs', 1, 'Width', 4, 'Depth', 2, ...
  'File', file, 'Verbose', false);
rgb = repmat(images(:, :, 1, 1), [1 1 3]);
err = pbtest.assertError(@() pybridge.segment(model, rgb), 'pybridge:segment:invalidValue');
checkMessage(err, 'one colour (RGB) image, or 3 grey images?', 'rgb2gray');
err = pbtest.assertError(@() pybridge.gradcam(model, rgb), 'pybridge:gradcam:invalidValue');
checkMessage(err, 'one colour (RGB) image, or 3 grey images?', 'rgb2gray');
err = pbtest.assertError(@() pybridge.segment(model, zeros(0, 0)), 'pybridge:segment:invalidInput');
checkMessage(err, 'IMAGES is empty');
err = pbtest.assertError(@() pybridge.classify(model, images), 'pybridge:classify:invalidValue');
checkMessage(err, 'is a segmentation model (from pybridge.trainSegmenter)', ...
  'pybridge.classify needs one from pybridge.trainClassifier');
bw = pybridge.segment(model, images);                        % now cached: still refused
pbtest.assertEqual(size(bw), [32 32 6], 'segment gives one mask per image');
err = pbtest.assertError(@() pybridge.classify(model, images), 'pybridge:classify:invalidValue');
checkMessage(err, 'is a segmentation model');
err = pbtest.assertError(@() pybridge.gradcam(model, images, 'Target', 2), 'pybridge:gradcam:invalidType');
checkMessage(err, '''Target'' of a segmentation model is a logical region');
end

function test_target_counts_classes_from_one
[images, ~] = patches(2);
err = pbtest.assertError(@() pybridge.gradcam('m.safetensors', images, 'Target', 0), ...
  'pybridge:gradcam:invalidOption');
checkMessage(err, 'class numbers count from 1', 'There is no class 0: add 1');
err = pbtest.assertError(@() pybridge.saliency('m.safetensors', images, 'Target', [1 0]), ...
  'pybridge:saliency:invalidOption');
checkMessage(err, '''Target'' [1 0]');
pbtest.requirePython('pybridge.classification');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
[images, labels] = patches(8);
cnn = pybridge.trainClassifier(images, labels, 'Epochs', 1, 'File', file, 'Verbose', false);
err = pbtest.assertError(@() pybridge.gradcam(cnn, images, 'Target', 7), 'pybridge:gradcam:invalidValue');
checkMessage(err, '''Target'' must be a class number 1..2', 'got 7');
maps = pybridge.gradcam(cnn, images, 'Target', 2);
pbtest.assertEqual(size(maps), [32 32 8], 'class 2 (the lesion) is explained');
same = pybridge.gradcam(cnn, images, 'Target', 2 * ones(1, 8));
pbtest.assertClose(same, maps, 1e-6, 'one class for all images = that class for each image');
end

function test_roi_is_one_based
here = fileparts(fileparts(mfilename('fullpath')));
addpath(fullfile(here, 'legacy'));
I = zeros(40);
I(10:20, 10:20) = 1;
err = pbtest.assertError(@() massSegment(I, [0 0 10 10]), 'pybridge:massSegment:badRoi');
assert(~isempty(regexp(err.message, '1-based|x, y >= 1', 'once')), err.message);
end

function test_uint8_against_double
pbtest.requirePython('pybridge.classification');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = classifier(file);
[images, ~] = patches(6);
as8 = uint8(round(255 * images));
[~, s8] = pybridge.classify(model, as8);
[~, sd] = pybridge.classify(model, double(as8) / 255);
pbtest.assertClose(s8, sd, 1e-5, 'uint8 patches are scaled as im2double scales them');
err = pbtest.assertError(@() pybridge.classify(model, 255 * images), 'pybridge:classify:invalidValue');
checkMessage(err, 'IMAGES hold values up to', 'trained on double images in [0.09', 'IMAGES / 255');
A = zeros(8, 'uint8');
A(2:5, 2:5) = 255;
err = pbtest.assertError(@() pybridge.dice(A, A > 0), 'pybridge:dice:invalidValue');
checkMessage(err, 'A holds only 0 and 255', 'A = A > 0');
end

function test_missing_file_and_folder
pbtest.requirePython('pybridge.classification');
[images, labels] = patches(4);
missing = [tempname() '.safetensors'];
err = pbtest.assertError(@() pybridge.classify(missing, images), 'pybridge:classify:fileNotFound');
checkMessage(err, 'MODEL: no model file', 'pybridge.trainClassifier', '''File''');
folder = tempname();
err = pbtest.assertError(@() pybridge.trainClassifier(images, labels, 'Model', 'traditional', ...
  'File', fullfile(folder, 'm.safetensors')), 'pybridge:trainClassifier:fileNotFound');
checkMessage(err, sprintf('mkdir(''%s'')', folder), 'Nothing was trained');
err = pbtest.assertError(@() pybridge.trainSegmenter(squeeze(images), squeeze(images) > 0.5, ...
  'File', fullfile(folder, 'm.safetensors')), 'pybridge:trainSegmenter:fileNotFound');
checkMessage(err, 'Nothing was trained');
end

function test_no_trained_model
[images, ~] = patches(1);
err = pbtest.assertError(@() pybridge.classify([], images), 'pybridge:classify:invalidInput');
checkMessage(err, 'MODEL is empty', 'pybridge.trainClassifier');
err = pbtest.assertError(@() pybridge.segment(struct('file', ''), images), 'pybridge:segment:invalidInput');
checkMessage(err, 'MODEL.file is empty', 'pybridge.trainSegmenter');
err = pbtest.assertError(@() pybridge.gradcam(struct('name', 'x'), images), 'pybridge:gradcam:invalidInput');
checkMessage(err, 'with a ''file'' field', 'fields name');
end

function test_mask_sizes
A = false(8);
B = false(7, 8);
err = pbtest.assertError(@() pybridge.dice(A, B), 'pybridge:dice:sizeMismatch');
checkMessage(err, 'A and B must have the same size', '[8 8] and [7 8]');
[images, ~] = patches(3);
err = pbtest.assertError(@() pybridge.trainSegmenter(images, false(16, 16, 3)), ...
  'pybridge:trainSegmenter:sizeMismatch');
checkMessage(err, 'MASKS must be 32 x 32 x 3 like IMAGES', 'imresize(MASKS, [32 32], ''nearest'')');
rgb = repmat(images(:, :, 1, 1), [1 1 3]);
err = pbtest.assertError(@() pybridge.trainSegmenter(rgb, false(32)), 'pybridge:trainSegmenter:sizeMismatch');
checkMessage(err, 'rgb2gray');
end

function test_huge_label_is_refused_at_once
pbtest.requirePython('pybridge.metrics');
L = zeros(4);
L(1) = 1e12;
err = pbtest.assertError(@() pybridge.dice(L, L), 'pybridge:dice:invalidValue');
checkMessage(err, 'labels up to 1000000000000', '''Labels''');
pbtest.assertClose(pybridge.dice(L, L, 'Labels', 1e12), 1, 0, 'one label of any value is scored');
end

function test_verbose_option
pbtest.requirePython('pybridge.classification');
[images, labels] = patches(4);
err = pbtest.assertError(@() pybridge.trainClassifier(images, labels, 'Verbose', 'yes'), ...
  'pybridge:trainClassifier:invalidOption');
checkMessage(err, '''Verbose'' must be true or false; got ''yes''');
err = pbtest.assertError(@() pybridge.trainSegmenter(squeeze(images), squeeze(images) > 0.5, ...
  'Verbose', [true false]), 'pybridge:trainSegmenter:invalidOption');
checkMessage(err, '''Verbose'' must be true or false');
end

function test_relative_file_names_follow_matlab_cd
pbtest.requirePython('pybridge.classification');
here = pwd;
folder = tempname();
mkdir(folder);
c = onCleanup(@() cleanFolder(here, folder));
cd(folder);
[images, labels] = patches(8);
model = pybridge.trainClassifier(images, labels, 'Model', 'traditional', 'File', 'rel.safetensors');
assert(exist(fullfile(folder, 'rel.safetensors'), 'file') == 2, ...
  sprintf('the model is saved in MATLAB''s current folder; file: %s', model.file));
p1 = pybridge.classify('rel.safetensors', images);
cd(here);
p2 = pybridge.classify(model, images);
pbtest.assertEqual(p1, p2, 'the same model by relative name and by struct');
temp = pybridge.trainClassifier(images, labels, 'Model', 'traditional');
assert(~isempty(strfind(temp.file, 'pybridge-models-')), ['a temporary model: ' temp.file]);
end

function cleanFolder(here, folder)
cd(here);
if exist('OCTAVE_VERSION', 'builtin') ~= 0
  confirm_recursive_rmdir(false);   % Octave asks before a recursive rmdir
end
rmdir(folder, 's');
end
