function pybridge_legacy_outs__ = pybridge_legacy_script(pybridge_legacy_name__)
%PYBRIDGE_LEGACY_SCRIPT Run a script in a workspace of its own and return the requested variables.
%   OUTS = PYBRIDGE_LEGACY_SCRIPT(NAME) runs the script NAME (its own
%   'clear' or 'clear all' cannot touch the harness, whose state lives in
%   the root's application data) and returns, in a cell, the variables
%   named in the harness state's 'returns' ([] for one the script did not
%   set).
%
%   See also PYBRIDGE_LEGACY_RUN.
eval(pybridge_legacy_name__);
pybridge_legacy_state__ = getappdata(0, 'pybridge_legacy');
pybridge_legacy_outs__ = cell(1, numel(pybridge_legacy_state__.returns));
for pybridge_legacy_k__ = 1:numel(pybridge_legacy_state__.returns)
    if exist(pybridge_legacy_state__.returns{pybridge_legacy_k__}, 'var') == 1
        pybridge_legacy_outs__{pybridge_legacy_k__} = eval(pybridge_legacy_state__.returns{pybridge_legacy_k__});
    end
end
