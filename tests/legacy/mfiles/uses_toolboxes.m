function [lat, lon, bw] = uses_toolboxes(img)
%USES_TOOLBOXES Calls interpm (Mapping Toolbox) and imbinarize (Image Processing Toolbox).
[lat, lon] = interpm([1 2 4 5], [1 3 4 5], 1);
bw = imbinarize(img);
end
