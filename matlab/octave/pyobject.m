classdef pyobject < handle
%PYOBJECT A Python object held by the Python process behind py. in GNU Octave.
%   Objects of this class are what py. calls return in GNU Octave when the
%   result is not a float or a bool (MATLAB returns py.list, py.dict,
%   py.numpy.ndarray... objects; pyclass(X) gives that name here, since
%   class(X) is 'pyobject'). The Python object lives in the Python process
%   and is released when the last Octave reference to it goes away.
%
%   Use them as in MATLAB:
%     X.attr, X.method(args), X{1} (1-based item), X{'key'}
%     double(X), single(X), int8(X) .. uint64(X), logical(X)  numbers/arrays
%     char(X) (str), cell(X) (list/tuple), struct(X) (dict), disp(X)
%   and, in addition, tomatlab(X): the whole value converted in one round
%   trip (what pybridge.fromPython uses), length(X): len(X).
%
%   See also py, pyargs, pyenv, pybridge.fromPython.

  properties (Access = private)
    id = 0;
    gen = 0;
    cls = 'py';
  end

  methods
    function obj = pyobject(id, gen, cls)
      if nargin > 0
        obj.id = id;
        obj.gen = gen;
        obj.cls = cls;
      end
    end

    function delete(obj)
      if obj.id > 0
        try
          pyconn('del', obj.id, obj.gen);
        catch
        end
      end
    end

    function varargout = subsref(obj, s)
      if obj.id == 0
        k = 1;
        while k <= numel(s) && strcmp(s(k).type, '.')
          k = k + 1;
        end
        if k == 1
          error('MATLAB:Python:BadSyntax', 'py.: use py.module.function(...) or py.builtin(...)');
        end
        name = sprintf('.%s', s(1:k - 1).subs);
        name = name(2:end);
        v = pyconn('eval', nargout, 'G', name, s(k:end));
      else
        v = pyconn('eval', nargout, 'R', [obj.id obj.gen], s);
      end
      if nargout == 0 && isnumeric(v) && isempty(v)
        varargout = {};
      else
        varargout = {v};
      end
    end

    function obj = subsasgn(obj, s, value)
      if obj.id == 0 || numel(s) ~= 1 || ~strcmp(s(1).type, '.')
        error('MATLAB:Python:BadSyntax', 'py.: only obj.attribute = value assignments are supported');
      end
      pyconn('set', obj.id, obj.gen, s(1).subs, value);
    end

    function c = pyclass(obj)
      c = obj.cls;
    end

    function v = pyid(obj)
      v = [obj.id obj.gen];
    end

    function v = tomatlab(obj)
      v = pyconn('conv', obj.id, obj.gen, 'tree');
    end

    function v = double(obj)
      v = double(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = single(obj)
      v = single(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = int8(obj)
      v = int8(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = uint8(obj)
      v = uint8(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = int16(obj)
      v = int16(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = uint16(obj)
      v = uint16(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = int32(obj)
      v = int32(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = uint32(obj)
      v = uint32(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = int64(obj)
      v = int64(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = uint64(obj)
      v = uint64(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = logical(obj)
      v = logical(pyconn('conv', obj.id, obj.gen, 'num'));
    end
    function v = char(obj)
      v = pyconn('conv', obj.id, obj.gen, 'char');
    end
    function v = cell(obj)
      v = pyconn('conv', obj.id, obj.gen, 'cell');
    end
    function v = struct(obj)
      v = pyconn('conv', obj.id, obj.gen, 'struct');
    end
    function n = length(obj)
      n = pyconn('conv', obj.id, obj.gen, 'len');
    end

    function disp(obj)
      if obj.id == 0
        fprintf('  py: Python modules and builtins (py.module.function(...))\n');
        return;
      end
      txt = pyconn('conv', obj.id, obj.gen, 'str');
      txt = strrep(txt, sprintf('\n'), sprintf('\n    '));
      fprintf('  Python %s with value:\n\n    %s\n\n', obj.cls(4:end), txt);
    end

    function display(obj)
      name = inputname(1);
      if isempty(name)
        name = 'ans';
      end
      fprintf('%s =\n\n', name);
      disp(obj);
    end
  end
end
