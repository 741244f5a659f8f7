function tests = test_segmentation
%TEST_SEGMENTATION pybridge.trainSegmenter and pybridge.segment: shapes, classes,
%   agreement between the single-image and batch paths, options, error ids.
tests = localfunctions;
end

function [images, masks] = patches(n)
%PATCHES N bright discs on a noisy background, 32 x 32, as H x W x 1 x N.
rand('seed', 3);
randn('seed', 3);
[c, r] = meshgrid(1:32, 1:32);
images = zeros(32, 32, 1, n, 'single');
masks = false(32, 32, n);
for k = 1:n
  m = (r - 12 - 8 * rand()) .^ 2 + (c - 12 - 8 * rand()) .^ 2 < (4 + 3 * rand()) ^ 2;
  images(:, :, 1, k) = single(0.3 + 0.4 * m + 0.05 * randn(32));
  masks(:, :, k) = m;
end
end

function model = trained(file)
[images, masks] = patches(12);
model = pybridge.trainSegmenter(images, masks, 'Epochs', 2, 'Width', 4, 'Depth', 2, ...
  'Seed', 1, 'File', file, 'Verbose', false);
end

function test_train_and_segment_shapes_and_classes
pbtest.requirePython('pybridge.segmentation');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = trained(file);
assert(isstruct(model), 'trainSegmenter returns a struct');
pbtest.assertEqual(model.file, file, 'the model is saved where asked');
pbtest.assertEqual(model.model, 'unet', 'model kind');
assert(model.threshold > 0 && model.threshold < 1, 'threshold in (0, 1)');
assert(isequal(size(model.history.loss), [1 2]), 'one loss per epoch, as a row');
assert(model.history.bestEpoch >= 1 && model.history.bestEpoch <= 2, 'bestEpoch is 1-based');
[images, masks] = patches(5);
[bw, p] = pybridge.segment(model, images);
pbtest.assertEqual(size(bw), [32 32 5], 'one mask per image');
assert(islogical(bw), 'masks are logical');
assert(isa(p, 'single') && all(p(:) >= 0) && all(p(:) <= 1), 'probabilities are single in [0, 1]');
pbtest.assertEqual(bw, p > model.threshold, 'mask = probability > threshold');
end

function test_single_image_and_file_name_agree_with_batch
pbtest.requirePython('pybridge.segmentation');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = trained(file);
images = patches(4);
batch = pybridge.segment(model, images);
one = pybridge.segment(file, images(:, :, 1, 2));
pbtest.assertEqual(size(one), [32 32], 'one image in, one H x W mask out');
pbtest.assertEqual(one, batch(:, :, 2), 'same mask alone and in a batch');
four = pybridge.segment(model, squeeze(images));
pbtest.assertEqual(four, batch, 'H x W x N and H x W x 1 x N give the same masks');
end

function test_options_threshold_and_postprocess
pbtest.requirePython('pybridge.segmentation');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = trained(file);
images = patches(4);
[bw, p] = pybridge.segment(model, images, 'Threshold', 0.3);
pbtest.assertEqual(bw, p > 0.3, 'Threshold option');
low = pybridge.segment(model, images, 'Threshold', 0.01, 'Postprocess', {'largest', 'fill'});
for k = 1:4
  assert(countRegions(low(:, :, k)) <= 1, 'largest component leaves at most one region');
end
none = pybridge.segment(model, images, 'Threshold', 0.01, 'Postprocess', 'none');
[~, p2] = pybridge.segment(model, images);
pbtest.assertEqual(none, p2 > 0.01, 'Postprocess none');
end

function test_roi_option_keeps_the_lesion_inside_the_roi
pbtest.requirePython('pybridge.segmentation');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = trained(file);
images = patches(2);
% [x y width height], 1-based as getrect gives it: columns 5-20, rows 7-22
[bw, p] = pybridge.segment(model, images, 'ROI', [5 7 16 16], 'Threshold', 0.01);
pbtest.assertEqual(size(bw), [32 32 2], 'one mask per image');
outside = true(32, 32);
outside(7:22, 5:20) = false;
for k = 1:2
  m = bw(:, :, k);
  assert(~any(m(outside)), 'nothing outside the ROI is lesion');
  assert(any(m(:)), 'the window round the ROI finds the disc');
end
% the window is 1.5 x the ROI's side (24 pixels) round its centre: rows 3-26, columns 1-24
window = false(32, 32);
window(3:26, 1:24) = true;
for k = 1:2
  q = p(:, :, k);
  assert(all(q(~window) == 0), 'probability is 0 outside the window');
end
two = pybridge.segment(model, images, 'ROI', [5 7 16 16; 5 7 16 16], 'Threshold', 0.01);
pbtest.assertEqual(two, bw, 'one ROI per image, or one for all');
pbtest.assertError(@() pybridge.segment(model, images, 'ROI', [1 2 3]), 'pybridge:segment:invalidOption');
err = pbtest.assertError(@() pybridge.segment(model, images, 'ROI', [20 20 16 16]), 'pybridge:segment:invalidValue');
assert(~isempty(strfind(err.message, 'outside the 32 x 32 image')), err.message);
end

function test_trainSegmenter_error_ids
[images, masks] = patches(2);
pbtest.assertError(@() pybridge.trainSegmenter(images), 'pybridge:trainSegmenter:notEnoughInputs');
pbtest.assertError(@() pybridge.trainSegmenter({images}, masks), 'pybridge:trainSegmenter:invalidInput');
pbtest.assertError(@() pybridge.trainSegmenter(images, 'mask'), 'pybridge:trainSegmenter:invalidInput');
pbtest.assertError(@() pybridge.trainSegmenter(images, masks(1:31, :, :)), 'pybridge:trainSegmenter:sizeMismatch');
pbtest.assertError(@() pybridge.trainSegmenter(images, masks(:, :, 1)), 'pybridge:trainSegmenter:sizeMismatch');
pbtest.assertError(@() pybridge.trainSegmenter(images, masks, 'Model', 'fcn'), 'pybridge:trainSegmenter:invalidOption');
pbtest.assertError(@() pybridge.trainSegmenter(images, masks, 'Epochs', 2.5), 'pybridge:trainSegmenter:invalidOption');
pbtest.assertError(@() pybridge.trainSegmenter(images, masks, 'Postprocess', 'biggest'), 'pybridge:trainSegmenter:invalidOption');
pbtest.assertError(@() pybridge.trainSegmenter(images, masks, 'Epoch', 2), 'pybridge:trainSegmenter:unknownOption');
end

function test_trainSegmenter_python_value_error_is_translated
pbtest.requirePython('pybridge.segmentation');
[images, masks] = patches(2);
bad = double(masks);
bad(1) = 2;
pbtest.assertError(@() pybridge.trainSegmenter(images, bad, 'Epochs', 1), 'pybridge:trainSegmenter:invalidValue');
end

function test_segment_error_ids
images = patches(1);
pbtest.assertError(@() pybridge.segment(struct('file', 'x')), 'pybridge:segment:notEnoughInputs');
pbtest.assertError(@() pybridge.segment(42, images), 'pybridge:segment:invalidInput');
pbtest.assertError(@() pybridge.segment('m.safetensors', {images}), 'pybridge:segment:invalidInput');
pbtest.assertError(@() pybridge.segment('m.safetensors', images, 'Threshold', 2), 'pybridge:segment:invalidOption');
pbtest.assertError(@() pybridge.segment('m.safetensors', images, 'Postprocess', 3), 'pybridge:segment:invalidOption');
pbtest.assertError(@() pybridge.segment('m.safetensors', images, 'Treshold', 0.5), 'pybridge:segment:unknownOption');
err = pbtest.assertError(@() pybridge.segment('m.safetensors', zeros(0, 0)), 'pybridge:segment:invalidInput');
assert(~isempty(strfind(err.message, 'IMAGES is empty')), err.message);
pbtest.assertError(@() pybridge.segment([], images), 'pybridge:segment:invalidInput');
end

function test_segment_python_errors_are_translated
pbtest.requirePython('pybridge.segmentation');
images = patches(1);
pbtest.assertError(@() pybridge.segment([tempname() '.safetensors'], images), 'pybridge:segment:fileNotFound');
file = [tempname() '.safetensors'];
c = onCleanup(@() delete(file));
model = trained(file);
err = pbtest.assertError(@() pybridge.segment(model, rand(8, 8, 3, 2)), 'pybridge:segment:invalidValue');
assert(~isempty(strfind(err.message, 'rgb2gray')), err.message);
end

function count = countRegions(bw)
%COUNTREGIONS 8-connected regions of a logical matrix (no toolbox needed).
count = 0;
seen = false(size(bw));
[h, w] = size(bw);
for start = find(bw)'
  if seen(start)
    continue;
  end
  count = count + 1;
  stack = start;
  seen(start) = true;
  while ~isempty(stack)
    [r, c] = ind2sub([h w], stack(end));
    stack(end) = [];
    for dr = -1:1
      for dc = -1:1
        rr = r + dr;
        cc = c + dc;
        if rr >= 1 && rr <= h && cc >= 1 && cc <= w && bw(rr, cc) && ~seen(rr, cc)
          seen(rr, cc) = true;
          stack(end + 1) = sub2ind([h w], rr, cc);
        end
      end
    end
  end
end
end

function test_countRegions_helper
pbtest.assertEqual(countRegions(logical([1 0 0; 0 1 0; 0 0 0])), 1, 'diagonal neighbours join');
pbtest.assertEqual(countRegions(logical([1 0 1; 0 0 0; 1 0 1])), 4, 'four corners');
pbtest.assertEqual(countRegions(false(3)), 0, 'empty');
end
