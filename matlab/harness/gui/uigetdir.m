function folder = uigetdir(varargin)
%UIGETDIR (pybridge harness) The folder of the next scripted file answer; 0 when cancelled.
a = pybridge_legacy_answer('uigetdir', {'file'});
if isempty(a.texts)
    folder = 0;
else
    folder = a.texts{2};
end
end
