function bw = imbinarize(I, varargin)
%IMBINARIZE (pybridge compat) Binarize a grey image by a global threshold (Otsu's by default).
%   BW = IMBINARIZE(I) thresholds I at Otsu's level: the level of the
%   256-bin histogram (of I scaled to uint8 as im2uint8 does, so doubles
%   are clipped to [0, 1]) that maximises the between-class variance (the
%   mean of the bins when several tie). BW is true where I > level
%   (level scaled to the range of I's class).
%   BW = IMBINARIZE(I, 'global') is the same.
%   BW = IMBINARIZE(I, T) uses the threshold T in [0, 1] (a scalar, or a
%   matrix of the size of I for a locally varying threshold).
%   The 'adaptive' method of the Image Processing Toolbox is not
%   implemented here.
%
%   This is pybridge's stand-in for the Image Processing Toolbox function,
%   put on the path by pybridge.legacy only where imbinarize is absent (GNU
%   Octave's image package has none).
%
%   Example:
%     bw = imbinarize([0.1 0.2 0.8 0.9])   % [0 0 1 1]
%
%   Errors:
%     pybridge:imbinarize:badImage      I is not a real 2-D or 3-D numeric or logical array
%     pybridge:imbinarize:badThreshold  T outside [0, 1] or of another size than I
%     pybridge:imbinarize:badMethod     'adaptive' or an unknown method
if ~(isnumeric(I) || islogical(I)) || ~isreal(I) || ndims(I) > 3
    error('pybridge:imbinarize:badImage', ...
          'imbinarize: I must be a real numeric or logical grey image; got a %s of size %s', ...
          class(I), mat2str(size(I)));
end
if islogical(I)
    bw = I;
    return
end
T = [];
if ~isempty(varargin)
    opt = varargin{1};
    if ischar(opt)
        if strcmpi(opt, 'adaptive')
            error('pybridge:imbinarize:badMethod', ...
                  ['imbinarize: the ''adaptive'' method needs the Image Processing Toolbox; ' ...
                   'use imbinarize(I) (Otsu) or imbinarize(I, T)']);
        elseif ~strcmpi(opt, 'global')
            error('pybridge:imbinarize:badMethod', ...
                  'imbinarize: method must be ''global'' or a threshold T; got ''%s''', opt);
        end
    else
        T = double(opt);
        if ~(isscalar(T) || isequal(size(T), size(I))) || any(T(:) < 0 | T(:) > 1)
            error('pybridge:imbinarize:badThreshold', ...
                  'imbinarize: T must be in [0, 1], a scalar or of the size of I (%s)', ...
                  mat2str(size(I)));
        end
    end
end
% the class's range: [0, 1] for floating point, [intmin, intmax] for integers
if isfloat(I)
    lo = 0;
    hi = 1;
else
    lo = double(intmin(class(I)));
    hi = double(intmax(class(I)));
end
x = double(I);
if isempty(T)
    % 256-bin histogram of I as uint8 (round, clip: what im2uint8 does)
    q = round((x - lo) / (hi - lo) * 255);
    q(q < 0 | isnan(q)) = 0;
    q(q > 255) = 255;
    counts = accumarray(q(:) + 1, 1, [256 1]);
    p = counts / sum(counts);
    omega = cumsum(p);
    mu = cumsum(p .* (1:256)');
    sigma_b = (mu(end) * omega - mu) .^ 2 ./ (omega .* (1 - omega));
    best = max(sigma_b);
    if isfinite(best)
        T = (mean(find(sigma_b == best)) - 1) / 255;
    else
        T = 0;                         % a constant image: everything above 0 is foreground
    end
end
bw = x > lo + T * (hi - lo);
end
