function value = input(varargin)
%INPUT (pybridge harness, GNU Octave) The scripted input, ahead of other @input overrides.
%   Some Octave front ends (octave_kernel, used by oct2py) catch input()
%   with an @input folder, which a plain input.m cannot shadow; this one,
%   put first on the path during a run on Octave, passes the call to the
%   harness's input.
if nargin < 1
    varargin = {''};
end
[text, as_text] = pybridge_legacy_input(varargin{:});
if as_text
    value = text;
elseif isempty(strtrim(text))
    value = [];
else
    value = evalin('caller', text);
end
end
