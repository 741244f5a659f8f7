% TALLY_SESSION A legacy-style interactive script: asks for files in a loop, tallies them.
% Runs in the current folder: for each *.txt file asks (questdlg) whether to
% count it, asks a weight (input) for the counted ones, pauses for a key, and
% writes tally.csv. Its own 'clear' and 'close all' are part of the test.
clear
close all
[listname, listfolder] = uigetfile('*.lst', 'The list to append to');
if ischar(listname)
    fprintf('Appending to %s\n', listname);
end
files = dir('*.txt');
counted = 0;
weights = [];
for i = 1:numel(files)
    fprintf('File %d of %d: %s\n', i, numel(files), files(i).name);
    answer = questdlg(['Count ' files(i).name '?'], 'Tally', 'Yes', 'No', 'Yes');
    if strcmp(answer, 'Yes')
        w = input('Weight: ');
        counted = counted + 1;
        weights(end + 1) = w; %#ok<AGROW>
    end
end
pause
fid = fopen('tally.csv', 'w');
fprintf(fid, '%d,%g\n', counted, sum(weights));
fclose(fid);
keyboard
fprintf('Tallied %d files\n', counted);
