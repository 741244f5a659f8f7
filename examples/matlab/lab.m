%LAB Segmenting synthetic breast masses from MATLAB, with pybridge doing the Python.
%   A lab a student runs end to end, on MATLAB or GNU Octave:
%     1. make synthetic mammogram patches with a known lesion mask;
%     2. segment them with a classic threshold method written in MATLAB;
%     3. score it with pybridge.dice and pybridge.jaccard (one value per
%        patch with 'Batch', true) and cross-check one value by hand;
%     4. hand an image stack to Python and back (pybridge.toPython /
%        pybridge.fromPython) to see the H x W x C x N <-> N x C x H x W rule;
%     5. when this pybridge has them: train a small deep segmenter
%        (pybridge.trainSegmenter), segment the patches (pybridge.segment)
%        and compare its Dice with the threshold method's.
%   Only pybridge.* functions are called; no py. code is needed.
%
%   Run from the repository root:
%     addpath('matlab'); run('examples/matlab/lab.m')
%   Set LAB_EPOCHS (default 3) and LAB_PATCHES (default 24) to make it
%   longer or shorter.
%
%   See also pybridge.setup, pybridge.dice, pybridge.jaccard, pybridge.toPython.

if ~exist('LAB_EPOCHS', 'var')
  LAB_EPOCHS = 3;
end
if ~exist('LAB_PATCHES', 'var')
  LAB_PATCHES = 24;
end
labFolder = fileparts(mfilename('fullpath'));
if isempty(labFolder)
  labFolder = pwd();
end
addpath(fullfile(labFolder, '..', '..', 'matlab'));
info = pybridge.setup();

%% 1. Synthetic patches: a bright oval lesion on a noisy, textured background
rng(42);
H = 64;
W = 64;
N = LAB_PATCHES;
[cols, rows] = meshgrid(1:W, 1:H);
images = zeros(H, W, 1, N, 'single');          % H x W x C x N, as MATLAB's Deep Learning Toolbox
masks = false(H, W, N);                        % H x W x N ground truth
for n = 1:N
  r0 = 20 + 24 * rand();
  c0 = 20 + 24 * rand();
  a = 7 + 6 * rand();
  b = 7 + 6 * rand();
  lesion = ((rows - r0) / a) .^ 2 + ((cols - c0) / b) .^ 2 <= 1;
  background = 0.35 + 0.1 * sin(rows / 9 + n) .* cos(cols / 11);
  img = background + 0.3 * lesion + 0.06 * randn(H, W);
  images(:, :, 1, n) = single(min(max(img, 0), 1));
  masks(:, :, n) = lesion;
end
fprintf('%d patches of %d x %d, lesion area %.0f%% of the patch on average\n', ...
        N, H, W, 100 * mean(masks(:)));

%% 2. The classic method: smooth, then threshold half way between background and lesion
kernel = ones(5) / 25;
predicted = false(H, W, N);
for n = 1:N
  smooth = conv2(double(images(:, :, 1, n)), kernel, 'same');
  level = (median(smooth(:)) + max(smooth(:))) / 2;
  predicted(:, :, n) = smooth > level;
end

%% 3. Score it in Python: one Dice and one Jaccard per patch
d = pybridge.dice(predicted, masks, 'Batch', true);           % N x 1
j = pybridge.jaccard(predicted, masks, 'Batch', true);
fprintf('threshold method: Dice %.3f +- %.3f, Jaccard %.3f (median over %d patches)\n', ...
        median(d), std(d), median(j), N);
% cross-check the first patch by hand
p = predicted(:, :, 1);
m = masks(:, :, 1);
byHand = 2 * nnz(p & m) / (nnz(p) + nnz(m));
assert(abs(byHand - d(1)) < 1e-12, 'pybridge.dice disagrees with the formula');
% Dice and Jaccard are tied: J = D / (2 - D)
assert(max(abs(j - d ./ (2 - d))) < 1e-12, 'Jaccard and Dice disagree');

%% 4. Layouts: MATLAB H x W x C x N is Python N x C x H x W
stack = pybridge.toPython(images, 'Layout', 'HWCN');      % a numpy array, N x C x H x W
back = pybridge.fromPython(stack);                        % numpy's shape, in MATLAB
fprintf('MATLAB %s -> Python %s\n', mat2str(size(images)), mat2str(size(back)));
assert(isequal(size(back), [N 1 H W]), 'unexpected layout');
assert(isequal(squeeze(back(3, 1, :, :)), images(:, :, 1, 3)), 'patch 3 moved');

%% 5. A small deep segmenter, when this pybridge has one
if ~isempty(which('pybridge.trainSegmenter')) && ~isempty(which('pybridge.segment'))
  half = floor(N / 2);
  model = pybridge.trainSegmenter(images(:, :, :, 1:half), masks(:, :, 1:half), ...
                                  'Epochs', LAB_EPOCHS, 'Width', 8, 'Seed', 0);
  deep = pybridge.segment(model, images(:, :, :, half + 1:end));
  dd = pybridge.dice(deep, masks(:, :, half + 1:end), 'Batch', true);
  fprintf('deep segmenter (%d epochs): Dice %.3f on %d held-out patches (threshold: %.3f)\n', ...
          LAB_EPOCHS, median(dd), N - half, median(d(half + 1:end)));

  %% 6. Grad-CAM: where did the network look?
  if ~isempty(which('pybridge.gradcam'))
    maps = pybridge.gradcam(model, images(:, :, :, half + 1:end), 'Normalize', true);
    truth = masks(:, :, half + 1:end);
    inside = sum(maps(truth)) / sum(maps(:));
    fprintf('Grad-CAM: %.0f%% of the heat lies on the %.0f%% of pixels that are lesion\n', ...
            100 * inside, 100 * mean(truth(:)));
  end
else
  fprintf('pybridge.trainSegmenter/segment are not in this pybridge: step 5 skipped\n');
end

fprintf('lab finished\n');
