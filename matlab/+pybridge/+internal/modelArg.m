function model = modelArg(fname, model, madeBy, allowPython)
%MODELARG The MODEL argument of a wrapper, checked: a file name or a Python model.
%   M = pybridge.internal.modelArg(FNAME, MODEL, MADEBY, ALLOWPYTHON) returns
%   the model file name when MODEL is the struct a pybridge.train* function
%   returned (its 'file' field) or a file name; with ALLOWPYTHON true a
%   Python model object is returned as it is. Anything else raises
%   pybridge:<FNAME>:invalidInput, naming MADEBY (e.g. 'pybridge.trainSegmenter').
%
%   Example
%     f = pybridge.internal.modelArg('segment', struct('file', 'unet.safetensors'), ...
%                                    'pybridge.trainSegmenter', false);   % 'unet.safetensors'
%
%   See also pybridge.segment, pybridge.gradcam.

if isstruct(model) && isscalar(model) && isfield(model, 'file') && ischar(model.file)
  model = model.file;
  return;
end
if ischar(model) && size(model, 1) == 1
  return;
end
if allowPython && ~isempty(pybridge.internal.pyClass(model))
  return;
end
what = sprintf('the struct from %s or a model file name', madeBy);
if allowPython
  what = sprintf('the struct from %s, a model file name or a Python model', madeBy);
end
error(sprintf('pybridge:%s:invalidInput', fname), ...
  'pybridge.%s: MODEL must be %s; got a %s', fname, what, class(model));
end
