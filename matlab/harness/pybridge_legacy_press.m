function pybridge_legacy_press(pressed)
%PYBRIDGE_LEGACY_PRESS Mark the scripted rectangle at the head as pressed (true) or not.
%   See also PYBRIDGE_LEGACY_ANSWER.
state = getappdata(0, 'pybridge_legacy');
state.pressed = logical(pressed);
setappdata(0, 'pybridge_legacy', state);
end
