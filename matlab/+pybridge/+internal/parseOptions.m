function opts = parseOptions(fname, defaults, args)
%PARSEOPTIONS Name-value options with pybridge error ids (MATLAB and Octave).
%   OPTS = pybridge.internal.parseOptions(FNAME, DEFAULTS, ARGS) starts
%   from the struct DEFAULTS and sets each 'Name', value pair of the cell
%   ARGS. Names match the fields of DEFAULTS case-insensitively.
%
%   Errors
%     pybridge:<FNAME>:invalidOption   odd number of arguments or a name
%                                      that is not text
%     pybridge:<FNAME>:unknownOption   a name DEFAULTS does not have; the
%                                      message names the closest valid
%                                      option and lists them all
%
%   Example
%     o = pybridge.internal.parseOptions('dice', struct('Batch', false), {'batch', true});
%
%   See also pybridge.dice.

opts = defaults;
names = fieldnames(defaults);
if mod(numel(args), 2) ~= 0
  error(sprintf('pybridge:%s:invalidOption', fname), ...
    'pybridge.%s: options come in ''Name'', value pairs; got %d extra argument(s)', ...
    fname, numel(args));
end
for k = 1:2:numel(args)
  name = args{k};
  if ~ischar(name) || size(name, 1) ~= 1
    error(sprintf('pybridge:%s:invalidOption', fname), ...
      'pybridge.%s: option names must be text; argument %d is a %s', fname, k, class(name));
  end
  hit = find(strcmpi(name, names), 1);
  if isempty(hit)
    error(sprintf('pybridge:%s:unknownOption', fname), ...
      'pybridge.%s: unknown option ''%s''%s; valid options: %s', fname, name, ...
      closest(name, names), strjoin(strcat('''', names', ''''), ', '));
  end
  opts.(names{hit}) = args{k + 1};
end
end

function hint = closest(name, names)
%CLOSEST ' (did you mean ''Epochs''?)' for the valid name nearest to NAME, or ''.
best = inf;
hint = '';
for k = 1:numel(names)
  d = editDistance(lower(name), lower(names{k}));
  if strncmpi(name, names{k}, max(numel(name), 1)) || strncmpi(names{k}, name, numel(names{k}))
    d = min(d, 1);   % a prefix ('Thresh') or an extension ('Epochss') of a valid name
  end
  if d < best && d <= max(2, floor(max(numel(name), numel(names{k})) / 2))
    best = d;
    hint = sprintf(' (did you mean ''%s''?)', names{k});
  end
end
end

function d = editDistance(a, b)
%EDITDISTANCE Levenshtein distance of two char rows (insertions, deletions, substitutions).
prev = 0:numel(b);
for i = 1:numel(a)
  cur = [i, zeros(1, numel(b))];
  for j = 1:numel(b)
    cur(j + 1) = min([prev(j + 1) + 1, cur(j) + 1, prev(j) + (a(i) ~= b(j))]);
  end
  prev = cur;
end
d = prev(end);
end
