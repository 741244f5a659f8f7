function model = trainSegmenter(images, masks, varargin)
%TRAINSEGMENTER Train a deep lesion segmenter (U-Net or auto-encoder) in Python.
%   MODEL = pybridge.trainSegmenter(IMAGES, MASKS) trains a U-Net on the
%   grey-level images IMAGES with the lesion masks MASKS, using
%   pybridge.segmentation in Python (early stopping and the probability
%   threshold are chosen on a held-out 20% of the images), saves it to a
%   file and returns a struct describing it. Pass MODEL to pybridge.segment.
%
%   MODEL = pybridge.trainSegmenter(..., 'Name', value) sets options.
%
%   Inputs
%     IMAGES   H x W x N or H x W x 1 x N real numeric or logical array
%              (any class; use the same class and scale with pybridge.segment)
%     MASKS    H x W x N logical masks (or numeric 0/1)
%   Options
%     'Model'               'unet' (default) or 'cae' (convolutional auto-encoder)
%     'Epochs'              maximum number of epochs (default 30)
%     'File'                where to save the model; its folder must exist
%                           (checked before training). Default: a
%                           temporary file, deleted when MATLAB's Python
%                           exits (or terminate(pyenv)): pass 'File' to
%                           keep the model
%     'Width'               U-Net channels of the first level (default 16)
%     'Depth'               U-Net number of poolings (default 3)
%     'Augment'             random flips/rotations/intensity while training (default true)
%     'Seed'                random seed, a whole number (default 0)
%     'ValidationFraction'  share of images held out (default 0.2)
%     'Postprocess'         {} (default), 'largest', 'fill' or {'largest', 'fill'}:
%                           steps pybridge.segment applies by default
%     'Verbose'             true (default) prints the training progress,
%                           one line per epoch; false trains silently
%   Output
%     MODEL    struct: file (char), model (char), threshold (double),
%              history (struct of 1 x E rows loss, valLoss, valDice, lr,
%              and bestEpoch, 1-based)
%
%   Example
%     [r, c] = meshgrid(1:32);
%     masks = false(32, 32, 8); images = zeros(32, 32, 8);
%     for n = 1:8
%       masks(:, :, n) = (r - 12 - n) .^ 2 + (c - 16) .^ 2 < 36;
%       images(:, :, n) = 0.3 + 0.4 * masks(:, :, n) + 0.05 * randn(32);
%     end
%     model = pybridge.trainSegmenter(images, masks, 'Epochs', 2, 'Width', 4);
%     bw = pybridge.segment(model, images(:, :, 1));
%
%   Errors
%     pybridge:trainSegmenter:notEnoughInputs  fewer than two inputs
%     pybridge:trainSegmenter:invalidInput     IMAGES or MASKS of the wrong class
%     pybridge:trainSegmenter:sizeMismatch     MASKS does not match IMAGES
%     pybridge:trainSegmenter:invalidOption    a bad option value, or options
%                                              not in name-value pairs
%     pybridge:trainSegmenter:unknownOption    an option other than the above
%     pybridge:trainSegmenter:invalidValue     rejected by Python (e.g. masks
%                                              with values other than 0 and 1)
%     pybridge:trainSegmenter:fileNotFound     the folder of 'File' does not exist
%                                              (found before training starts)
%     pybridge:trainSegmenter:noPython         Python is not set up (run pybridge.setup)
%
%   See also pybridge.segment, pybridge.dice, pybridge.setup.

fname = 'trainSegmenter';
if nargin < 2
  error('pybridge:trainSegmenter:notEnoughInputs', ...
    'pybridge.trainSegmenter needs images and masks: pybridge.trainSegmenter(IMAGES, MASKS); got %d input(s)', nargin);
end
defaults = struct('Model', 'unet', 'Epochs', 30, 'File', '', 'Width', 16, 'Depth', 3, ...
  'Augment', [], 'Seed', 0, 'ValidationFraction', 0.2, 'Postprocess', {{}}, 'Verbose', true);
opts = pybridge.internal.parseOptions(fname, defaults, varargin);
if ~((isnumeric(images) || islogical(images)) && isreal(images)) || ndims(images) > 4
  error('pybridge:trainSegmenter:invalidInput', ...
    'pybridge.trainSegmenter: IMAGES must be a real H x W x N or H x W x 1 x N array; got a %s of size %s', ...
    class(images), mat2str(size(images)));
end
if ~((isnumeric(masks) || islogical(masks)) && isreal(masks)) || ndims(masks) > 3
  error('pybridge:trainSegmenter:invalidInput', ...
    'pybridge.trainSegmenter: MASKS must be a logical H x W x N array; got a %s of size %s', ...
    class(masks), mat2str(size(masks)));
end
if ndims(images) == 4
  if size(images, 3) ~= 1
    error('pybridge:trainSegmenter:invalidInput', ...
      'pybridge.trainSegmenter: IMAGES must be grey-level (H x W x 1 x N); got size %s (convert colour images with rgb2gray or im2gray)', ...
      mat2str(size(images)));
  end
  nImages = size(images, 4);
else
  nImages = size(images, 3);
end
if size(images, 1) ~= size(masks, 1) || size(images, 2) ~= size(masks, 2) || nImages ~= size(masks, 3)
  hint = '';
  if ndims(images) == 3 && size(images, 3) == 3 && ismatrix(masks)
    hint = ' (is IMAGES one colour image? convert it with rgb2gray or im2gray)';
  elseif size(images, 1) ~= size(masks, 1) || size(images, 2) ~= size(masks, 2)
    hint = sprintf(' (resize the masks: imresize(MASKS, [%d %d], ''nearest''))', size(images, 1), size(images, 2));
  end
  error('pybridge:trainSegmenter:sizeMismatch', ...
    'pybridge.trainSegmenter: MASKS must be %d x %d x %d like IMAGES; got size %s%s', ...
    size(images, 1), size(images, 2), nImages, mat2str(size(masks)), hint);
end
if ~(ischar(opts.Model) && any(strcmpi(opts.Model, {'unet', 'cae'})))
  error('pybridge:trainSegmenter:invalidOption', ...
    'pybridge.trainSegmenter: ''Model'' must be ''unet'' or ''cae''; got %s', pybridge.internal.describe(opts.Model));
end
checkWhole(opts.Epochs, 'Epochs', 1);
checkWhole(opts.Width, 'Width', 1);
checkWhole(opts.Depth, 'Depth', 1);
checkWhole(opts.Seed, 'Seed', 0);
if ~(ischar(opts.File) && size(opts.File, 1) <= 1)
  error('pybridge:trainSegmenter:invalidOption', ...
    'pybridge.trainSegmenter: ''File'' must be a file name (char); got %s', pybridge.internal.describe(opts.File));
end
if ~isempty(opts.Augment)
  checkFlag(opts.Augment, 'Augment');
end
checkFlag(opts.Verbose, 'Verbose');
v = opts.ValidationFraction;
if ~(isnumeric(v) && isreal(v) && isscalar(v) && v >= 0 && v < 1)
  error('pybridge:trainSegmenter:invalidOption', ...
    'pybridge.trainSegmenter: ''ValidationFraction'' must be a number in [0, 1); got %s', pybridge.internal.describe(v));
end
steps = opts.Postprocess;
if ischar(steps)
  steps = {steps};
end
if ~(iscellstr(steps) && all(ismember(lower(steps), {'largest', 'fill'})))
  error('pybridge:trainSegmenter:invalidOption', ...
    'pybridge.trainSegmenter: ''Postprocess'' must be {}, ''largest'', ''fill'' or {''largest'', ''fill''}');
end
kw = {'model', lower(opts.Model), 'epochs', double(opts.Epochs), 'width', double(opts.Width), ...
  'depth', double(opts.Depth), 'seed', double(opts.Seed), ...
  'validation_fraction', double(v), 'verbose', logical(opts.Verbose)};
if ~isempty(opts.File)
  kw = [kw, {'file', pybridge.internal.absolutePath(opts.File)}];   % Python's folder may differ
end
if ~isempty(steps)
  kw = [kw, {'postprocess', lower(steps(:)')}];
end
if ~isempty(opts.Augment)   % [] keeps pybridge's default (on)
  kw = [kw, {'augment', logical(opts.Augment)}];
end
model = pybridge.internal.callPython(fname, 'train_segmenter', images, masks, pyargs(kw{:}));
end

function checkWhole(value, name, low)
if ~(isnumeric(value) && isreal(value) && isscalar(value) && value == round(value) && value >= low)
  error('pybridge:trainSegmenter:invalidOption', ...
    'pybridge.trainSegmenter: ''%s'' must be a whole number >= %d; got %s', name, low, ...
    pybridge.internal.describe(value));
end
end

function checkFlag(value, name)
if ~((islogical(value) || isnumeric(value)) && isscalar(value))
  error('pybridge:trainSegmenter:invalidOption', ...
    'pybridge.trainSegmenter: ''%s'' must be true or false; got %s', name, pybridge.internal.describe(value));
end
end
