function n = shows_again()
%SHOWS_AGAIN Legacy code that brings its figures back to the front (figure(h) makes them visible).
figure;
plot(1:3);
figure(1);
plot(2:4);
title('again');
drawnow;
h = figure(7);
imshow(rand(8));
title('seven');
n = numel(findall(0, 'type', 'figure'));
end
