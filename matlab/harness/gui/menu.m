function choice = menu(title, varargin)
%MENU (pybridge harness) The index of the option named by the next scripted dialog answer.
%   CHOICE = MENU(TITLE, OPT1, OPT2, ...) or MENU(TITLE, {OPT1, ...}); 0 for
%   a cancelled dialog (an empty answer). It never waits.
options = varargin;
if numel(options) == 1 && iscell(options{1})
    options = options{1};
end
a = pybridge_legacy_answer('menu', {'dialog', 'text'});
choice = 0;
if ~isempty(a.texts)
    choice = find(strcmp(a.texts{1}, options), 1);
    if isempty(choice)
        error('pybridge:legacy:wrongAnswer', ...
              'menu ''%s'' offers ''%s'', but the scripted answer is ''%s''', ...
              title, strjoin(options, ''', '''), a.texts{1});
    end
end
end
