function h = msgbox(message, varargin)
%MSGBOX (pybridge harness) Print the message instead of showing it; takes no answer.
%   H = MSGBOX(MESSAGE, ...) prints '[msgbox] MESSAGE' and returns an
%   invisible figure (so uiwait(H) and close(H) work). It never waits.
if nargin < 1
    message = '';
end
h = pybridge_legacy_notice('msgbox', message);
end
