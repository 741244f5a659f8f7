function [file, folder, index] = uigetfile(varargin)
%UIGETFILE (pybridge harness) The next scripted file answer: name and folder.
%   [FILE, FOLDER, INDEX] = UIGETFILE(...) returns the file name and its folder
%   (ending in the file separator, as MATLAB's does) from the next scripted
%   file answer; 0, 0, 0 for a cancelled dialog (an empty answer). It never
%   waits.
a = pybridge_legacy_answer('uigetfile', {'file'});
if isempty(a.texts)
    file = 0;
    folder = 0;
    index = 0;
    return
end
file = a.texts{1};
folder = a.texts{2};
if isempty(folder)
    folder = pwd;
end
if folder(end) ~= filesep
    folder = [folder filesep];
end
index = 1;
end
