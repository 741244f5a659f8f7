function state = pause(varargin)
%PAUSE (pybridge harness, GNU Octave) The harness's pause, ahead of other @pause overrides.
%   Some Octave front ends (octave_kernel, used by oct2py) catch pause()
%   with a @pause folder, which a plain pause.m cannot shadow.
state = pybridge_legacy_pause(varargin{:});
end
