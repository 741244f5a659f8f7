classdef pykwargs
%PYKWARGS Keyword arguments for a Python call, made by pyargs (GNU Octave).
%   See also pyargs.
  properties (Access = private)
    names = {};
    values = {};
  end
  methods
    function obj = pykwargs(names, values)
      obj.names = names;
      obj.values = values;
    end
    function [n, v] = kwitems(obj)
      n = obj.names;
      v = obj.values;
    end
    function disp(obj)
      fprintf('  pyargs with keywords: %s\n', strjoin(obj.names, ', '));
    end
  end
end
