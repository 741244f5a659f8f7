function skip(reason)
%SKIP Skip the running test, giving the reason (reported by runtests_pybridge).
%   pbtest.skip('needs torch (pip install "pybridge-lab[ml]")')
error('pbtest:skip', '%s', reason);
end
