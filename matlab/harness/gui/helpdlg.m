function h = helpdlg(message, varargin)
%HELPDLG (pybridge harness) Print the message instead of showing it; takes no answer.
%   H = HELPDLG(MESSAGE, ...) prints '[helpdlg] MESSAGE' and returns an
%   invisible figure (so uiwait(H) and close(H) work). It never waits.
if nargin < 1
    message = '';
end
h = pybridge_legacy_notice('helpdlg', message);
end
