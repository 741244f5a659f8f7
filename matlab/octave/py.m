function p = py()
%PY Call Python from GNU Octave with MATLAB's py. syntax.
%   py.module.function(args), py.module.attribute, py.list({1, 2}),
%   py.dict(pyargs('a', 1)), py.numpy.array(X), methods and attributes of the
%   objects returned, keyword arguments with pyargs, as in MATLAB. Python
%   runs in one separate process per Octave session, started on first use
%   (pyenv chooses the executable; pybridge.setup configures it).
%
%   Values passed to Python (MATLAB's rules, R2025a behaviour for arrays):
%     double/single scalar -> float     integer scalar -> int
%     logical scalar -> bool            char row -> str
%     numeric/logical array -> numpy.ndarray, MATLAB's shape and class
%     cell vector -> tuple              scalar struct -> dict
%   Values returned: float -> double, bool -> logical, anything else a
%   pyobject (convert with double, logical, char, cell, struct...).
%   Python exceptions raise MATLAB:Python:PyException errors whose message
%   is 'Python Error: <Type>: <message>'; a value Python cannot take raises
%   MATLAB:Python:UnsupportedInput, with what to send instead.
%
%   What Python prints during a call (print, help, warnings) is printed by
%   Octave as it arrives, in order with Octave's own output, so evalc and
%   diary capture it: txt = evalc('py.help(''len'')').
%
%   Modules in Octave's current folder can be imported (py.mymod.f()), but
%   they are searched after the installed ones, so a file there never
%   shadows an installed package. To search the folder first, as MATLAB's
%   documentation shows: insert(py.sys.path, int32(0), pwd).
%
%   Example
%     r = py.math.sqrt(2);                       % 1.4142 (double)
%     a = py.numpy.array(magic(3));
%     t = double(a.T);                           % magic(3)'
%
%   See also pyargs, pyenv, pyobject, pybridge.setup.
persistent root
if isempty(root)
  root = pyobject();
end
p = root;
end
