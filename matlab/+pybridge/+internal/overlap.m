function similarity = overlap(fname, A, B, args)
%OVERLAP The shared body of pybridge.dice and pybridge.jaccard.
%   S = pybridge.internal.overlap(FNAME, A, B, ARGS) checks two masks or
%   label images and the 'Labels' and 'Batch' options in the cell ARGS,
%   then calls pybridge.mapi's FNAME ('dice' or 'jaccard'). Error ids are
%   pybridge:<FNAME>:invalidInput, :sizeMismatch, :invalidOption and
%   :unknownOption.
%
%   Example
%     s = pybridge.internal.overlap('dice', true(2), true(2), {});   % 1
%
%   See also pybridge.dice, pybridge.jaccard.

opts = pybridge.internal.parseOptions(fname, struct('Labels', [], 'Batch', false), args);
checkMask(fname, A, 'A');
checkMask(fname, B, 'B');
if ~isequal(size(A), size(B))
  error(sprintf('pybridge:%s:sizeMismatch', fname), ...
    'pybridge.%s: A and B must have the same size; got %s and %s', ...
    fname, mat2str(size(A)), mat2str(size(B)));
end
if ~(isnumeric(opts.Labels) && isreal(opts.Labels) && (isempty(opts.Labels) || isvector(opts.Labels)))
  error(sprintf('pybridge:%s:invalidOption', fname), ...
    'pybridge.%s: ''Labels'' must be a numeric vector of label values; got a %s of size %s', ...
    fname, class(opts.Labels), mat2str(size(opts.Labels)));
end
if ~((islogical(opts.Batch) || isnumeric(opts.Batch)) && isscalar(opts.Batch))
  error(sprintf('pybridge:%s:invalidOption', fname), ...
    'pybridge.%s: ''Batch'' must be true or false; got a %s of size %s', ...
    fname, class(opts.Batch), mat2str(size(opts.Batch)));
end
kw = {'batch', logical(opts.Batch)};
if ~isempty(opts.Labels)
  kw = [kw, {'labels', double(opts.Labels(:)')}];   % omitted: Python's default (1..max)
end
similarity = pybridge.internal.callPython(fname, fname, A, B, pyargs(kw{:}));
end

function checkMask(fname, M, name)
if ~((islogical(M) || isnumeric(M)) && isreal(M))
  error(sprintf('pybridge:%s:invalidInput', fname), ...
    'pybridge.%s: %s must be a real logical mask or numeric label image; got a %s', ...
    fname, name, class(M));
end
end
