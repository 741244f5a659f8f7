function pybridge_legacy_setup()
%PYBRIDGE_LEGACY_SETUP Load what legacy code expects of a MATLAB with toolboxes (Octave: the image package).
%   PYBRIDGE_LEGACY_SETUP() loads GNU Octave's image package (stdfilt,
%   imfill, bwlabel, imresize...) when it is installed and not loaded. It
%   stays loaded after the run (PYBRIDGE_LEGACY_RUN calls this before it
%   saves the path), so later runs do not pay for loading it. On MATLAB it
%   does nothing.
%
%   See also PYBRIDGE_LEGACY_RUN.
if ~exist('OCTAVE_VERSION', 'builtin')
    return
end
installed = pkg('list');
for k = 1:numel(installed)
    if strcmp(installed{k}.name, 'image') && ~installed{k}.loaded
        pkg('load', 'image');
    end
end
end
