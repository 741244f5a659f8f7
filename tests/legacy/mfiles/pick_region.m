function [rect, n] = pick_region(img)
%PICK_REGION Asks a rectangle with getrect and a menu choice (a legacy-style helper).
imagesc(img);
rect = getrect;
n = menu('How many?', 'one', 'two', 'three');
end
