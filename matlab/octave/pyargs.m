function kw = pyargs(varargin)
%PYARGS Keyword arguments for a Python function called through py. (GNU Octave).
%   KW = pyargs('name1', value1, 'name2', value2, ...) passes
%   name1=value1, name2=value2 to the Python function it is given to, as in
%   MATLAB: py.textwrap.wrap('some text', pyargs('width', 5)).
%
%   See also py, pyobject.
if mod(nargin, 2) ~= 0
  error('MATLAB:Python:BadSyntax', 'pyargs: arguments come in ''name'', value pairs; got %d', nargin);
end
names = varargin(1:2:end);
for k = 1:numel(names)
  if ~ischar(names{k}) || ~isrow(names{k}) || isempty(regexp(names{k}, '^[A-Za-z_]\w*$', 'once'))
    error('MATLAB:Python:BadSyntax', 'pyargs: argument %d must be a keyword name (text)', 2 * k - 1);
  end
end
kw = pykwargs(names, varargin(2:2:end));
end
