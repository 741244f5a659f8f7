function s = describe(x)
%DESCRIBE A value as a message shows it: 0.8, 7, [6 7], 'abc', true, or its size and class.
%   S = pybridge.internal.describe(X) returns char: a real scalar or a
%   short real row as MATLAB writes it (num2str), text in quotes, a
%   logical scalar as true/false, and anything else as 'a 32x32x3 uint8
%   array', 'a 1x2 cell', 'a struct'.
%
%   Example
%     pybridge.internal.describe(0.8)          % '0.8'
%     pybridge.internal.describe([6 7])        % '[6 7]'
%     pybridge.internal.describe(zeros(3, 4))  % 'a 3x4 double array'
%
%   See also pybridge.internal.parseOptions.

dims = sprintf('%dx', size(x));
dims = dims(1:end - 1);
if ischar(x) && size(x, 1) <= 1
  s = ['''' x ''''];
elseif islogical(x) && isscalar(x)
  if x
    s = 'true';
  else
    s = 'false';
  end
elseif isnumeric(x) && isreal(x) && isempty(x)
  s = '[]';
elseif isnumeric(x) && isreal(x) && isscalar(x)
  s = num2str(double(x), 6);
elseif isnumeric(x) && isreal(x) && isvector(x) && numel(x) <= 8
  s = ['[' num2str(double(x(:)'), 6) ']'];
  s = regexprep(s, '\s+', ' ');
elseif iscell(x)
  s = sprintf('a %s cell', dims);
elseif isstruct(x)
  s = sprintf('a %s struct', dims);
else
  s = sprintf('a %s %s array', dims, class(x));
end
end
