function h = msgbox(message, varargin)
%MSGBOX (pybridge harness) Print the message instead of showing it; takes no answer.
%   H = MSGBOX(MESSAGE, ...) prints '[msgbox] MESSAGE' and returns an
%   invisible figure (so uiwait(H) and close(H) work). It never waits.
if iscell(message)
    message = strjoin(message, ' ');
end
fprintf('[msgbox] %s\n', message);
h = figure('Visible', 'off', 'Tag', 'pybridge-dialog');
end
