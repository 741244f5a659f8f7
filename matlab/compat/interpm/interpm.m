function [latout, lonout] = interpm(lat, lon, maxdiff, method, units)
%INTERPM (pybridge compat) Densify a polyline so no step exceeds MAXDIFF in either coordinate.
%   [LATOUT, LONOUT] = INTERPM(LAT, LON, MAXDIFF) inserts, between two
%   consecutive vertices whose latitudes or longitudes differ by more than
%   MAXDIFF, the fewest equally spaced points (linear interpolation) that
%   bring both differences to MAXDIFF or less. The original vertices are
%   kept; the outputs are column vectors. NaN vertices (separators between
%   parts) are kept, and no point is inserted next to them.
%   INTERPM(LAT, LON, MAXDIFF, 'lin') is the same. The great-circle and
%   rhumb-line methods ('gc', 'rh') of the Mapping Toolbox are not
%   implemented here; UNITS is accepted and ignored by 'lin', which works
%   in the units of its inputs.
%
%   This is pybridge's stand-in for the Mapping Toolbox function, put on the
%   path by pybridge.legacy only where interpm is absent (GNU Octave).
%
%   Example (MATLAB's documented example):
%     [newlat, newlon] = interpm([1 2 4 5], [1 3 4 5], 1)
%     % newlat = [1 1.5 2 3 4 5]', newlon = [1 2 3 3.5 4 5]'
%
%   Errors:
%     pybridge:interpm:badInput   LAT and LON of different lengths, or a
%                                 MAXDIFF that is not a positive scalar
%     pybridge:interpm:badMethod  a method other than 'lin'
if nargin < 3
    error('pybridge:interpm:badInput', 'interpm needs LAT, LON and MAXDIFF; got %d input(s)', nargin);
end
if nargin >= 4 && ~isempty(method) && ~strcmpi(method, 'lin')
    error('pybridge:interpm:badMethod', ...
          ['interpm: only the linear method ''lin'' is available without the Mapping Toolbox; ' ...
           'got ''%s'''], method);
end
lat = double(lat(:));
lon = double(lon(:));
if numel(lat) ~= numel(lon)
    error('pybridge:interpm:badInput', ...
          'interpm: LAT and LON must have the same number of elements; got %d and %d', ...
          numel(lat), numel(lon));
end
if ~isscalar(maxdiff) || ~isreal(maxdiff) || ~(maxdiff > 0)
    error('pybridge:interpm:badInput', 'interpm: MAXDIFF must be a positive scalar');
end
n = numel(lat);
if n < 2
    latout = lat;
    lonout = lon;
    return
end
steps = max(abs(diff(lat)), abs(diff(lon))) / maxdiff;
steps = ceil(steps - 1e-12);     % a gap of exactly MAXDIFF needs no new point
steps(~isfinite(steps) | steps < 1) = 1;
total = 1 + sum(steps);
latout = zeros(total, 1);
lonout = zeros(total, 1);
latout(1) = lat(1);
lonout(1) = lon(1);
at = 1;
for k = 1:n - 1
    t = (1:steps(k))' / steps(k);
    latout(at + 1:at + steps(k)) = lat(k) + t * (lat(k + 1) - lat(k));
    lonout(at + 1:at + steps(k)) = lon(k) + t * (lon(k + 1) - lon(k));
    latout(at + steps(k)) = lat(k + 1);   % the vertex itself, exactly
    lonout(at + steps(k)) = lon(k + 1);
    at = at + steps(k);
end
end
