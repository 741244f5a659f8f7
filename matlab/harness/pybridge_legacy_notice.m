function h = pybridge_legacy_notice(kind, message)
%PYBRIDGE_LEGACY_NOTICE (pybridge harness) What msgbox, warndlg, errordlg and helpdlg do headless.
%   H = PYBRIDGE_LEGACY_NOTICE(KIND, MESSAGE) prints '[KIND] MESSAGE' (a cell
%   of lines joined by spaces) and returns an invisible figure, so that the
%   legacy code's uiwait(H) and close(H) work. It never waits.
if iscell(message)
    message = strjoin(message, ' ');
end
fprintf('[%s] %s\n', kind, message);
h = figure('Visible', 'off', 'Tag', 'pybridge-dialog');
end
