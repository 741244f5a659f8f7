function requirePython(module, hint)
%REQUIREPYTHON Skip the running test when an optional Python package is missing.
%   pbtest.requirePython('pybridge.classification') imports the module.
%   When the import fails because a third-party package is not installed
%   (torch, MONAI, ... : an optional part of pybridge), the test is skipped,
%   giving the reason. When pybridge's own module fails to import (a
%   syntax error, a missing pybridge module, a bad import inside pybridge),
%   the test FAILS with error id pbtest:requirePython:brokenModule: a broken
%   pybridge is never a skip. Errors of Python itself (not running at all)
%   are raised as they are.
if nargin < 2
  hint = '';
end
try
  py.importlib.import_module(module);
catch err
  if isempty(regexp(err.message, '(Python Error|ModuleNotFoundError|ImportError|SyntaxError)', 'once'))
    rethrow(err);
  end
  missing = regexp(err.message, 'No module named ''([A-Za-z0-9_.]+)''', 'tokens', 'once');
  if ~isempty(missing) && ~strcmp(strtok(missing{1}, '.'), 'pybridge')
    pbtest.skip(strtrim(sprintf('Python package %s is not installed, so %s cannot be imported %s', ...
      missing{1}, module, hint)));
  end
  error('pbtest:requirePython:brokenModule', ...
    'pybridge''s own module %s fails to import (this is a failure, not a skip): %s', module, err.message);
end
end
