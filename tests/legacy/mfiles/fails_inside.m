function out = fails_inside(x)
%FAILS_INSIDE A legacy function whose helper raises an error with an identifier.
out = x + 1;
fails_inside_helper(x);
end

function fails_inside_helper(x)
if x > 0
    error('lab:fails:positive', 'x must not be positive; got %g', x);
end
end
