function assertClose(actual, expected, tol, what)
%ASSERTCLOSE Check that ACTUAL is within TOL of EXPECTED, element by element.
%   pbtest.assertClose(d, 0.5625, 1e-12, 'dice of the two squares')
if nargin < 4
  what = 'value';
end
if ~isequal(size(actual), size(expected))
  error('pbtest:assertClose', '%s: expected size %s; got %s', what, ...
    mat2str(size(expected)), mat2str(size(actual)));
end
diff = abs(double(actual) - double(expected));
bad = diff > tol | (isnan(double(actual)) ~= isnan(double(expected)));
bad(isnan(double(actual)) & isnan(double(expected))) = false;
if any(bad(:))
  k = find(bad, 1);
  error('pbtest:assertClose', '%s: element %d is %.17g; expected %.17g (tolerance %g)', ...
    what, k, double(actual(k)), double(expected(k)), tol);
end
end
