function err = assertError(fn, id)
%ASSERTERROR Check that FN() raises an error with identifier ID.
%   ERR = pbtest.assertError(@() pybridge.dice(1), 'pybridge:dice:notEnoughInputs')
%   returns the error caught, for checks on its message.
try
  fn();
catch err
  if ~strcmp(err.identifier, id)
    error('pbtest:assertError', 'expected error id %s; got [%s] %s', id, err.identifier, err.message);
  end
  return;
end
error('pbtest:assertError', 'expected error id %s; no error was raised by %s', id, func2str(fn));
end
