function pybridge_legacy_point(xy)
%PYBRIDGE_LEGACY_POINT Make XY = [x y] the CurrentPoint of the current axes and figure.
%   After it, get(gca, 'CurrentPoint') returns [x y 1; x y -1] (MATLAB's
%   form for a 2-D view, in axes data units) and get(gcf, 'CurrentPoint')
%   returns [x y]. A figure and axes are created (invisibly) when none
%   exists, as a real click would need them.
%
%   See also PYBRIDGE_LEGACY_ANSWER.
fig = get(0, 'CurrentFigure');
if isempty(fig)
    fig = figure();
end
ax = get(fig, 'CurrentAxes');
if isempty(ax)
    ax = axes('Parent', fig);
end
set(ax, 'CurrentPoint', [xy(1) xy(2) 1; xy(1) xy(2) -1]);
try
    set(fig, 'CurrentPoint', [xy(1) xy(2)]);
catch
    % a read-only figure CurrentPoint: the axes' one is what code reads
end
end
