function [labels, scores] = classify(model, images, varargin)
%CLASSIFY Classify image patches with a model from pybridge.trainClassifier.
%   LABELS = pybridge.classify(MODEL, IMAGES) gives the predicted label of
%   each patch in IMAGES, in the values the model was trained with: 0 or 1
%   (the course's folder names), or 1 or 2.
%   [LABELS, SCORES] = pybridge.classify(MODEL, IMAGES) also gives the
%   class probabilities, like MATLAB's classify: column 1 for label 0,
%   column 2 for label 1. Classes are numbered from 1 as everywhere in
%   MATLAB: class k is column k of SCORES, and 'Target', k of
%   pybridge.gradcam and pybridge.saliency explains that class.
%
%   Inputs
%     MODEL    the struct from pybridge.trainClassifier, or its file name
%     IMAGES   H x W, H x W x N or H x W x 1 x N real numeric array, the
%              same size, class and scale as the training patches; grey
%              levels only (convert colour with rgb2gray or im2gray; as
%              H x W x 3 could be one colour patch or three grey ones, pass
%              three patches as H x W x 1 x 3)
%   Options
%     'Threshold'  the second class when its probability is >= this
%                  (default 0.5)
%   Outputs
%     LABELS   N x 1 double, 0 or 1 (or 1 or 2, as in training)
%     SCORES   N x 2 double, probabilities of the first class (label 0, or
%              1) and of the second (label 1, or 2)
%
%   Example
%     [c, r] = meshgrid(1:32);
%     images = 0.4 + 0.05 * randn(32, 32, 1, 20);
%     labels = mod(1:20, 2)';
%     for n = find(labels')
%       images(:, :, 1, n) = images(:, :, 1, n) + 0.5 * ((r - 16) .^ 2 + (c - 16) .^ 2 < 9);
%     end
%     model = pybridge.trainClassifier(images, labels, 'Model', 'traditional');
%     [predicted, scores] = pybridge.classify(model, images);
%     accuracy = mean(predicted == labels)
%
%   Errors
%     pybridge:classify:notEnoughInputs  fewer than two inputs
%     pybridge:classify:invalidInput     MODEL or IMAGES of the wrong kind
%     pybridge:classify:invalidOption    a bad option value
%     pybridge:classify:unknownOption    an option other than 'Threshold'
%     pybridge:classify:fileNotFound     the model file does not exist
%     pybridge:classify:invalidValue     rejected by Python: patches of
%                                        another size than the training ones,
%                                        colour images, a segmentation model
%     pybridge:classify:noPython         Python is not set up (run pybridge.setup)
%
%   See also pybridge.trainClassifier, pybridge.gradcam.

fname = 'classify';
if nargin < 2
  error('pybridge:classify:notEnoughInputs', ...
    'pybridge.classify needs a model and patches: pybridge.classify(MODEL, IMAGES); got %d input(s)', nargin);
end
opts = pybridge.internal.parseOptions(fname, struct('Threshold', 0.5), varargin);
file = pybridge.internal.modelArg(fname, model, 'pybridge.trainClassifier', false);
if ~((isnumeric(images) || islogical(images)) && isreal(images)) || ndims(images) > 4
  error('pybridge:classify:invalidInput', ...
    'pybridge.classify: IMAGES must be a real numeric array (H x W x N or H x W x 1 x N); got %s', ...
    pybridge.internal.describe(images));
end
if isempty(images)
  error('pybridge:classify:invalidInput', ...
    'pybridge.classify: IMAGES is empty (size %s); pass at least one H x W patch', mat2str(size(images)));
end
t = opts.Threshold;
if ~(isnumeric(t) && isreal(t) && isscalar(t) && t > 0 && t < 1)
  error('pybridge:classify:invalidOption', ...
    'pybridge.classify: ''Threshold'' must be a number between 0 and 1; got %s', pybridge.internal.describe(t));
end
out = pybridge.internal.callPython(fname, 'classify', file, images, pyargs('threshold', double(t)));
labels = out.labels;
scores = out.scores;
end
