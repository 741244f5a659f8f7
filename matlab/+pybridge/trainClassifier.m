function model = trainClassifier(images, labels, varargin)
%TRAINCLASSIFIER Train a patch classifier (course CNN, baseline or transfer) in Python.
%   MODEL = pybridge.trainClassifier(IMAGES, LABELS) trains the course CNN
%   (three conv-batchnorm-relu-maxpool blocks, dense 10, dropout, one
%   sigmoid output) on the grey-level patches IMAGES with the labels
%   LABELS, using pybridge.classification in Python (early stopping on a
%   held-out 20% of the patches), saves it to a file and returns a struct
%   describing it. Pass MODEL to pybridge.classify.
%
%   MODEL = pybridge.trainClassifier(..., 'Name', value) sets options.
%
%   Inputs
%     IMAGES   H x W x N or H x W x 1 x N real numeric array (any class;
%              use the same class and scale with pybridge.classify)
%     LABELS   vector of N labels: 0/1 (the course's folder names) or 1/2
%   Options
%     'Model'               'cnn' (default), 'traditional' (hand-crafted
%                           features and logistic regression) or 'transfer'
%     'Strategy'            transfer only: 'fine_tune' (default), 'gradual'
%                           or 'feature_extractor'
%     'Epochs'              maximum number of epochs (default 60)
%     'File'                where to save the model; its folder must exist
%                           (checked before training). Default: a
%                           temporary file, deleted when MATLAB's Python
%                           exits (or terminate(pyenv)): pass 'File' to
%                           keep the model
%     'Augment'             random flips/rotations/shifts/zoom/intensity while training
%                           (default true)
%     'ClassWeight'         'balanced' (default: both classes weigh the same) or 'none'
%     'Seed'                random seed, a whole number (default 0)
%     'ValidationFraction'  share of patches held out (default 0.2)
%     'Verbose'             true (default) prints the training progress,
%                           one line per epoch; false trains silently
%   Output
%     MODEL    struct: file (char), model (char) and, for 'cnn' and
%              'transfer', history (struct of 1 x E rows loss, valLoss,
%              valAuc, lr, and bestEpoch, 1-based)
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
%
%   Errors
%     pybridge:trainClassifier:notEnoughInputs  fewer than two inputs
%     pybridge:trainClassifier:invalidInput     IMAGES or LABELS of the wrong class or shape
%     pybridge:trainClassifier:sizeMismatch     not one label per patch
%     pybridge:trainClassifier:invalidOption    a bad option value, or options
%                                               not in name-value pairs
%     pybridge:trainClassifier:unknownOption    an option other than the above
%     pybridge:trainClassifier:invalidValue     rejected by Python (e.g. a
%                                               single class in LABELS)
%     pybridge:trainClassifier:fileNotFound     the folder of 'File' does not exist
%                                              (found before training starts)
%     pybridge:trainClassifier:noPython         Python is not set up (run pybridge.setup)
%
%   See also pybridge.classify, pybridge.gradcam, pybridge.setup.

fname = 'trainClassifier';
if nargin < 2
  error('pybridge:trainClassifier:notEnoughInputs', ...
    'pybridge.trainClassifier needs patches and labels: pybridge.trainClassifier(IMAGES, LABELS); got %d input(s)', nargin);
end
defaults = struct('Model', 'cnn', 'Strategy', 'fine_tune', 'Epochs', 60, 'File', '', ...
  'Augment', [], 'ClassWeight', '', 'Seed', 0, 'ValidationFraction', 0.2, 'Verbose', true);
opts = pybridge.internal.parseOptions(fname, defaults, varargin);
if ~((isnumeric(images) || islogical(images)) && isreal(images)) || ndims(images) > 4
  error('pybridge:trainClassifier:invalidInput', ...
    'pybridge.trainClassifier: IMAGES must be a real H x W x N or H x W x 1 x N array; got a %s of size %s', ...
    class(images), mat2str(size(images)));
end
if ndims(images) == 4
  if size(images, 3) ~= 1
    error('pybridge:trainClassifier:invalidInput', ...
      'pybridge.trainClassifier: IMAGES must be grey-level (H x W x 1 x N); got size %s (convert colour patches with rgb2gray or im2gray)', ...
      mat2str(size(images)));
  end
  nImages = size(images, 4);
else
  nImages = size(images, 3);
end
if ~((isnumeric(labels) || islogical(labels)) && isreal(labels) && isvector(labels))
  error('pybridge:trainClassifier:invalidInput', ...
    'pybridge.trainClassifier: LABELS must be a numeric vector of 0/1 (or 1/2); got a %s of size %s', ...
    class(labels), mat2str(size(labels)));
end
if numel(labels) ~= nImages
  error('pybridge:trainClassifier:sizeMismatch', ...
    'pybridge.trainClassifier: LABELS must hold one label per patch (%d); got %d', nImages, numel(labels));
end
checkChoice(opts.Model, 'Model', {'cnn', 'traditional', 'transfer'});
checkChoice(opts.Strategy, 'Strategy', {'fine_tune', 'gradual', 'feature_extractor'});
if ~isempty(opts.ClassWeight)
  checkChoice(opts.ClassWeight, 'ClassWeight', {'none', 'balanced'});
end
checkWhole(opts.Epochs, 'Epochs', 1);
checkWhole(opts.Seed, 'Seed', 0);
if ~(ischar(opts.File) && size(opts.File, 1) <= 1)
  error('pybridge:trainClassifier:invalidOption', ...
    'pybridge.trainClassifier: ''File'' must be a file name (char); got %s', pybridge.internal.describe(opts.File));
end
if ~isempty(opts.Augment)
  checkFlag(opts.Augment, 'Augment');
end
checkFlag(opts.Verbose, 'Verbose');
v = opts.ValidationFraction;
if ~(isnumeric(v) && isreal(v) && isscalar(v) && v >= 0 && v < 1)
  error('pybridge:trainClassifier:invalidOption', ...
    'pybridge.trainClassifier: ''ValidationFraction'' must be a number in [0, 1); got %s', pybridge.internal.describe(v));
end
kw = {'model', lower(opts.Model), 'strategy', lower(opts.Strategy), 'epochs', double(opts.Epochs), ...
  'seed', double(opts.Seed), 'validation_fraction', double(v), 'verbose', logical(opts.Verbose)};
if ~isempty(opts.Augment)   % [] keeps pybridge's default (on)
  kw = [kw, {'augment', logical(opts.Augment)}];
end
if ~isempty(opts.ClassWeight)   % '' keeps pybridge's default ('balanced')
  kw = [kw, {'class_weight', lower(opts.ClassWeight)}];
end
if ~isempty(opts.File)
  kw = [kw, {'file', pybridge.internal.absolutePath(opts.File)}];   % Python's folder may differ
end
model = pybridge.internal.callPython(fname, 'train_classifier', images, double(labels(:)), pyargs(kw{:}));
end

function checkChoice(value, name, choices)
if ~(ischar(value) && any(strcmpi(value, choices)))
  error('pybridge:trainClassifier:invalidOption', ...
    'pybridge.trainClassifier: ''%s'' must be one of: %s; got %s', name, strjoin(choices, ', '), ...
    pybridge.internal.describe(value));
end
end

function checkWhole(value, name, low)
if ~(isnumeric(value) && isreal(value) && isscalar(value) && value == round(value) && value >= low)
  error('pybridge:trainClassifier:invalidOption', ...
    'pybridge.trainClassifier: ''%s'' must be a whole number >= %d; got %s', name, low, ...
    pybridge.internal.describe(value));
end
end

function checkFlag(value, name)
if ~((islogical(value) || isnumeric(value)) && isscalar(value))
  error('pybridge:trainClassifier:invalidOption', ...
    'pybridge.trainClassifier: ''%s'' must be true or false; got %s', name, pybridge.internal.describe(value));
end
end
