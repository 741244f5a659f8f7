function [x, y, button] = ginput(n)
%GINPUT (pybridge harness) The next scripted clicks, in axes data units.
%   [X, Y, BUTTON] = GINPUT(N) takes N scripted clicks (a key answer stops
%   early, as Return does). [X, Y, BUTTON] = GINPUT() takes the clicks up
%   to the next key answer, which it also takes. BUTTON is 1, 2 or 3 for a
%   mouse button. It never waits.
x = zeros(0, 1);
y = zeros(0, 1);
button = zeros(0, 1);
if nargin < 1
    n = Inf;
end
while numel(x) < n
    if isinf(n) && numel(x) > 0
        state = getappdata(0, 'pybridge_legacy');
        if state.next > numel(state.answers)
            break
        end
    end
    a = pybridge_legacy_answer('ginput', {'click', 'key'});
    if strcmp(a.kind, 'key')
        break
    end
    pybridge_legacy_point(a.num(1:2));
    x(end + 1, 1) = a.num(1); %#ok<AGROW>
    y(end + 1, 1) = a.num(2); %#ok<AGROW>
    button(end + 1, 1) = a.num(3); %#ok<AGROW>
end
if nargout <= 1
    x = [x y];
end
end
