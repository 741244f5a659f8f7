function figs = pybridge_legacy_figures(before, figdir)
%PYBRIDGE_LEGACY_FIGURES Save the figures a run opened as PNG files, with their titles.
%   FIGS = PYBRIDGE_LEGACY_FIGURES(BEFORE, FIGDIR) lists the figures that
%   are open now and were not in BEFORE, oldest first: a struct array with
%   number, title (the titles of its axes, joined by ' | '), file (the PNG
%   written in FIGDIR, named figure_<number>.png; '' when FIGDIR is '') and
%   problem (why a PNG could not be written; '' when it was).
%
%   See also PYBRIDGE_LEGACY_RUN.
figs = struct('number', {}, 'title', {}, 'file', {}, 'problem', {});
handles = allchild(0);
handles = sort(handles(~ismember(handles, before)));
keep = true(size(handles));
for k = 1:numel(handles)
    keep(k) = ~strcmp(get(handles(k), 'Tag'), 'pybridge-dialog');
end
handles = handles(keep);
for k = 1:numel(handles)
    h = handles(k);
    titles = {};
    axs = findall(h, 'type', 'axes');
    for a = numel(axs):-1:1
        t = get(get(axs(a), 'title'), 'string');
        if iscell(t)
            t = strjoin(t, ' ');
        end
        if ~isempty(t)
            titles{end + 1} = t; %#ok<AGROW>
        end
    end
    number = double(h);
    if isprop(h, 'Number') && ~isempty(get(h, 'Number'))
        number = double(get(h, 'Number'));
    end
    file = '';
    problem = '';
    if ~isempty(figdir)
        file = fullfile(figdir, sprintf('figure_%02d.png', k));
        try
            print(h, '-dpng', '-r80', file);
        catch err
            problem = err.message;
            file = '';
        end
    end
    figs(end + 1) = struct('number', number, 'title', strjoin(titles, ' | '), ...
                           'file', file, 'problem', problem); %#ok<AGROW>
end
