function model = modelArg(fname, model, madeBy, allowPython)
%MODELARG The MODEL argument of a wrapper, checked: a file name or a Python model.
%   M = pybridge.internal.modelArg(FNAME, MODEL, MADEBY, ALLOWPYTHON) returns
%   the model file name when MODEL is the struct a pybridge.train* function
%   returned (its 'file' field) or a file name, made absolute against
%   MATLAB's current folder (Python's may differ); with ALLOWPYTHON true a
%   Python model object is returned as it is. Anything else raises
%   pybridge:<FNAME>:invalidInput, naming MADEBY (e.g. 'pybridge.trainSegmenter').
%
%   Example
%     f = pybridge.internal.modelArg('segment', struct('file', 'unet.safetensors'), ...
%                                    'pybridge.trainSegmenter', false);   % [pwd '/unet.safetensors']
%
%   See also pybridge.segment, pybridge.gradcam.

isPy = ~isempty(pybridge.internal.pyClass(model));
if allowPython && isPy
  return;
end
if ~isPy && isempty(model)
  error(sprintf('pybridge:%s:invalidInput', fname), ...
    'pybridge.%s: MODEL is empty; train one with %s and pass the struct it returns', fname, madeBy);
end
if isstruct(model) && isscalar(model) && isfield(model, 'file') && ischar(model.file)
  if isempty(model.file)
    error(sprintf('pybridge:%s:invalidInput', fname), ...
      'pybridge.%s: MODEL.file is empty; train a model with %s and pass the struct it returns', ...
      fname, madeBy);
  end
  model = pybridge.internal.absolutePath(model.file);
  return;
end
if ischar(model) && size(model, 1) == 1
  model = pybridge.internal.absolutePath(model);
  return;
end
if isstruct(model)
  error(sprintf('pybridge:%s:invalidInput', fname), ...
    'pybridge.%s: MODEL must be the struct from %s (with a ''file'' field) or a model file name; got a struct with fields %s', ...
    fname, madeBy, strjoin(fieldnames(model)', ', '));
end
what = sprintf('the struct from %s or a model file name', madeBy);
if allowPython
  what = sprintf('the struct from %s, a model file name or a Python model', madeBy);
end
error(sprintf('pybridge:%s:invalidInput', fname), ...
  'pybridge.%s: MODEL must be %s; got %s', fname, what, pybridge.internal.describe(model));
end
