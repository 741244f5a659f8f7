function value = input(varargin)
%INPUT (pybridge harness) The next scripted text, evaluated as MATLAB's input does.
%   V = INPUT(PROMPT) evaluates the next scripted text in the caller's
%   workspace ([] for an empty text); V = INPUT(PROMPT, 's') returns it as
%   text. The prompt and the answer are printed, as on a terminal. It
%   never waits.
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
