function kw = targetArg(fname, t)
%TARGETARG The 'Target' option of an explanation wrapper, as Python keyword arguments.
%   KW = pybridge.internal.targetArg(FNAME, T) returns {} for an empty T,
%   {'target', T} for a logical region, {'target', labels} for whole-number
%   class labels, and raises pybridge:<FNAME>:invalidOption otherwise.
%
%   Example
%     kw = pybridge.internal.targetArg('gradcam', 0);   % {'target', 0}
%
%   See also pybridge.gradcam, pybridge.saliency.

kw = {};
if isempty(t)
  return;
end
if islogical(t)
  kw = {'target', t};
elseif isnumeric(t) && isreal(t) && isvector(t) && all(t == round(t))
  kw = {'target', double(t(:)')};
else
  error(sprintf('pybridge:%s:invalidOption', fname), ...
    'pybridge.%s: ''Target'' must be class labels (whole numbers) or a logical region; got a %s', ...
    fname, class(t));
end
end
