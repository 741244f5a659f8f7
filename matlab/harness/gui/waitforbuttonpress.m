function k = waitforbuttonpress()
%WAITFORBUTTONPRESS (pybridge harness) Take the next scripted click, rectangle or key.
%   K = WAITFORBUTTONPRESS() returns 0 for a click or a rectangle (whose
%   first corner becomes get(gca, 'CurrentPoint'); rbbox then releases it
%   at the second corner) and 1 for a key. It never waits.
a = pybridge_legacy_answer('waitforbuttonpress', {'click', 'rectangle', 'key'}, false);
switch a.kind
    case 'click'
        pybridge_legacy_point(a.num(1:2));
        pybridge_legacy_answer('waitforbuttonpress', {'click'});
        k = 0;
    case 'rectangle'
        pybridge_legacy_point(a.num(1:2));
        pybridge_legacy_press(true);
        k = 0;
    otherwise
        pybridge_legacy_answer('waitforbuttonpress', {'key'});
        k = 1;
end
end
