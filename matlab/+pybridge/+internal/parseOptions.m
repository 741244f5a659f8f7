function opts = parseOptions(fname, defaults, args)
%PARSEOPTIONS Name-value options with pybridge error ids (MATLAB and Octave).
%   OPTS = pybridge.internal.parseOptions(FNAME, DEFAULTS, ARGS) starts
%   from the struct DEFAULTS and sets each 'Name', value pair of the cell
%   ARGS. Names match the fields of DEFAULTS case-insensitively.
%
%   Errors
%     pybridge:<FNAME>:invalidOption   odd number of arguments or a name
%                                      that is not text
%     pybridge:<FNAME>:unknownOption   a name DEFAULTS does not have
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
      'pybridge.%s: unknown option ''%s''; valid options: %s', fname, name, ...
      strjoin(names', ', '));
  end
  opts.(names{hit}) = args{k + 1};
end
end
