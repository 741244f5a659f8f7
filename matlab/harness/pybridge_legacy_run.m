function varargout = pybridge_legacy_run(spec_json, varargin)
%PYBRIDGE_LEGACY_RUN Run unmodified legacy code headless (the engine side of pybridge.legacy.run).
%   [REPORT, OUT1, ..., OUTN] = PYBRIDGE_LEGACY_RUN(SPEC_JSON, ARG1, ...)
%   runs the function or script SPEC.target with scripted GUI answers,
%   invisible figures and a working folder, and returns REPORT, a JSON text
%   (ok, error with identifier/message/stack, figures, answers left), then
%   the N outputs of the function (for a script: the variables SPEC.returns).
%
%   SPEC_JSON fields:
%     target       function or script name (on the path, or in SPEC.paths)
%     script       true to run a script (in a workspace of its own)
%     nargout      number of outputs of a function
%     returns      names of a script's variables to return
%     workdir      current folder during the run
%     paths        folders put first on the path during the run
%     guidir       the folder of GUI-input shadows (waitforbuttonpress, ...)
%     compat       folders of compat functions, each named after its function;
%                  one goes on the path only where that function is absent
%     answers      the scripted answers (struct array: kind, num, texts)
%     figdir       where to save the figures as PNG ('' to discard them)
%
%   Errors of the legacy code never escape: they are in REPORT.error. The
%   path, the current folder, the warning state and the figure defaults are
%   restored on every exit, also after an error (PYBRIDGE_LEGACY_RESTORE
%   restores them after an interrupt).
%
%   See also PYBRIDGE_LEGACY_RESTORE, PYBRIDGE_LEGACY_ANSWER.

spec = jsondecode(spec_json);
nout = max(nargout - 1, 0);
outs = cell(1, nout);
if pybridge_legacy_spec_flag(spec, 'script')
    nres = numel(pybridge_legacy_cellstr(spec.returns));
    outs = cell(1, max(nout, nres));
end

pybridge_legacy_setup();     % before the path is saved: the image package stays loaded
state = struct();
state.oldpath = path();
state.oldcwd = pwd();
state.oldwarn = warning();
state.oldvisible = get(0, 'defaultfigurevisible');
state.oldgnuterm = getenv('GNUTERM');
state.figs_before = allchild(0);
state.answers = spec.answers;
state.next = 1;
state.pressed = false;
state.returns = pybridge_legacy_cellstr(spec.returns);
state.target = spec.target;
state.added = {};
setappdata(0, 'pybridge_legacy', state);

report = struct('ok', true, 'error', [], 'figures', [], 'answers_left', 0, ...
                'compat', {{}});
added = {};
try
    warning('off', 'Octave:shadowed-function');
    warning('off', 'Octave:gnuplot-graphics');
    warning('off', 'MATLAB:dispatcher:nameConflict');
    % first on the path: the GUI-input shadows (and, on Octave, the @input
    % and @pause ones, ahead of front ends that catch those), then the
    % code's folders; last: compat functions for the absent ones. One
    % addpath call for each end, as Octave rescans the path on every call.
    front = {spec.guidir};
    if exist('OCTAVE_VERSION', 'builtin')
        front{end + 1} = fullfile(fileparts(mfilename('fullpath')), 'octave');
    end
    front = [front, pybridge_legacy_cellstr(spec.paths)];
    back = {};
    compat = pybridge_legacy_cellstr(spec.compat);
    for k = 1:numel(compat)
        [ignored, fname] = fileparts(compat{k});
        if ~exist(fname)
            back{end + 1} = compat{k}; %#ok<AGROW>
            report.compat{end + 1} = fname;
        end
    end
    front = pybridge_legacy_absent(front);
    back = pybridge_legacy_absent(back);
    if ~isempty(front)
        addpath(front{:}, '-begin');
    end
    if ~isempty(back)
        addpath(back{:}, '-end');
    end
    added = [front, back];
    state.added = added;
    setappdata(0, 'pybridge_legacy', state);
    set(0, 'defaultfigurevisible', 'off');
    if exist('OCTAVE_VERSION', 'builtin')
        % a figure the code makes visible again (figure(h)) must not be
        % drawn: without a display, gnuplot's default terminal draws text
        % art on the output; its 'unknown' terminal draws nothing (saving
        % figures as PNG chooses its own terminal)
        setenv('GNUTERM', 'unknown');
    end
    cd(spec.workdir);
    if pybridge_legacy_spec_flag(spec, 'script')
        outs = pybridge_legacy_script(spec.target);
    elseif nout == 0
        feval(spec.target, varargin{:});
    else
        [outs{1:nout}] = feval(spec.target, varargin{:});
    end
catch err
    report.ok = false;
    report.error = pybridge_legacy_error(err, spec.guidir);
end

% figures: kept as PNG (with their titles) or discarded, never shown
try
    report.figures = pybridge_legacy_figures(state.figs_before, spec.figdir);
catch err
    report.figures = struct('number', {}, 'title', {}, 'file', {}, 'problem', {});
    report.figure_error = err.message;
end
st = getappdata(0, 'pybridge_legacy');
if isstruct(st) && isfield(st, 'next')
    report.answers_left = numel(st.answers) - st.next + 1;
end
pybridge_legacy_restore();

% an empty struct array inside a struct crashes Octave 7's jsonencode: send []
if isempty(report.figures)
    report.figures = {};
end
if isstruct(report.error) && isempty(report.error.stack)
    report.error.stack = {};
end
varargout{1} = jsonencode(report);
for k = 1:nout
    if k <= numel(outs)
        varargout{k + 1} = outs{k};
    else
        varargout{k + 1} = [];
    end
end
end


function folders = pybridge_legacy_absent(folders)
% the FOLDERS not on the path yet (those already there are left where they are)
here = [pathsep path() pathsep];
keep = true(size(folders));
for k = 1:numel(folders)
    keep(k) = isempty(strfind(here, [pathsep folders{k} pathsep]));
end
folders = folders(keep);
end


function tf = pybridge_legacy_spec_flag(spec, name)
tf = isfield(spec, name) && ~isempty(spec.(name)) && logical(spec.(name));
end


function c = pybridge_legacy_cellstr(v)
% JSON lists of text arrive as a cell (or as [] when empty)
if isempty(v)
    c = {};
elseif ischar(v)
    c = {v};
else
    c = v(:)';
end
end


function info = pybridge_legacy_error(err, guidir)
% identifier, message and the .m stack of the legacy code (the harness's own frames removed)
here = fileparts(mfilename('fullpath'));
frames = struct('file', {}, 'name', {}, 'line', {});
for k = 1:numel(err.stack)
    f = err.stack(k);
    [folder, base] = fileparts(f.file);
    if strcmp(folder, here) && strncmp(base, 'pybridge_legacy', 15)
        continue
    end
    frames(end + 1) = struct('file', f.file, 'name', f.name, 'line', double(f.line)); %#ok<AGROW>
end
info = struct('identifier', err.identifier, 'message', err.message, 'stack', frames);
end
