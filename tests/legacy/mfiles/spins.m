function spins()
%SPINS A legacy function that never returns (a timeout test).
addpath(tempdir);
while true
end
end
