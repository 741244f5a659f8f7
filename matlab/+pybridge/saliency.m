function maps = saliency(model, images, varargin)
%SALIENCY Saliency maps: how strongly each pixel moves the network's score.
%   MAPS = pybridge.saliency(MODEL, IMAGES) returns, for each image, the
%   absolute gradient of the class score with respect to the input pixels
%   (the largest over channels), computed by pybridge.xai.saliency in
%   Python. A classifier explains each image's predicted class; a segmenter
%   the sum of the logits inside its predicted mask.
%
%   MAPS = pybridge.saliency(..., 'Smooth', K) averages the maps of K
%   copies of each image with Gaussian noise added (SmoothGrad), which
%   removes much of the gradient's pixel noise; Smilkov et al. use K = 50.
%
%   Inputs
%     MODEL    the struct pybridge.trainClassifier or pybridge.trainSegmenter
%              returned, its model file name, or a Python model object
%     IMAGES   H x W, H x W x N or H x W x 1 x N real array
%   Options
%     'Target'  class number(s) from 1 (column of classify's SCORES: 2 is
%               label 1, the lesion), or a logical region for a segmenter
%               (default: predicted)
%     'Smooth'  number of noisy copies, 0 for the plain gradient (default 0)
%     'Noise'   noise standard deviation relative to each image's range
%               (default 0.15)
%     'Seed'    seed of the noise, a whole number (default 0)
%   Output
%     MAPS     H x W x N double, non-negative
%
%   Example
%     [r, c] = meshgrid(1:32);
%     masks = false(32, 32, 8); images = zeros(32, 32, 8);
%     for n = 1:8
%       masks(:, :, n) = (r - 12 - n) .^ 2 + (c - 16) .^ 2 < 36;
%       images(:, :, n) = 0.3 + 0.4 * masks(:, :, n) + 0.05 * randn(32);
%     end
%     model = pybridge.trainSegmenter(images, masks, 'Epochs', 2, 'Width', 4);
%     maps = pybridge.saliency(model, images(:, :, 1), 'Smooth', 20);
%
%   Errors
%     pybridge:saliency:notEnoughInputs  fewer than two inputs
%     pybridge:saliency:invalidInput     MODEL is not a model struct, file
%                                        name or Python object, or IMAGES is
%                                        not a real array
%     pybridge:saliency:invalidOption    a bad option value, or options not
%                                        in name-value pairs
%     pybridge:saliency:unknownOption    an option other than the above
%     pybridge:saliency:fileNotFound     the model file does not exist
%     pybridge:saliency:invalidValue     rejected by Python (a class out of
%                                        range, a region of the wrong size)
%     pybridge:saliency:noPython         Python is not set up (run pybridge.setup)
%
%   See also pybridge.gradcam, pybridge.permutationImportance, pybridge.setup.

fname = 'saliency';
if nargin < 2
  error('pybridge:saliency:notEnoughInputs', ...
    'pybridge.saliency needs a model and images: pybridge.saliency(MODEL, IMAGES); got %d input(s)', nargin);
end
opts = pybridge.internal.parseOptions(fname, ...
  struct('Target', [], 'Smooth', 0, 'Noise', 0.15, 'Seed', 0), varargin);
model = pybridge.internal.modelArg(fname, model, 'pybridge.trainClassifier or pybridge.trainSegmenter', true);
if ~((isnumeric(images) || islogical(images)) && isreal(images)) || isempty(images)
  error('pybridge:saliency:invalidInput', ...
    'pybridge.saliency: IMAGES must be a non-empty real array (H x W x N); got a %s', class(images));
end
if ~isWhole(opts.Smooth)
  error('pybridge:saliency:invalidOption', ...
    'pybridge.saliency: ''Smooth'' must be a whole number >= 0 (noisy copies); got %s', ...
    pybridge.internal.describe(opts.Smooth));
end
if ~isWhole(opts.Seed)
  error('pybridge:saliency:invalidOption', 'pybridge.saliency: ''Seed'' must be a whole number >= 0; got %s', ...
    pybridge.internal.describe(opts.Seed));
end
if ~(isnumeric(opts.Noise) && isreal(opts.Noise) && isscalar(opts.Noise) && opts.Noise >= 0 && isfinite(opts.Noise))
  error('pybridge:saliency:invalidOption', 'pybridge.saliency: ''Noise'' must be a number >= 0; got %s', ...
    pybridge.internal.describe(opts.Noise));
end
kw = {'smooth', double(opts.Smooth), 'noise', double(opts.Noise), 'seed', double(opts.Seed)};
kw = [kw, pybridge.internal.targetArg(fname, opts.Target)];
maps = pybridge.internal.callPython(fname, 'saliency', model, images, pyargs(kw{:}));
end

function tf = isWhole(v)
tf = isnumeric(v) && isreal(v) && isscalar(v) && isfinite(v) && v >= 0 && v == round(v);
end
