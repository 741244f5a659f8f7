function pybridge_legacy_restore()
%PYBRIDGE_LEGACY_RESTORE Undo what PYBRIDGE_LEGACY_RUN changed: path, folder, warnings, figures.
%   PYBRIDGE_LEGACY_RESTORE() puts back the path, the current folder, the
%   warning state and the default figure visibility saved at the start of
%   the run, closes the figures the run left open, and forgets the scripted
%   answers. It does nothing when no run is in progress, so calling it
%   after an interrupted run is always safe.
%
%   See also PYBRIDGE_LEGACY_RUN.
state = getappdata(0, 'pybridge_legacy');
if ~isstruct(state) || ~isfield(state, 'oldpath')
    return
end
rmappdata(0, 'pybridge_legacy');
figs = allchild(0);
for k = 1:numel(figs)
    if ~any(figs(k) == state.figs_before)
        delete(figs(k));
    end
end
set(0, 'defaultfigurevisible', state.oldvisible);
if isfield(state, 'oldgnuterm')
    setenv('GNUTERM', state.oldgnuterm);
end
% removing what the run added is much cheaper than resetting the whole
% path; the reset is the fallback when the code changed the path itself
if isfield(state, 'added') && ~isempty(state.added)
    rmpath(state.added{:});
end
if ~strcmp(path(), state.oldpath)
    path(state.oldpath);
end
if exist(state.oldcwd, 'dir')
    cd(state.oldcwd);
end
warning(state.oldwarn);
