function assertEqual(actual, expected, what)
%ASSERTEQUAL Check that ACTUAL equals EXPECTED in class, size and value.
%   pbtest.assertEqual(double(x), [1 2 3], 'x after the round trip')
if nargin < 3
  what = 'value';
end
if ~strcmp(class(actual), class(expected))
  error('pbtest:assertEqual', '%s: expected class %s; got %s', what, class(expected), class(actual));
end
if ~isequal(size(actual), size(expected))
  error('pbtest:assertEqual', '%s: expected size %s; got %s', what, ...
    mat2str(size(expected)), mat2str(size(actual)));
end
if ~isequaln(actual, expected)
  error('pbtest:assertEqual', '%s: values differ', what);
end
end
