function answer = inputdlg(prompt, varargin)
%INPUTDLG (pybridge harness) The next scripted dialog answer: one text per prompt.
%   ANSWER = INPUTDLG(PROMPT, ...) returns a cell (one char row per prompt)
%   from the next scripted dialog answer, or {} for a cancelled dialog (an
%   empty answer). A single prompt also takes a text answer. It never waits.
if ischar(prompt)
    prompt = {prompt};
end
a = pybridge_legacy_answer('inputdlg', {'dialog', 'text'});
if isempty(a.texts)
    answer = {};
    return
end
if numel(a.texts) ~= numel(prompt)
    error('pybridge:legacy:wrongAnswer', ...
          'inputdlg asked %d question(s) (%s), but the scripted answer has %d text(s)', ...
          numel(prompt), strjoin(prompt, '; '), numel(a.texts));
end
answer = a.texts(:);
end
