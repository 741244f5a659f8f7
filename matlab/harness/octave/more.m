function more(varargin)
%MORE (pybridge harness, GNU Octave) Ignored: no pager on a headless run.
%   MORE ON would page long output through a pager that waits for keys;
%   the harness keeps Octave's paging as it is, so the run never waits.
end
