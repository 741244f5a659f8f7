function keyboard(varargin)
%KEYBOARD (pybridge harness) Run the next scripted text in the caller, then continue.
%   KEYBOARD takes the next scripted text and evaluates it in the caller's
%   workspace (its debug prompt); 'dbcont', 'return' or '' just continue.
%   It never waits.
a = pybridge_legacy_answer('keyboard', {'text'});
text = strtrim(a.texts{1});
fprintf('[keyboard] %s\n', text);
if ~isempty(text) && ~any(strcmp(text, {'dbcont', 'return'}))
    evalin('caller', text);
end
end
