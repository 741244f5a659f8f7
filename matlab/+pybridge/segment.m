function [mask, probability] = segment(model, images, varargin)
%SEGMENT Segment lesions with a model trained by pybridge.trainSegmenter.
%   MASK = pybridge.segment(MODEL, IMAGES) returns the lesion mask of each
%   image, computed by pybridge.segmentation in Python. Images of any size
%   are segmented as they are (padded, and processed in overlapping tiles
%   when large). A model trained on lesion crops sees the lesions of a
%   whole mammogram at another scale: give the lesion's 'ROI' and it
%   segments a window round it at its training scale (on synthetic
%   1000 x 1000 mammograms, Dice 0.96 with the ROI, about 0.1 without).
%
%   [MASK, PROBABILITY] = pybridge.segment(...) also returns the per-pixel
%   lesion probability.
%
%   Inputs
%     MODEL    the struct pybridge.trainSegmenter returned, or its file name
%     IMAGES   H x W, H x W x N or H x W x 1 x N real array, same class and
%              scale as the training images; grey levels only (convert
%              colour with rgb2gray or im2gray; as H x W x 3 could be one
%              colour image or three grey ones, pass three images as
%              H x W x 1 x 3)
%   Options
%     'Threshold'    probability above which a pixel is lesion (default: the
%                    threshold chosen in training, MODEL.threshold)
%     'Postprocess'  'none', 'largest', 'fill' or {'largest', 'fill'}
%                    (default: the model's setting)
%     'ROI'          [x y width height] where the lesion was marked (as
%                    getrect returns it), or one such row per image: the
%                    model segments a window round it at the scale and
%                    contrast of its training images, as the legacy method
%                    resizes its ROI, and keeps only the lesion inside it
%                    (PROBABILITY is 0 outside the window). A model trained
%                    on crops so segments a lesion of a whole mammogram.
%   Outputs
%     MASK         H x W x N logical
%     PROBABILITY  H x W x N single in [0, 1]
%
%   Example
%     [r, c] = meshgrid(1:32);
%     masks = false(32, 32, 8); images = zeros(32, 32, 8);
%     for n = 1:8
%       masks(:, :, n) = (r - 12 - n) .^ 2 + (c - 16) .^ 2 < 36;
%       images(:, :, n) = 0.3 + 0.4 * masks(:, :, n) + 0.05 * randn(32);
%     end
%     model = pybridge.trainSegmenter(images, masks, 'Epochs', 2, 'Width', 4);
%     [bw, p] = pybridge.segment(model, images, 'Postprocess', 'largest');
%     bw1 = pybridge.segment(model, images(:, :, 1), 'ROI', [10 8 14 14]);
%
%   Errors
%     pybridge:segment:notEnoughInputs  fewer than two inputs
%     pybridge:segment:invalidInput     MODEL is not a model struct or file
%                                       name, or IMAGES is not a real array
%     pybridge:segment:invalidOption    a bad option value, or options not
%                                       in name-value pairs
%     pybridge:segment:unknownOption    an option other than the above
%     pybridge:segment:fileNotFound     the model file does not exist
%     pybridge:segment:invalidValue     rejected by Python: colour images, a
%                                       classification model, an ROI
%                                       outside the image
%     pybridge:segment:noPython         Python is not set up (run pybridge.setup)
%
%   See also pybridge.trainSegmenter, pybridge.dice, pybridge.setup.

fname = 'segment';
if nargin < 2
  error('pybridge:segment:notEnoughInputs', ...
    'pybridge.segment needs a model and images: pybridge.segment(MODEL, IMAGES); got %d input(s)', nargin);
end
opts = pybridge.internal.parseOptions(fname, struct('Threshold', [], 'Postprocess', [], 'ROI', []), varargin);
file = pybridge.internal.modelArg(fname, model, 'pybridge.trainSegmenter', false);
if ~((isnumeric(images) || islogical(images)) && isreal(images))
  error('pybridge:segment:invalidInput', ...
    'pybridge.segment: IMAGES must be a real numeric array (H x W x N); got %s', ...
    pybridge.internal.describe(images));
end
if isempty(images)
  error('pybridge:segment:invalidInput', ...
    'pybridge.segment: IMAGES is empty (size %s); pass at least one H x W image', mat2str(size(images)));
end
kw = {};
t = opts.Threshold;
if ~isempty(t)
  if ~(isnumeric(t) && isreal(t) && isscalar(t) && t > 0 && t < 1)
    error('pybridge:segment:invalidOption', ...
      'pybridge.segment: ''Threshold'' must be a number between 0 and 1; got %s', ...
      pybridge.internal.describe(t));
  end
  kw = [kw, {'threshold', double(t)}];
end
steps = opts.Postprocess;
if ~isempty(steps)
  if ischar(steps)
    steps = {steps};
  end
  if ~(iscellstr(steps) && all(ismember(lower(steps), {'none', 'largest', 'fill'})))
    error('pybridge:segment:invalidOption', ...
      'pybridge.segment: ''Postprocess'' must be ''none'', ''largest'', ''fill'' or {''largest'', ''fill''}; got %s', ...
      pybridge.internal.describe(opts.Postprocess));
  end
  steps = lower(steps(~strcmpi(steps, 'none')));
  if isempty(steps)
    kw = [kw, {'postprocess', 'none'}];
  else
    kw = [kw, {'postprocess', steps(:)'}];
  end
end
roi = opts.ROI;
if ~isempty(roi)
  if ~(isnumeric(roi) && isreal(roi) && size(roi, 2) == 4 && ismatrix(roi))
    error('pybridge:segment:invalidOption', ...
      'pybridge.segment: ''ROI'' must be [x y width height] or one such row per image (N x 4); got %s', ...
      pybridge.internal.describe(roi));
  end
  kw = [kw, {'roi', double(roi)}];
end
out = pybridge.internal.callPython(fname, 'segment', file, images, pyargs(kw{:}));
mask = out.mask;
probability = out.probability;
end
