%LAB Microcalcifications and masses from MATLAB, with pybridge doing the Python.
%   A lab a student runs end to end, on MATLAB or GNU Octave, on synthetic
%   data made here in MATLAB:
%   Part A, classification of microcalcification patches
%     1. make 32 x 32 patches, half with a cluster of bright specks (label 1);
%     2. train a hand-crafted-feature baseline and the course CNN
%        (pybridge.trainClassifier), classify held-out patches
%        (pybridge.classify);
%     3. Grad-CAM (pybridge.gradcam): does the network look at the specks?
%   Part B, segmentation of masses
%     4. make 64 x 64 patches with a known lesion mask;
%     5. segment them with a classic threshold method written in MATLAB and
%        score it with pybridge.dice and pybridge.jaccard (one value per
%        patch with 'Batch', true), cross-checked by hand;
%     6. hand the image stack to Python and back (pybridge.toPython /
%        pybridge.fromPython) to see the H x W x C x N <-> N x C x H x W rule;
%     7. train a small U-Net (pybridge.trainSegmenter), segment held-out
%        patches (pybridge.segment), compare its Dice with the threshold
%        method's and look at its Grad-CAM.
%   Steps whose pybridge function this installation lacks are skipped with
%   a message. Only pybridge.* functions are called; no py. code is needed.
%
%   Run it from anywhere (it puts the repository's matlab folder on the
%   path itself):
%     run('examples/matlab/lab.m')
%   Set LAB_EPOCHS (default 15) and LAB_PATCHES (default 40) first to make
%   it longer or shorter.
%
%   See also pybridge.setup, pybridge.trainClassifier, pybridge.dice.

if ~exist('LAB_EPOCHS', 'var')
  LAB_EPOCHS = 15;
end
if ~exist('LAB_PATCHES', 'var')
  LAB_PATCHES = 40;
end
labFolder = fileparts(mfilename('fullpath'));
if isempty(labFolder)
  labFolder = pwd();
end
repoMatlab = fullfile(labFolder, '..', '..', 'matlab');
if exist(fullfile(repoMatlab, '+pybridge', 'setup.m'), 'file') == 2
  addpath(repoMatlab);                         % a source checkout
end                                            % (else: addpath of `pybridge matlab-path` first)
pybridge.setup();

%% Part A, 1. Microcalcification patches: specks of calcium on breast tissue
rng(42);
has = @(name) ~isempty(which(['pybridge.' name]));
P = 32;
M = 2 * LAB_PATCHES;
[pc, pr] = meshgrid(1:P, 1:P);
patches = zeros(P, P, 1, M);
labels = mod((1:M)', 2);                       % 0 normal, 1 microcalcifications
specks = false(P, P, M);                       % where the specks are (for Grad-CAM)
for n = 1:M
  tissue = 0.4 + 0.06 * sin(pr / 5 + n) .* cos(pc / 7) + 0.04 * randn(P, P);
  if labels(n) == 1
    cr = 10 + 12 * rand();
    cc = 10 + 12 * rand();
    for k = 1:4
      r = cr + 3 * randn();
      c = cc + 3 * randn();
      spot = exp(-((pr - r) .^ 2 + (pc - c) .^ 2) / 1.5);
      tissue = tissue + 0.5 * spot;
      specks(:, :, n) = specks(:, :, n) | spot > 0.2;
    end
  end
  patches(:, :, 1, n) = tissue;
end
trainIdx = 1:M / 2;
testIdx = M / 2 + 1:M;

%% Part A, 2. A hand-crafted baseline and the course CNN, tested on held-out patches
if has('trainClassifier') && has('classify')
  baseline = pybridge.trainClassifier(patches(:, :, :, trainIdx), labels(trainIdx), ...
                                      'Model', 'traditional', 'Seed', 0);
  predicted = pybridge.classify(baseline, patches(:, :, :, testIdx));
  fprintf('hand-crafted features + logistic regression: accuracy %.2f on %d held-out patches\n', ...
          mean(predicted == labels(testIdx)), numel(testIdx));
  cnn = pybridge.trainClassifier(patches(:, :, :, trainIdx), labels(trainIdx), ...
                                 'Epochs', LAB_EPOCHS, 'Seed', 0);
  [predicted, scores] = pybridge.classify(cnn, patches(:, :, :, testIdx));
  fprintf('CNN (%d epochs): accuracy %.2f on %d held-out patches\n', ...
          LAB_EPOCHS, mean(predicted == labels(testIdx)), numel(testIdx));
  assert(isequal(size(scores), [numel(testIdx) 2]), 'one row of scores per patch');

  %% Part A, 3. Grad-CAM: is the evidence on the specks?
  if has('gradcam')
    positives = testIdx(labels(testIdx) == 1);
    maps = pybridge.gradcam(cnn, patches(:, :, :, positives), 'Target', 2, 'Normalize', true);
    near = specks(:, :, positives);
    fprintf('CNN Grad-CAM: %.0f%% of the heat on the %.0f%% of pixels that are specks\n', ...
            100 * sum(maps(near)) / sum(maps(:)), 100 * mean(near(:)));
  end
else
  fprintf('pybridge.trainClassifier/classify are not in this pybridge: part A skipped\n');
end

%% Part B, 4. Mass patches: a bright oval lesion on a noisy, textured background
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

%% Part B, 5. The classic method: smooth, then threshold half way between background and lesion
kernel = ones(5) / 25;
predicted = false(H, W, N);
for n = 1:N
  smooth = conv2(double(images(:, :, 1, n)), kernel, 'same');
  level = (median(smooth(:)) + max(smooth(:))) / 2;
  predicted(:, :, n) = smooth > level;
end

% score it in Python: one Dice and one Jaccard per patch
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

%% Part B, 6. Layouts: MATLAB H x W x C x N is Python N x C x H x W
stack = pybridge.toPython(images, 'Layout', 'HWCN');      % a numpy array, N x C x H x W
back = pybridge.fromPython(stack);                        % numpy's shape, in MATLAB
fprintf('MATLAB %s -> Python %s\n', mat2str(size(images)), mat2str(size(back)));
assert(isequal(size(back), [N 1 H W]), 'unexpected layout');
assert(isequal(squeeze(back(3, 1, :, :)), images(:, :, 1, 3)), 'patch 3 moved');

%% Part B, 7. A small U-Net, and where it looked
if has('trainSegmenter') && has('segment')
  half = floor(N / 2);
  model = pybridge.trainSegmenter(images(:, :, :, 1:half), masks(:, :, 1:half), ...
                                  'Epochs', LAB_EPOCHS, 'Width', 8, 'Seed', 0);
  deep = pybridge.segment(model, images(:, :, :, half + 1:end));
  dd = pybridge.dice(deep, masks(:, :, half + 1:end), 'Batch', true);
  fprintf('deep segmenter (%d epochs): Dice %.3f on %d held-out patches (threshold: %.3f)\n', ...
          LAB_EPOCHS, median(dd), N - half, median(d(half + 1:end)));

  if has('gradcam')
    maps = pybridge.gradcam(model, images(:, :, :, half + 1:end), 'Normalize', true);
    truth = masks(:, :, half + 1:end);
    inside = sum(maps(truth)) / sum(maps(:));
    fprintf('U-Net Grad-CAM: %.0f%% of the heat on the %.0f%% of pixels that are lesion\n', ...
            100 * inside, 100 * mean(truth(:)));
  end
else
  fprintf('pybridge.trainSegmenter/segment are not in this pybridge: step 7 skipped\n');
end

fprintf('lab finished\n');
