function [text, as_text] = pybridge_legacy_input(prompt, s)
%PYBRIDGE_LEGACY_INPUT The body of the harness's input(): take the next scripted text.
%   [TEXT, AS_TEXT] = PYBRIDGE_LEGACY_INPUT(PROMPT, S) takes the next
%   scripted text answer, prints PROMPT and TEXT as a terminal would, and
%   says whether input was called with 's' (return TEXT as it is) or not
%   (evaluate TEXT in the caller's workspace: the shadow does that).
%
%   See also PYBRIDGE_LEGACY_ANSWER.
if nargin < 1
    prompt = '';
end
a = pybridge_legacy_answer('input', {'text'});
text = a.texts{1};
fprintf('%s%s\n', prompt, text);
as_text = nargin >= 2 && ischar(s) && strcmpi(s, 's');
end
