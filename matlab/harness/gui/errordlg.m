function h = errordlg(message, varargin)
%ERRORDLG (pybridge harness) Print the message instead of showing it; takes no answer.
%   H = ERRORDLG(MESSAGE, ...) prints '[errordlg] MESSAGE' and returns an
%   invisible figure (so uiwait(H) and close(H) work). It never waits.
if nargin < 1
    message = '';
end
h = pybridge_legacy_notice('errordlg', message);
end
