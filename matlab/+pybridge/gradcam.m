function maps = gradcam(model, images, varargin)
%GRADCAM Grad-CAM heatmaps: where a trained network saw evidence for its decision.
%   MAPS = pybridge.gradcam(MODEL, IMAGES) returns one Grad-CAM heatmap per
%   image, computed by pybridge.xai.gradcam in Python: the gradients of the
%   class score with respect to the last convolutional block's activations
%   are averaged into one weight per channel, the weighted sum of the
%   channels goes through a ReLU and is upsampled (bilinear) to the image
%   size. A classifier explains each image's predicted class; a segmenter
%   explains the sum of the logits inside its predicted mask.
%
%   MAPS = pybridge.gradcam(..., 'Target', K) explains class K instead,
%   one class for all images or one per image. Classes are numbered from
%   1, as everywhere in MATLAB: class K is column K of the SCORES of
%   pybridge.classify, so for the course models 'Target', 1 is label 0
%   (normal tissue) and 'Target', 2 is label 1 (the lesion); 0 is refused.
%   For a segmenter 'Target' is a logical region, H x W or H x W x N.
%
%   Inputs
%     MODEL    the struct pybridge.trainClassifier or pybridge.trainSegmenter
%              returned, its model file name, or a Python model object
%     IMAGES   H x W, H x W x N or H x W x 1 x N real array, prepared like
%              the training images (grey levels for a grey model: pass
%              three images as H x W x 1 x 3, colour through rgb2gray)
%   Options
%     'Target'     class number(s) from 1 (column of classify's SCORES), or
%                  a logical region for a segmenter (default: predicted)
%     'Layer'      name of the network layer to explain, as in Python's
%                  named_modules, e.g. 'blocks.1.2' (default: the output of
%                  the last convolutional block)
%     'Normalize'  true to scale each map to a maximum of 1 (default false)
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
%     maps = pybridge.gradcam(model, images, 'Normalize', true);
%     imagesc(maps(:, :, 1)); axis image
%
%   Errors
%     pybridge:gradcam:notEnoughInputs  fewer than two inputs
%     pybridge:gradcam:invalidInput     MODEL is not a model struct, file name
%                                       or Python object, or IMAGES is not a
%                                       real array
%     pybridge:gradcam:invalidOption    a bad option value, or options not
%                                       in name-value pairs
%     pybridge:gradcam:unknownOption    an option other than the above
%     pybridge:gradcam:fileNotFound     the model file does not exist
%     pybridge:gradcam:invalidValue     rejected by Python (an unknown layer,
%                                       a class out of range, a region of the
%                                       wrong size)
%     pybridge:gradcam:noPython         Python is not set up (run pybridge.setup)
%
%   See also pybridge.saliency, pybridge.permutationImportance,
%   pybridge.segment, pybridge.setup.

fname = 'gradcam';
if nargin < 2
  error('pybridge:gradcam:notEnoughInputs', ...
    'pybridge.gradcam needs a model and images: pybridge.gradcam(MODEL, IMAGES); got %d input(s)', nargin);
end
opts = pybridge.internal.parseOptions(fname, ...
  struct('Target', [], 'Layer', '', 'Normalize', false), varargin);
model = pybridge.internal.modelArg(fname, model, 'pybridge.trainClassifier or pybridge.trainSegmenter', true);
if ~((isnumeric(images) || islogical(images)) && isreal(images)) || isempty(images)
  error('pybridge:gradcam:invalidInput', ...
    'pybridge.gradcam: IMAGES must be a non-empty real array (H x W x N); got a %s', class(images));
end
if ~((islogical(opts.Normalize) || isnumeric(opts.Normalize)) && isscalar(opts.Normalize))
  error('pybridge:gradcam:invalidOption', 'pybridge.gradcam: ''Normalize'' must be true or false; got %s', ...
    pybridge.internal.describe(opts.Normalize));
end
kw = {'normalize', logical(opts.Normalize)};
if ~isempty(opts.Layer)
  if ~(ischar(opts.Layer) && size(opts.Layer, 1) == 1)
    error('pybridge:gradcam:invalidOption', ...
      'pybridge.gradcam: ''Layer'' must be a layer name (char), e.g. ''blocks.2.2''; got %s', ...
      pybridge.internal.describe(opts.Layer));
  end
  kw = [kw, {'layer', opts.Layer}];
end
kw = [kw, pybridge.internal.targetArg(fname, opts.Target)];
maps = pybridge.internal.callPython(fname, 'gradcam', model, images, pyargs(kw{:}));
end

