function state = pybridge_legacy_pause(varargin)
%PYBRIDGE_LEGACY_PAUSE The body of the harness's pause(): never waits.
%   PAUSE() takes the next scripted key; PAUSE(N) and PAUSE('on'|'off')
%   return at once; PAUSE('query') returns 'on'.
%
%   See also PYBRIDGE_LEGACY_ANSWER.
state = [];
if nargin == 0
    pybridge_legacy_answer('pause', {'key'});
elseif ischar(varargin{1}) && strcmpi(varargin{1}, 'query')
    state = 'on';
end
end
