function [box, total, label] = measure_spot(file_path)
%MEASURE_SPOT A legacy-style interactive measurement: the user draws a box, clicks, answers.
%   [BOX, TOTAL, LABEL] = MEASURE_SPOT(FILE_PATH) shows the image, asks for
%   a rectangle (waitforbuttonpress + rbbox, read with get(gca,
%   'CurrentPoint')), two clicks (ginput), a scale factor (input), a label
%   (inputdlg) and whether to save (questdlg); prints its progress; writes
%   results/<name>_box.txt next to the image when told to save.
%   BOX is [row_lo row_hi col_lo col_hi] (1-based, inclusive), TOTAL the
%   sum of the pixels in the box times the scale factor.
img = double(imread(file_path));
figure;
imagesc(img);
colormap(gray);
title('Draw a box around the spot');
k = waitforbuttonpress;
if k == 1
    error('measure_spot:keyboard', 'Use the mouse to draw the box');
end
p1 = get(gca, 'CurrentPoint');
rbbox;
p2 = get(gca, 'CurrentPoint');
rows = sort(round([p1(1, 2) p2(1, 2)]));
cols = sort(round([p1(1, 1) p2(1, 1)]));
box = [rows cols];
fprintf('Box: rows %d-%d, columns %d-%d\n', rows(1), rows(2), cols(1), cols(2));
[x, y] = ginput(2);
fprintf('Clicked %d points\n', numel(x));
scale = input('Scale factor? ');
answer = inputdlg({'Label of the spot'}, 'Label');
label = answer{1};
h = waitbar(0, 'Measuring...');
total = scale * sum(sum(img(rows(1):rows(2), cols(1):cols(2))));
waitbar(1, h);
close(h);
figure;
imagesc(img(rows(1):rows(2), cols(1):cols(2)));
title(sprintf('Spot %s', label));
pause(0.5);
warndlg('Check the box before saving');
choice = questdlg('Save the measurement?', 'Save', 'Save', 'Discard', 'Save');
if strcmp(choice, 'Save')
    [folder, name] = fileparts(file_path);
    out = fullfile(folder, 'results');
    if ~exist(out, 'dir')
        mkdir(out);
    end
    fid = fopen(fullfile(out, [name '_box.txt']), 'w');
    fprintf(fid, '%s %d %d %d %d %g\n', label, box, total);
    fclose(fid);
    msgbox('Measurement saved');
end
fprintf('Done with %s\n', file_path);
end
