function h = waitbar(x, varargin)
%WAITBAR (pybridge harness) An invisible progress bar; takes no answer, prints nothing.
%   H = WAITBAR(X, MESSAGE) returns an invisible figure; WAITBAR(X, H, ...)
%   updates nothing and returns H. It never waits.
if ~isempty(varargin) && ~ischar(varargin{1}) && ~iscell(varargin{1}) && ishandle(varargin{1})
    h = varargin{1};
else
    h = figure('Visible', 'off', 'Tag', 'pybridge-dialog');
end
end
