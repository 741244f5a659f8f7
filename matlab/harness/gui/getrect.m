function rect = getrect(varargin)
%GETRECT (pybridge harness) The next scripted rectangle as [xmin ymin width height].
%   RECT = GETRECT(...) returns it in axes data units. It never waits.
a = pybridge_legacy_answer('getrect', {'rectangle'});
rect = [min(a.num([1 3])), min(a.num([2 4])), abs(a.num(3) - a.num(1)), abs(a.num(4) - a.num(2))];
end
