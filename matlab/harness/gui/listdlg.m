function [indx, tf] = listdlg(varargin)
%LISTDLG (pybridge harness) The next scripted dialog answer: the chosen items, by text.
%   [INDX, TF] = LISTDLG('ListString', ITEMS, ...) returns the indices of
%   the items named in the next scripted dialog answer; [] and 0 for a
%   cancelled dialog (an empty answer). It never waits.
items = {};
for k = 1:2:numel(varargin) - 1
    if strcmpi(varargin{k}, 'ListString')
        items = cellstr(varargin{k + 1});
    end
end
a = pybridge_legacy_answer('listdlg', {'dialog', 'text'});
indx = [];
for k = 1:numel(a.texts)
    hit = find(strcmp(a.texts{k}, items), 1);
    if isempty(hit)
        error('pybridge:legacy:wrongAnswer', ...
              'listdlg offers ''%s'', but the scripted answer names ''%s''', ...
              strjoin(items, ''', '''), a.texts{k});
    end
    indx(end + 1) = hit; %#ok<AGROW>
end
tf = double(~isempty(indx));
end
