function uiwait(varargin)
%UIWAIT (pybridge harness) Returns at once: no window is shown, so there is nothing to wait for.
end
