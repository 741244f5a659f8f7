function value = input(prompt, s)
%INPUT (pybridge harness) The next scripted text, evaluated as MATLAB's input does.
%   V = INPUT(PROMPT) evaluates the next scripted text in the caller's
%   workspace ([] for an empty text); V = INPUT(PROMPT, 's') returns it as
%   text. The prompt and the answer are printed, as on a terminal. It
%   never waits.
if nargin < 1
    prompt = '';
end
a = pybridge_legacy_answer('input', {'text'});
text = a.texts{1};
fprintf('%s%s\n', prompt, text);
if nargin >= 2 && strcmpi(s, 's')
    value = text;
elseif isempty(strtrim(text))
    value = [];
else
    value = evalin('caller', text);
end
end
