function [m, box] = box_mean(file_path, seconds)
%BOX_MEAN A legacy-style per-image step: draw a box, get its mean, write it next to the image.
%   [M, BOX] = BOX_MEAN(FILE_PATH, SECONDS) shows the image, takes a box
%   (waitforbuttonpress + rbbox, read with get(gca, 'CurrentPoint')), prints
%   and returns the mean grey level inside it, and writes
%   results/<name>_mean.txt next to the image. SECONDS (default 0) of busy
%   work stand for a slow method.
if nargin < 2
    seconds = 0;
end
img = double(imread(file_path));
figure;
imagesc(img);
title('Draw the box');
waitforbuttonpress;
p1 = get(gca, 'CurrentPoint');
rbbox;
p2 = get(gca, 'CurrentPoint');
rows = sort(round([p1(1, 2) p2(1, 2)]));
cols = sort(round([p1(1, 1) p2(1, 1)]));
box = [rows cols];
t0 = clock;
while etime(clock, t0) < seconds
end
m = mean(mean(img(rows(1):rows(2), cols(1):cols(2))));
[folder, name] = fileparts(file_path);
if ~exist(fullfile(folder, 'results'), 'dir')
    mkdir(fullfile(folder, 'results'));
end
fid = fopen(fullfile(folder, 'results', [name '_mean.txt']), 'w');
fprintf(fid, '%.6f\n', m);
fclose(fid);
fprintf('%s: mean %.3f\n', name, m);
end
