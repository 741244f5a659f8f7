function [mask, img] = massSegment(imageOrPath, roi, smooth, scale, nhood, nLines)
%MASSSEGMENT Segment a mass lesion in a mammogram with radial lines from the centre of a ROI.
%   [MASK, IMG] = MASSSEGMENT(IMAGEORPATH, ROI) segments the mass inside ROI
%   with the default parameters (smooth 8, scale 8, nhood 5, nLines 32).
%   [MASK, IMG] = MASSSEGMENT(IMAGEORPATH, ROI, SMOOTH, SCALE, NHOOD, NLINES)
%   sets them; pass [] for any of them to keep its default.
%
%   The method is a simplified form of the radial-line segmentation of
%   Delogu, Fantacci, Kasae and Retico (Comput Biol Med 37 (2007) 1479-1491):
%     1. the image is smoothed with a SMOOTH x SMOOTH box filter;
%     2. it is down-scaled by SCALE (mean of SCALE x SCALE blocks);
%     3. it is normalised to [0, 1];
%     4. NLINES radial lines are cast from the centre of the ROI to its border;
%     5. on each line the border point is the point of maximum local standard
%        deviation (NHOOD x NHOOD neighbourhood): the steepest grey-level
%        change between the bright mass and the surrounding tissue;
%     6. isolated border points (a radius far from those of its neighbours)
%        are pulled back to the median of their neighbours;
%     7. the border polygon is closed, densified and filled.
%   The ROI is an argument, where the original tool asked for a mouse drag.
%   Only core MATLAB functions are used (conv2, interp2, inpolygon): no
%   toolbox is needed, and the code runs unchanged on GNU Octave.
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
%     MASK  logical floor(H/SCALE) x floor(W/SCALE) mask of the lesion, on the
%           grid of IMG.
%     IMG   the smoothed, down-scaled image normalised to [0, 1] (double).
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
%   See also IMREAD, CONV2, INTERP2, INPOLYGON.

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

% 1. box-filter smoothing (edges replicated, so borders are not darkened)
if smooth > 1
  I = msFilterReplicate(I, ones(smooth) / smooth^2);
end

% 2. down-scaling: mean of scale x scale blocks
h = floor(H / scale);
w = floor(W / scale);
if scale > 1
  J = I(1:h * scale, 1:w * scale);
  J = reshape(J, scale, h, scale, w);
  J = reshape(sum(sum(J, 1), 3), h, w) / scale^2;
else
  J = I;
end

% 3. normalisation to [0, 1]
lo = min(J(:));
hi = max(J(:));
if hi <= lo
  error('pybridge:massSegment:badImage', 'the image is constant (every pixel is %g): nothing to segment', lo);
end
img = (J - lo) / (hi - lo);

% local standard deviation in an nhood x nhood window
k = ones(nhood) / nhood^2;
m1 = msFilterReplicate(img, k);
m2 = msFilterReplicate(img.^2, k);
n = nhood^2;
S = sqrt(max(m2 - m1.^2, 0) * n / (n - 1));

% 4. radial lines from the ROI centre, in the coordinates of the resized grid
%    (the centre of full-size pixel c lies at (c - 0.5) / scale + 0.5)
x0 = (roi(1) - 0.5) / scale + 0.5;
y0 = (roi(2) - 0.5) / scale + 0.5;
x1 = (roi(1) + roi(3) - 1 - 0.5) / scale + 0.5;
y1 = (roi(2) + roi(4) - 1 - 0.5) / scale + 0.5;
x0 = min(max(x0, 1), w);
x1 = min(max(x1, 1), w);
y0 = min(max(y0, 1), h);
y1 = min(max(y1, 1), h);
cx = (x0 + x1) / 2;
cy = (y0 + y1) / 2;

theta = 2 * pi * (0:nLines - 1) / nLines;
radius = zeros(1, nLines);
step = 0.25;
for kLine = 1:nLines
  dx = cos(theta(kLine));
  dy = sin(theta(kLine));
  tMax = msDistanceToBox(cx, cy, dx, dy, x0, x1, y0, y1);
  t = 0:step:tMax;
  if numel(t) < 2
    radius(kLine) = tMax;
    continue;
  end
  px = cx + t * dx;
  py = cy + t * dy;
  s = interp2(S, px, py, 'linear');
  s(isnan(s)) = 0;
  % 5. the border point: maximum local standard deviation (not at the very centre)
  s(t < 1) = 0;
  [ignored, iBest] = max(s);
  radius(kLine) = t(iBest);
end

% 6. border points far from their neighbours are pulled back to the neighbours' median
prev = radius([end, 1:end - 1]);
next = radius([2:end, 1]);
prev2 = radius([end - 1:end, 1:end - 2]);
next2 = radius([3:end, 1:2]);
med = median([prev2; prev; radius; next; next2], 1);
far = abs(radius - med) > 0.25 * med + 1;
radius(far) = med(far);

% 7. the border polygon, closed and densified, then filled
bx = cx + radius .* cos(theta);
by = cy + radius .* sin(theta);
bx = [bx, bx(1)];
by = [by, by(1)];
[dxs, dys] = msDensify(bx, by, 0.5);
[X, Y] = meshgrid(1:w, 1:h);
[inside, onBorder] = inpolygon(X, Y, dxs, dys);
mask = inside | onBorder;
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


function out = msFilterReplicate(I, k)
%MSFILTERREPLICATE Correlate I with the odd- or even-sized kernel K, edges replicated.
[kh, kw] = size(k);
top = floor((kh - 1) / 2);
left = floor((kw - 1) / 2);
[h, w] = size(I);
rows = min(max((1 - top):(h + kh - 1 - top), 1), h);
cols = min(max((1 - left):(w + kw - 1 - left), 1), w);
out = conv2(I(rows, cols), rot90(k, 2), 'valid');
end


function t = msDistanceToBox(cx, cy, dx, dy, x0, x1, y0, y1)
%MSDISTANCETOBOX How far the ray (cx, cy) + t (dx, dy) runs inside [x0 x1] x [y0 y1].
t = Inf;
if dx > 1e-12
  t = min(t, (x1 - cx) / dx);
elseif dx < -1e-12
  t = min(t, (x0 - cx) / dx);
end
if dy > 1e-12
  t = min(t, (y1 - cy) / dy);
elseif dy < -1e-12
  t = min(t, (y0 - cy) / dy);
end
t = max(t, 0);
end


function [xs, ys] = msDensify(x, y, maxStep)
%MSDENSIFY Insert points along each segment of the polyline so that no step exceeds maxStep.
xs = x(1);
ys = y(1);
for k = 1:numel(x) - 1
  len = hypot(x(k + 1) - x(k), y(k + 1) - y(k));
  n = max(1, ceil(len / maxStep));
  f = (1:n) / n;
  xs = [xs, x(k) + f * (x(k + 1) - x(k))];
  ys = [ys, y(k) + f * (y(k + 1) - y(k))];
end
end
