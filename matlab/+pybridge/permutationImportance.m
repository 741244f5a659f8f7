function result = permutationImportance(model, X, y, varargin)
%PERMUTATIONIMPORTANCE How much a model's error grows when one feature is shuffled.
%   RESULT = pybridge.permutationImportance(MODEL, X, Y) computes the
%   model's error E on (X, Y), then for each feature j shuffles column j
%   over the observations and computes the error E_j again; the importance
%   of j is E_j - E, averaged over 5 shuffles, computed by
%   pybridge.xai.permutation_importance (standing on scikit-learn's
%   permutation_importance). Features come sorted, most important first.
%
%   RESULT = pybridge.permutationImportance(..., 'Mode', 'ratio') reports
%   E_j / E instead (1 = the feature does not matter).
%
%   Inputs
%     MODEL    a traditional classifier (the struct from
%              pybridge.trainClassifier with 'Model', 'traditional', or its
%              file name): X are then images H x W x N; or a Python
%              scikit-learn estimator object: X is an N x F feature matrix
%     X        images H x W x N, or N x F features (one row per observation)
%     Y        N labels (0/1, or 1-based classes) or responses
%   Options
%     'Metric'        'error' (1 - accuracy, default), 'log_loss', 'brier',
%                     'mse', 'mae' or '1-auc'
%     'Mode'          'difference' (default) or 'ratio'
%     'NumRepeats'    shuffles per feature, a whole number (default 5)
%     'Seed'          a whole number (default 0)
%     'FeatureNames'  cell array of F names (default: the model's, or x0, x1...)
%   Output
%     RESULT   struct with fields features (cell, most important first),
%              order (1-based column of each feature, F x 1), importance
%              and importanceStd (F x 1), importances (F x NumRepeats),
%              baselineError, permutedError (F x 1), mode, metric
%
%   Example
%     X = randn(200, 3); y = double(X(:, 2) + 0.3 * randn(200, 1) > 0);
%     lr = py.sklearn.linear_model.LogisticRegression();
%     lr.fit(X, py.numpy.ravel(y));
%     r = pybridge.permutationImportance(lr, X, y, 'Mode', 'ratio');
%     r.features{1}                      % 'x1', the second column (0-based name)
%
%   Errors
%     pybridge:permutationImportance:notEnoughInputs  fewer than three inputs
%     pybridge:permutationImportance:invalidInput     MODEL, X or Y of the wrong kind
%     pybridge:permutationImportance:sizeMismatch     Y does not have one value
%                                                     per observation of X
%     pybridge:permutationImportance:invalidOption    a bad option value
%     pybridge:permutationImportance:unknownOption    an option other than the above
%     pybridge:permutationImportance:fileNotFound     the model file does not exist
%     pybridge:permutationImportance:invalidValue     rejected by Python (an unknown
%                                                     metric, 'ratio' with a zero error)
%     pybridge:permutationImportance:noPython         Python is not set up
%
%   See also pybridge.gradcam, pybridge.saliency, pybridge.setup.

fname = 'permutationImportance';
if nargin < 3
  error('pybridge:permutationImportance:notEnoughInputs', ...
    'pybridge.permutationImportance needs a model, data and labels: (MODEL, X, Y); got %d input(s)', nargin);
end
opts = pybridge.internal.parseOptions(fname, struct('Metric', 'error', 'Mode', 'difference', ...
  'NumRepeats', 5, 'Seed', 0, 'FeatureNames', []), varargin);
model = pybridge.internal.modelArg(fname, model, 'pybridge.trainClassifier', true);
isPy = ~isempty(pybridge.internal.pyClass(model));
if ~((isnumeric(X) || islogical(X)) && isreal(X)) || isempty(X)
  error('pybridge:permutationImportance:invalidInput', ...
    'pybridge.permutationImportance: X must be a non-empty real array; got a %s', class(X));
end
if ~((isnumeric(y) || islogical(y)) && isreal(y) && isvector(y))
  error('pybridge:permutationImportance:invalidInput', ...
    'pybridge.permutationImportance: Y must be a real vector; got a %s of size %s', class(y), mat2str(size(y)));
end
if isPy
  n = size(X, 1);       % features: one row per observation
else
  n = size(X, ndims(X)); % images: H x W x N
end
if numel(y) ~= n
  error('pybridge:permutationImportance:sizeMismatch', ...
    'pybridge.permutationImportance: Y has %d values but X has %d observations', numel(y), n);
end
if ~(ischar(opts.Metric) && size(opts.Metric, 1) == 1)
  error('pybridge:permutationImportance:invalidOption', ...
    'pybridge.permutationImportance: ''Metric'' must be text, e.g. ''error''; got %s', ...
    pybridge.internal.describe(opts.Metric));
end
if ~(ischar(opts.Mode) && any(strcmp(opts.Mode, {'difference', 'ratio'})))
  error('pybridge:permutationImportance:invalidOption', ...
    'pybridge.permutationImportance: ''Mode'' must be ''difference'' or ''ratio''; got %s', ...
    pybridge.internal.describe(opts.Mode));
end
if ~isWhole(opts.NumRepeats) || opts.NumRepeats < 1
  error('pybridge:permutationImportance:invalidOption', ...
    'pybridge.permutationImportance: ''NumRepeats'' must be a whole number >= 1; got %s', ...
    pybridge.internal.describe(opts.NumRepeats));
end
if ~isWhole(opts.Seed)
  error('pybridge:permutationImportance:invalidOption', ...
    'pybridge.permutationImportance: ''Seed'' must be a whole number >= 0; got %s', ...
    pybridge.internal.describe(opts.Seed));
end
kw = {'metric', opts.Metric, 'mode', opts.Mode, 'n_repeats', double(opts.NumRepeats), ...
  'seed', double(opts.Seed)};
if ~isempty(opts.FeatureNames)
  if ~iscellstr(opts.FeatureNames)
    error('pybridge:permutationImportance:invalidOption', ...
      'pybridge.permutationImportance: ''FeatureNames'' must be a cell array of names; got %s', ...
      pybridge.internal.describe(opts.FeatureNames));
  end
  kw = [kw, {'feature_names', opts.FeatureNames(:)'}];
end
result = pybridge.internal.callPython(fname, 'permutation_importance', model, X, double(y(:)), ...
  pyargs(kw{:}));
end

function tf = isWhole(v)
tf = isnumeric(v) && isreal(v) && isscalar(v) && isfinite(v) && v >= 0 && v == round(v);
end
