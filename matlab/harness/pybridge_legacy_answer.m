function a = pybridge_legacy_answer(fname, kinds, consume)
%PYBRIDGE_LEGACY_ANSWER The next scripted answer for a GUI-input function, or a clear error.
%   A = PYBRIDGE_LEGACY_ANSWER(FNAME, KINDS) takes the next scripted answer
%   (a struct with fields kind, num, texts) when its kind is one of the
%   cellstr KINDS ('click', 'rectangle', 'key', 'text', 'dialog', 'file').
%   A = PYBRIDGE_LEGACY_ANSWER(FNAME, KINDS, false) returns it without
%   taking it (the next call gets it again).
%
%   Errors name FNAME and the file and line of the code that called it:
%     pybridge:legacy:noAnswer     the scripted answers ran out
%     pybridge:legacy:wrongAnswer  the next answer is of another kind
%     pybridge:legacy:notInHarness no run of pybridge.legacy is in progress
%
%   See also PYBRIDGE_LEGACY_RUN.
if nargin < 3
    consume = true;
end
state = getappdata(0, 'pybridge_legacy');
where = pybridge_legacy_caller();
if ~isstruct(state) || ~isfield(state, 'answers')
    error('pybridge:legacy:notInHarness', ...
          '%s (%s) was called outside a run of pybridge.legacy; no scripted answer exists', ...
          fname, where);
end
wanted = strjoin(kinds, ' or ');
n = numel(state.answers);
if state.next > n
    error('pybridge:legacy:noAnswer', ...
          ['%s (%s) asked for a %s, but the scripted answers ran out (%d given, all used); ' ...
           'add one more answer of that kind'], fname, where, wanted, n);
end
a = state.answers(state.next);
if iscell(a)
    a = a{1};
end
a.num = double(a.num(:)');
if isempty(a.texts)
    a.texts = {};
elseif ischar(a.texts)
    a.texts = {a.texts};
end
if state.pressed && ~strcmp(fname, 'rbbox')
    error('pybridge:legacy:wrongAnswer', ...
          ['%s (%s) asked for a %s, but the rectangle of answer %d was pressed by ' ...
           'waitforbuttonpress and not yet released by rbbox'], fname, where, wanted, state.next);
end
if ~any(strcmp(a.kind, kinds))
    error('pybridge:legacy:wrongAnswer', ...
          '%s (%s) asked for a %s, but scripted answer %d of %d is a %s', ...
          fname, where, wanted, state.next, n, a.kind);
end
if consume
    state.next = state.next + 1;
    state.pressed = false;
    setappdata(0, 'pybridge_legacy', state);
end
end


function where = pybridge_legacy_caller()
% 'file.m, line N' of the code that called the GUI-input function: the first
% frame outside the harness's folders
here = fileparts(mfilename('fullpath'));
s = dbstack('-completenames');
k = 2;
while k <= numel(s) && strncmp(s(k).file, here, numel(here))
    k = k + 1;
end
if k <= numel(s)
    [ignored, base, ext] = fileparts(s(k).file);
    where = sprintf('called from %s%s, line %d', base, ext, s(k).line);
else
    where = 'called from the command line';
end
end
