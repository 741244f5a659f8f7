function rect = rbbox(varargin)
%RBBOX (pybridge harness) Release the scripted rectangle at its second corner.
%   RECT = RBBOX(...) takes the next scripted rectangle, makes its second
%   corner get(gca, 'CurrentPoint') and returns [x y width height] in axes
%   data units. It never waits.
a = pybridge_legacy_answer('rbbox', {'rectangle'});
pybridge_legacy_point(a.num(3:4));
rect = [min(a.num([1 3])), min(a.num([2 4])), abs(a.num(3) - a.num(1)), abs(a.num(4) - a.num(2))];
end
