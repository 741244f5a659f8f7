function h = warndlg(message, varargin)
%WARNDLG (pybridge harness) Print the message instead of showing it; takes no answer.
%   H = WARNDLG(MESSAGE, ...) prints '[warndlg] MESSAGE' and returns an
%   invisible figure (so uiwait(H) and close(H) work). It never waits.
if nargin < 1
    message = '';
end
h = pybridge_legacy_notice('warndlg', message);
end
