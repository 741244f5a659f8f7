function p = absolutePath(f)
%ABSOLUTEPATH A file name relative to MATLAB's current folder, made absolute.
%   P = pybridge.internal.absolutePath(F) returns F when it is empty or
%   already absolute ('/...', '~...', 'C:\...', '\\server\...'), else
%   fullfile(pwd, F). Python runs in its own process (MATLAB's
%   OutOfProcess mode, Octave), whose current folder does not follow cd in
%   MATLAB, so every file name crosses as an absolute one.
%
%   Example
%     p = pybridge.internal.absolutePath('unet.safetensors');   % [pwd '/unet.safetensors']
%
%   See also pybridge.trainSegmenter, pybridge.internal.modelArg.

if isempty(f) || any(f(1) == '/\~') || (numel(f) > 1 && f(2) == ':')
  p = f;
else
  p = fullfile(pwd, f);
end
end
