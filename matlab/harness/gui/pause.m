function state = pause(varargin)
%PAUSE (pybridge harness) Never waits: PAUSE() takes a scripted key, PAUSE(N) returns at once.
%   PAUSE() (wait for a key press) takes the next scripted key. PAUSE(N)
%   returns immediately: figures are not shown, so there is nothing to
%   watch. PAUSE('on'|'off') is accepted; PAUSE('query') returns 'on'.
state = pybridge_legacy_pause(varargin{:});
end
