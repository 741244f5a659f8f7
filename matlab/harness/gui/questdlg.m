function answer = questdlg(question, varargin)
%QUESTDLG (pybridge harness) The next scripted dialog answer: one of the buttons.
%   ANSWER = QUESTDLG(QUESTION, TITLE, BTN1, ..., DEFAULT) returns the
%   button text of the next scripted dialog (or text) answer, '' for a
%   cancelled dialog (an empty answer). The answer must be one of the
%   buttons (default buttons 'Yes', 'No', 'Cancel'). The question and the
%   answer are printed. It never waits.
args = varargin;
if ~isempty(args) && isstruct(args{end})
    args(end) = [];
end
buttons = {'Yes', 'No', 'Cancel'};
if numel(args) >= 4
    buttons = args(2:end - 1);
end
a = pybridge_legacy_answer('questdlg', {'dialog', 'text'});
if isempty(a.texts)
    answer = '';
else
    answer = a.texts{1};
    if ~any(strcmp(answer, buttons))
        error('pybridge:legacy:wrongAnswer', ...
              'questdlg asked ''%s'' with the buttons ''%s'', but the scripted answer is ''%s''', ...
              pybridge_legacy_text(question), strjoin(buttons, ''', '''), answer);
    end
end
fprintf('[questdlg] %s -> %s\n', pybridge_legacy_text(question), answer);
end


function t = pybridge_legacy_text(q)
if iscell(q)
    t = strjoin(q, ' ');
else
    t = q;
end
end
