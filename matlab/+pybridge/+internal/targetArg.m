function kw = targetArg(fname, t)
%TARGETARG The 'Target' option of an explanation wrapper, as Python keyword arguments.
%   KW = pybridge.internal.targetArg(FNAME, T) returns {} for an empty T,
%   {'target', T} for a logical region, {'target', T} for class numbers
%   and raises pybridge:<FNAME>:invalidOption otherwise.
%
%   Class numbers count from 1, as everywhere in MATLAB: class k is column
%   k of the SCORES of pybridge.classify (for the course models 1 = label
%   0, normal tissue; 2 = label 1, lesion). 0 is refused, so no call can
%   mean one class in 0-based and another in 1-based counting.
%
%   Example
%     kw = pybridge.internal.targetArg('gradcam', 2);   % {'target', 2}: the lesion class
%
%   See also pybridge.gradcam, pybridge.saliency.

kw = {};
if isempty(t)
  return;
end
help1 = ['class numbers count from 1: class k is column k of the SCORES of ' ...
  'pybridge.classify (1 = label 0, normal; 2 = label 1, lesion)'];
if islogical(t)
  kw = {'target', t};
elseif isnumeric(t) && isreal(t) && isvector(t) && all(isfinite(t)) && all(t == round(t))
  if any(t < 1)
    error(sprintf('pybridge:%s:invalidOption', fname), ...
      'pybridge.%s: ''Target'' %s: %s. There is no class 0: add 1 to 0-based classes', ...
      fname, pybridge.internal.describe(t), help1);
  end
  kw = {'target', double(t(:)')};
else
  error(sprintf('pybridge:%s:invalidOption', fname), ...
    'pybridge.%s: ''Target'' must be class numbers (1, 2, ...) or a logical region; got %s', ...
    fname, pybridge.internal.describe(t));
end
end
