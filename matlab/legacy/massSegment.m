function [mask, img, stages] = massSegment(imageOrPath, roi, smooth, scale, nhood, nLines)
%MASSSEGMENT Segment a mass lesion in a mammogram with radial lines from a seed inside a ROI.
%   [MASK, IMG] = MASSSEGMENT(IMAGEORPATH, ROI) segments the mass inside ROI
%   with the default parameters (smooth 8, scale 8, nhood 5, nLines 32).
%   [MASK, IMG] = MASSSEGMENT(IMAGEORPATH, ROI, SMOOTH, SCALE, NHOOD, NLINES)
%   sets them; pass [] for any of them to keep its default.
%   [MASK, IMG, STAGES] = MASSSEGMENT(...) also returns the intermediate
%   results (see Outputs).
%
%   The method is the gradient-based segmentation of Delogu, Fantacci,
%   Kasae and Retico (Comput Biol Med 37(10) (2007) 1479-1491), in the form
%   of the course code mass_segment.m (public repository
%   retico/cmepda_medphys, EUPL-1.2) that students run interactively:
%     1. smoothing: full 2-D convolution (CONV2 without a shape argument)
%        with a SMOOTH x SMOOTH box kernel; the result is SMOOTH-1 pixels
%        larger than the image, with a darker fringe where the kernel leaves it;
%     2. down-scaling by 1/SCALE with bicubic interpolation, antialiased
%        (what IMRESIZE does by default: Keys kernel a = -0.5 stretched by
%        SCALE, symmetric padding);
%     3. normalisation by the maximum (IMG = resized / max(resized(:)));
%     4. the ROI on the resized grid (rows rowLo:rowHi, columns colLo:colHi);
%        the seed is the brightest pixel of the ROI, or the centre of the ROI
%        (rowLo + ceil((rowHi - rowLo) / 2), same for columns) when the
%        brightest pixel is more than 4/5 of the half height (or half width)
%        away from that centre;
%     5. the ROI mask: the ROI's grey levels (zero outside the ROI)
%        thresholded with Otsu's method (256 levels, IMBINARIZE's default);
%     6. the local standard deviation of IMG in an NHOOD x NHOOD window
%        (STDFILT: symmetric padding, normalised by N - 1);
%     7. the rough border: NLINES radial lines of length
%        R = ceil(hypot(rowHi - rowLo, colHi - colLo) / 2) from the seed
%        (pixels round(rho * [sin(a) cos(a)]), rho = 1..R, angles
%        linspace(0, 2*pi, NLINES + 1) without the last); on each line the
%        pixel of maximum standard deviation inside the ROI mask (the first
%        in column order on ties; pixel (1, 1) when the line has no pixel in
%        the ROI mask, so that the polygon runs to the image's top-left corner
%        and leaves a spoke inside the ROI mask, as in the course code); the
%        polygon through these points is closed, densified so that no step
%        exceeds one pixel in rows or columns (INTERPM's linear rule),
%        rounded to pixels, kept inside the ROI mask, and filled (holes of
%        the 4-connected background, IMFILL);
%     8. refinement: the same search from every pixel of the rough border,
%        with radius round(R / 5), each polygon filled;
%     9. the union of the rough mass and of every refined mass (IMBINARIZE
%        of their sum is exactly their union);
%    10. the 8-connected component of the union that holds the seed; the
%        mask is empty when the seed is not in the union.
%
%   Differences from the course code, on purpose:
%     - no window, no mouse, no printed progress, no files written: the ROI
%       is an argument, and the results are returned; the image may be an
%       array as well as a file;
%     - the ROI is given in full-size pixels; its first and last rows and
%       columns are mapped to the resized grid with
%       u = (r - 1 - (SCALE - SMOOTH) / 2) / SCALE + 1 and rounded (the
%       resized pixel u is centred on full-size pixel r), then clamped to
%       the grid;
%     - MASK and IMG keep only the resized pixels whose centre lies on the
%       image (full-size coordinates in [0.5, H + 0.5) x [0.5, W + 0.5)):
%       the full convolution's fringe adds one row and one column of the
%       resized grid, past the image, that are dropped (ceil(H/SCALE) x
%       ceil(W/SCALE) pixels remain when SMOOTH equals SCALE). Every stage
%       still runs on the whole resized grid, as in the course code;
%     - a ROI that touches the first row or column of the resized image
%       works (the course code fails drawing its frame there);
%     - inputs are checked: NHOOD must be odd, NLINES at least 8, and a
%       constant image is an error (the course code accepts them and
%       returns a meaningless mask).
%   Only core MATLAB functions are used (no toolbox): the code runs the same
%   on MATLAB and on GNU Octave.
%
%   Inputs
%     IMAGEORPATH  grey-level image (H x W numeric or logical; an H x W x 3
%                  RGB image is converted to grey), or the path of an image
%                  file that IMREAD reads (PGM, PNG...).
%     ROI          [x y width height] around the lesion, in pixels of the
%                  full-size image, 1-based (x is the column, y the row of the
%                  top-left pixel, as in IMCROP and RECTANGLE).
%     SMOOTH       side of the box filter, in pixels (positive integer, 1 = none).
%     SCALE        down-scaling factor (positive integer, 1 = none).
%     NHOOD        side of the local standard deviation window (odd integer >= 3).
%     NLINES       number of radial lines (integer >= 8).
%
%   Outputs
%     MASK    logical mask of the lesion on the grid of IMG.
%     IMG     the smoothed, down-scaled image divided by its maximum (double).
%             Its pixel (i, j) is centred on the full-size pixel
%             (SCALE*(i-1) + 1 + D + OFF, SCALE*(j-1) + 1 + D + OFF), with
%             D = (SCALE - SMOOTH) / 2 and OFF = SCALE * (STAGES.first - 1);
%             with SMOOTH = SCALE, on (SCALE*(i-1) + 1, SCALE*(j-1) + 1).
%     STAGES  struct of the intermediate results, on the grid of IMG:
%               first        index of IMG's first row and column in the
%                            whole resized grid (1 unless SMOOTH > SCALE)
%               box          [rowLo rowHi colLo colHi], the ROI
%               seed         [row col], the seed
%               radius       R; refineRadius, round(R / 5)
%               roiMask      the Otsu ROI mask (logical)
%               roughBorder  the rough border (logical)
%               roughMask    the filled rough border (logical)
%               union        the union of stage 9, before stage 10 (logical)
%
%   Example
%     I = zeros(400); [x, y] = meshgrid(1:400);
%     I((x - 200).^2 + (y - 180).^2 < 60^2) = 1;
%     [mask, img] = massSegment(I, [120 100 160 160], 4, 4, 5, 32);
%     imagesc(img); hold on; contour(mask, [0.5 0.5], 'r');
%
%   Errors
%     pybridge:massSegment:notEnoughInputs  fewer than two inputs.
%     pybridge:massSegment:fileNotFound     IMAGEORPATH names no file.
%     pybridge:massSegment:badImage         not a real 2-D (or RGB) image, or a constant one.
%     pybridge:massSegment:badRoi           ROI is not [x y width height] inside the image.
%     pybridge:massSegment:badParameter     SMOOTH, SCALE, NHOOD or NLINES out of range.
%
%   See also IMREAD, CONV2, IMRESIZE, STDFILT, IMFILL.

if nargin < 2
  error('pybridge:massSegment:notEnoughInputs', ...
    'massSegment needs an image (or its path) and a ROI [x y width height]; got %d input(s)', nargin);
end
if nargin < 3 || isempty(smooth)
  smooth = 8;
end
if nargin < 4 || isempty(scale)
  scale = 8;
end
if nargin < 5 || isempty(nhood)
  nhood = 5;
end
if nargin < 6 || isempty(nLines)
  nLines = 32;
end

I = msReadImage(imageOrPath);
smooth = msCheckInteger(smooth, 'smooth', 1);
scale = msCheckInteger(scale, 'scale', 1);
nhood = msCheckInteger(nhood, 'nhood', 3);
nLines = msCheckInteger(nLines, 'nLines', 8);
if mod(nhood, 2) == 0
  error('pybridge:massSegment:badParameter', ...
    'nhood must be odd (the window is centred on a pixel); got %d (use %d)', nhood, nhood + 1);
end
[H, W] = size(I);
roi = msCheckRoi(roi, H, W);
if scale > min(H, W)
  error('pybridge:massSegment:badParameter', ...
    'scale %d is larger than the %d x %d image', scale, H, W);
end
if all(I(:) == I(1))
  error('pybridge:massSegment:badImage', 'the image is constant (every pixel is %g): nothing to segment', I(1));
end

% 1. smoothing: full convolution with a box kernel
S = conv2(I, ones(smooth) / smooth^2);

% 2. bicubic, antialiased down-scaling by 1/scale
if scale > 1
  S = msResizeCubic(S, scale);
end

% 3. normalisation by the maximum
top = max(S(:));
if ~(top > 0)
  error('pybridge:massSegment:badImage', ...
    'the image has no positive value (its maximum after smoothing is %g): nothing to normalise by', top);
end
G = S / top;
[nr, nc] = size(G);

% 4. the ROI on the resized grid, and the seed
d = (scale - smooth) / 2;
toGrid = @(r) round((r - 1 - d) / scale + 1);
rowLo = min(max(toGrid(roi(2)), 1), nr);
rowHi = min(max(toGrid(roi(2) + roi(4) - 1), 1), nr);
colLo = min(max(toGrid(roi(1)), 1), nc);
colHi = min(max(toGrid(roi(1) + roi(3) - 1), 1), nc);
roiImg = zeros(nr, nc);
roiImg(rowLo:rowHi, colLo:colHi) = G(rowLo:rowHi, colLo:colHi);
[ignored, iMax] = max(roiImg(:));
[rowMax, colMax] = ind2sub([nr, nc], iMax);
rowCentre = rowLo + ceil((rowHi - rowLo) / 2);
colCentre = colLo + ceil((colHi - colLo) / 2);
if abs(rowMax - rowCentre) > 4/5 * ((rowHi - rowLo) / 2) || ...
    abs(colMax - colCentre) > 4/5 * ((colHi - colLo) / 2)
  seed = [rowCentre, colCentre];
else
  seed = [rowMax, colMax];
end

% 5. the ROI mask (Otsu), 6. local standard deviation inside it
roiMask = roiImg > msOtsu(roiImg);
score = msLocalStd(G, nhood) .* roiMask;

% every later stage lives inside the ROI box (the ROI mask is zero outside it)
rows = rowLo:rowHi;
cols = colLo:colHi;
boxMask = roiMask(rows, cols);
origin = [rowLo - 1, colLo - 1];

% 7. the rough border and the rough mass
R = ceil(sqrt((rowHi - rowLo)^2 + (colHi - colLo)^2) / 2);
angles = linspace(0, 2 * pi, nLines + 1);
angles(end) = [];
roughBorder = msBorder(score, seed, R, angles, boxMask, origin);
roughMask = msFillHoles(roughBorder);

% 8. refinement from every border pixel, 9. union
Rr = round(R / 5);
united = roughMask;
[br, bc] = find(roughBorder);
for k = 1:numel(br)
  border = msBorder(score, [br(k), bc(k)] + origin, Rr, angles, boxMask, origin);
  % holes lie inside the bounding box of their border: fill only there
  [r, c] = find(border);
  if isempty(r)
    continue;
  end
  r = min(r):max(r);
  c = min(c):max(c);
  united(r, c) = united(r, c) | msFillHoles(border(r, c));
end

% 10. the 8-connected component holding the seed
boxSeed = seed - origin;
kept = msComponent(united, boxSeed);

% the results, on the resized pixels centred in [0.5, H + 0.5) x [0.5, W + 0.5)
first = max(1, ceil(1 + (-0.5 - d) / scale));
lastRow = min(nr, ceil(1 + (H - 0.5 - d) / scale) - 1);
lastCol = min(nc, ceil(1 + (W - 0.5 - d) / scale) - 1);
outRows = first:lastRow;
outCols = first:lastCol;
full = false(nr, nc);
full(rows, cols) = kept;
mask = full(outRows, outCols);
img = G(outRows, outCols);
if nargout > 2
  shift = first - 1;
  stages = struct('first', first, ...
    'box', [rowLo, rowHi, colLo, colHi] - shift, ...
    'seed', seed - shift, ...
    'radius', R, ...
    'refineRadius', Rr, ...
    'roiMask', msOnGrid(boxMask, rows, cols, nr, nc, outRows, outCols), ...
    'roughBorder', msOnGrid(roughBorder, rows, cols, nr, nc, outRows, outCols), ...
    'roughMask', msOnGrid(roughMask, rows, cols, nr, nc, outRows, outCols), ...
    'union', msOnGrid(united, rows, cols, nr, nc, outRows, outCols));
end
end


function B = msBorder(score, seed, R, angles, boxMask, origin)
%MSBORDER The filled-polygon border of one radial search, in ROI-box coordinates.
%   On each line from SEED the pixel of maximum SCORE (the first in column
%   order on ties, pixel (1, 1) when every value is zero); the closed
%   polygon through them, densified to steps of at most one pixel in rows
%   and columns, rounded, and kept where BOXMASK is true.
[nr, nc] = size(score);
nL = numel(angles);
rho = 1:R;
pr = seed(1) + round(sin(angles(:)) * rho);
pc = seed(2) + round(cos(angles(:)) * rho);
pts = ones(nL, 2);
if R >= 1
  inside = pr >= 1 & pr <= nr & pc >= 1 & pc <= nc;
  idx = ones(nL, R);
  idx(inside) = pr(inside) + (pc(inside) - 1) * nr;
  v = zeros(nL, R);
  v(inside) = score(idx(inside));
  best = max(v, [], 2);
  cand = idx;
  cand(~inside | v ~= repmat(best, 1, R)) = Inf;
  first = min(cand, [], 2);
  found = best > 0;
  pts(found, 1) = mod(first(found) - 1, nr) + 1;
  pts(found, 2) = floor((first(found) - 1) / nr) + 1;
end
[dr, dc] = msDensify([pts(:, 1); pts(1, 1)], [pts(:, 2); pts(1, 2)]);
r = round(dr) - origin(1);
c = round(dc) - origin(2);
[h, w] = size(boxMask);
ok = r >= 1 & r <= h & c >= 1 & c <= w;
B = false(h, w);
B(r(ok) + (c(ok) - 1) * h) = true;
B = B & boxMask;
end


function [r, c] = msDensify(r, c)
%MSDENSIFY Insert points on each segment so that no step exceeds 1 in rows or columns.
%   A segment whose larger step D exceeds 1 gets n = ceil(D) equal steps;
%   the inserted points are (end - start) / n * k + start, k = 1..n-1.
dr = diff(r);
dc = diff(c);
steps = ceil(max(abs(dr), abs(dc)));
steps(steps < 1) = 1;
seg = msRepeat((1:numel(dr))', steps);
k = (1:numel(seg))' - msRepeat(cumsum([0; steps(1:end - 1)]), steps) - 1;
r = [(dr(seg) ./ steps(seg)) .* k + r(seg); r(end)];
c = [(dc(seg) ./ steps(seg)) .* k + c(seg); c(end)];
end


function out = msRepeat(v, counts)
%MSREPEAT Each element of column V repeated COUNTS times (REPELEM for a column).
ends = cumsum(counts);
marks = zeros(ends(end), 1);
marks([1; ends(1:end - 1) + 1]) = 1;
out = v(cumsum(marks));
end


function F = msFillHoles(B)
%MSFILLHOLES B with every hole filled: background pixels that no 4-connected
%   path of background pixels joins to the border of the image.
[h, w] = size(B);
bg = true(h + 2, w + 2);
bg(2:h + 1, 2:w + 1) = ~B;
reach = false(h + 2, w + 2);
reach([1, h + 2], :) = true;
reach(:, [1, w + 2]) = true;
count = nnz(reach);
while true
  grow = reach;
  grow(2:end, :) = grow(2:end, :) | reach(1:end - 1, :);
  grow(1:end - 1, :) = grow(1:end - 1, :) | reach(2:end, :);
  grow(:, 2:end) = grow(:, 2:end) | reach(:, 1:end - 1);
  grow(:, 1:end - 1) = grow(:, 1:end - 1) | reach(:, 2:end);
  grow = grow & bg;
  reach = grow;
  if nnz(grow) == count
    break;  % grow only adds pixels: the same count means nothing changed
  end
  count = nnz(grow);
end
F = ~reach(2:h + 1, 2:w + 1);
end


function C = msComponent(M, seed)
%MSCOMPONENT The 8-connected component of M that holds SEED (empty if M(SEED) is false).
C = false(size(M));
if seed(1) < 1 || seed(2) < 1 || seed(1) > size(M, 1) || seed(2) > size(M, 2) || ~M(seed(1), seed(2))
  return;
end
C(seed(1), seed(2)) = true;
count = 1;
while true
  grow = C;
  grow(2:end, :) = grow(2:end, :) | C(1:end - 1, :);
  grow(1:end - 1, :) = grow(1:end - 1, :) | C(2:end, :);
  side = grow;
  grow(:, 2:end) = grow(:, 2:end) | side(:, 1:end - 1);
  grow(:, 1:end - 1) = grow(:, 1:end - 1) | side(:, 2:end);
  C = grow & M;
  if nnz(C) == count
    break;
  end
  count = nnz(C);
end
end


function level = msOtsu(X)
%MSOTSU Otsu's threshold as GRAYTHRESH computes it: X clipped to [0, 1] and
%   rounded to 256 levels; the level that maximises the between-class
%   variance (the mean of the maximisers on ties), scaled back to [0, 1].
q = round(255 * min(max(X(:), 0), 1));
counts = accumarray(q + 1, 1, [256, 1]);
p = counts / sum(counts);
omega = cumsum(p);
mu = cumsum(p .* (1:256)');
sigma = (mu(end) * omega - mu).^2 ./ (omega .* (1 - omega));
best = max(sigma);
if isfinite(best)
  level = (mean(find(sigma == best)) - 1) / 255;
else
  level = 0;
end
end


function S = msLocalStd(G, n)
%MSLOCALSTD Standard deviation (normalised by N - 1) of every N x N
%   neighbourhood, the image extended by mirror symmetry (STDFILT's rule).
p = (n - 1) / 2;
[h, w] = size(G);
P = G(msMirror((1 - p):(h + p), h), msMirror((1 - p):(w + p), w));
m = conv2(P, ones(n), 'valid') / n^2;
acc = zeros(h, w);
for i = 1:n
  for j = 1:n
    acc = acc + (P(i:i + h - 1, j:j + w - 1) - m).^2;
  end
end
S = sqrt(acc / (n^2 - 1));
end


function idx = msMirror(idx, n)
%MSMIRROR Indices outside 1..n reflected back, the edge pixel repeated (symmetric padding).
idx = idx - 1;
m = mod(idx, n);
odd = mod(floor(idx / n), 2) == 1;
idx(odd) = n - m(odd);
idx(~odd) = m(~odd) + 1;
end


function out = msResizeCubic(I, s)
%MSRESIZECUBIC Down-scale I by the integer factor s, bicubic and antialiased:
%   output pixel u samples input coordinate s * (u - 0.5) + 0.5 with the Keys
%   kernel (a = -0.5) stretched by s, the image extended by mirror symmetry;
%   ceil(size / s) output pixels. This is IMRESIZE(I, 1/s) of MATLAB and of
%   Octave's image package.
out = msResizeMatrix(size(I, 1), s) * I * msResizeMatrix(size(I, 2), s).';
end


function M = msResizeMatrix(n, s)
%MSRESIZEMATRIX The ceil(n/s) x n matrix of the weights of msResizeCubic along one axis.
m = ceil(n / s);
x = s * ((1:m)' - 0.5) + 0.5;
taps = (1 - 2 * s):(2 * s);
j = repmat(floor(x), 1, numel(taps)) + repmat(taps, m, 1);
t = abs(j - repmat(x, 1, numel(taps))) / s;
wgt = ((1.5 * t.^3 - 2.5 * t.^2 + 1) .* (t <= 1) + ...
  (-0.5 * t.^3 + 2.5 * t.^2 - 4 * t + 2) .* (t > 1 & t <= 2)) / s;
rowsOf = repmat((1:m)', 1, numel(taps));
M = accumarray([rowsOf(:), msMirror(j(:), n)], wgt(:), [m, n]);
end


function A = msOnGrid(B, rows, cols, nr, nc, outRows, outCols)
%MSONGRID A ROI-box image placed on the whole resized grid, then cut to the output grid.
A = false(nr, nc);
A(rows, cols) = B;
A = A(outRows, outCols);
end


function I = msReadImage(imageOrPath)
if ischar(imageOrPath)
  if exist(imageOrPath, 'file') ~= 2
    error('pybridge:massSegment:fileNotFound', 'no image file %s', imageOrPath);
  end
  I = imread(imageOrPath);
else
  I = imageOrPath;
end
if ~(isnumeric(I) || islogical(I)) || isempty(I) || ~isreal(I)
  error('pybridge:massSegment:badImage', ...
    'the image must be a non-empty real numeric or logical matrix; got a %s of size %s', ...
    class(I), mat2str(size(I)));
end
if ndims(I) == 3 && size(I, 3) == 3
  I = 0.2989 * double(I(:, :, 1)) + 0.5870 * double(I(:, :, 2)) + 0.1140 * double(I(:, :, 3));
end
if ndims(I) ~= 2
  error('pybridge:massSegment:badImage', ...
    'the image must be H x W (grey) or H x W x 3 (RGB); got size %s', mat2str(size(I)));
end
I = double(I);
if any(~isfinite(I(:)))
  error('pybridge:massSegment:badImage', 'the image holds NaN or Inf values');
end
end


function v = msCheckInteger(v, name, low)
if ~isnumeric(v) || ~isscalar(v) || ~isreal(v) || ~isfinite(v) || v ~= round(v) || v < low
  error('pybridge:massSegment:badParameter', ...
    '%s must be an integer >= %d; got %s', name, low, mat2str(v));
end
v = double(v);
end


function roi = msCheckRoi(roi, H, W)
if ~isnumeric(roi) || numel(roi) ~= 4 || ~isreal(roi) || any(~isfinite(roi(:)))
  error('pybridge:massSegment:badRoi', ...
    'ROI must be [x y width height] (4 finite numbers, 1-based); got %s', mat2str(roi));
end
roi = double(roi(:)');
if any(roi ~= round(roi)) || roi(1) < 1 || roi(2) < 1 || roi(3) < 1 || roi(4) < 1
  error('pybridge:massSegment:badRoi', ...
    'ROI [x y width height] must be whole pixels with x, y >= 1 and width, height >= 1; got %s', ...
    mat2str(roi));
end
if roi(1) + roi(3) - 1 > W || roi(2) + roi(4) - 1 > H
  error('pybridge:massSegment:badRoi', ...
    'ROI %s reaches past the %d x %d image (rows %d:%d, columns %d:%d)', mat2str(roi), H, W, ...
    roi(2), roi(2) + roi(4) - 1, roi(1), roi(1) + roi(3) - 1);
end
end
