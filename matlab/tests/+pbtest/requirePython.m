function requirePython(module, hint)
%REQUIREPYTHON Skip the running test when a Python module cannot be imported.
%   pbtest.requirePython('pybridge.metrics') skips, giving the reason, when
%   the module is missing (for example while another part of pybridge is not
%   written yet, or an optional dependency is not installed). Other errors
%   (Python not running at all) are raised, not skipped.
if nargin < 2
  hint = '';
end
try
  py.importlib.import_module(module);
catch err
  if isempty(regexp(err.message, '(ModuleNotFoundError|ImportError)', 'once'))
    rethrow(err);
  end
  pbtest.skip(strtrim(sprintf('Python module %s is not importable (%s) %s', module, err.message, hint)));
end
end
