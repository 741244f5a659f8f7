% TOUR  Five minutes of pybridge for a MATLAB user (runs on MATLAB and GNU Octave).
%   Run from anywhere: it finds the repository's matlab folder from its own place.
addpath(fullfile(fileparts(mfilename('fullpath')), '..', '..', 'matlab'));
pybridge.setup();

% Dice and Jaccard with MATLAB's semantics: logical masks in, a double out.
A = false(8); A(2:5, 2:5) = true;
B = false(8); B(3:6, 3:6) = true;
d = pybridge.dice(A, B)            % 2*9/(16+16) = 0.5625
j = pybridge.jaccard(A, B)         % 9/23

% Images are H x W x C x N, masks logical, labels 0/1: no reshapes, no py.numpy.
rng(0);
[cols, rows] = meshgrid(1:32, 1:32);
N = 48;
images = zeros(32, 32, 1, N, 'single');
masks = false(32, 32, N);
labels = mod((1:N)', 2);                          % 1 = a lesion is present
for n = 1:N
  lesion = labels(n) & ((rows - 12 - 8 * rand()) .^ 2 + (cols - 12 - 8 * rand()) .^ 2 <= 30);
  images(:, :, 1, n) = single(0.3 + 0.4 * lesion + 0.08 * randn(32));
  masks(:, :, n) = lesion;
end

% The course CNN, trained in Python (torch), used from MATLAB.
model = pybridge.trainClassifier(images(:, :, :, 1:32), labels(1:32), 'Epochs', 15, 'Seed', 0);
[predicted, scores] = pybridge.classify(model, images(:, :, :, 33:end));
accuracy = mean(predicted == labels(33:end))

% Where does it look? Grad-CAM heatmaps come back as H x W x N doubles.
maps = pybridge.gradcam(model, images(:, :, :, 34));
size(maps)

% A U-Net: logical masks in, logical masks out.
unet = pybridge.trainSegmenter(images(:, :, :, 1:32), masks(:, :, 1:32), 'Epochs', 10, 'Width', 8, 'Seed', 0);
bw = pybridge.segment(unet, images(:, :, :, 33:end));
diceOnLesions = mean(pybridge.dice(bw(:, :, 1:2:end), masks(:, :, 33:2:end), 'Batch', true))
