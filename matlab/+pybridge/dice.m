function similarity = dice(A, B, varargin)
%DICE Sorensen-Dice similarity coefficient of two masks or label images.
%   SIMILARITY = pybridge.dice(A, B) returns 2*|A & B| / (|A| + |B|) for
%   two logical masks of the same size, computed by pybridge.metrics.dice in
%   Python. Two empty masks score as MATLAB's own dice scores them.
%
%   SIMILARITY = pybridge.dice(L1, L2) for numeric label images L1 and L2
%   returns a column vector with one coefficient per label 1..max, as
%   MATLAB's own dice does (background 0 is not scored).
%
%   SIMILARITY = pybridge.dice(L1, L2, 'Labels', LABELS) scores the label
%   images L1 and L2 one label value at a time and returns a column vector
%   with one coefficient per element of LABELS.
%
%   SIMILARITY = pybridge.dice(..., 'Batch', true) reads the last dimension
%   of A and B as samples (H x W x N) and returns one coefficient per
%   sample: an N x 1 column, or N x numel(LABELS) with 'Labels'.
%
%   Inputs
%     A, B     logical masks, or numeric label images, of the same size
%   Options
%     'Labels' numeric vector of label values (default: 1..max)
%     'Batch'  true or false (default false)
%   Output
%     SIMILARITY  double in [0, 1]
%
%   Example
%     A = false(8); A(2:5, 2:5) = true;
%     B = false(8); B(3:6, 3:6) = true;
%     d = pybridge.dice(A, B)            % 2*9 / (16 + 16) = 0.5625
%
%   Errors
%     pybridge:dice:notEnoughInputs  fewer than two inputs
%     pybridge:dice:invalidInput     A or B is not a real numeric or
%                                    logical array
%     pybridge:dice:sizeMismatch     A and B differ in size
%     pybridge:dice:invalidOption    bad 'Labels' or 'Batch' value, or
%                                    options not in name-value pairs
%     pybridge:dice:unknownOption    an option other than the above
%     pybridge:dice:invalidValue     rejected by Python, e.g. a label image
%                                    with NaN or fractional values
%     pybridge:dice:noPython         Python is not set up (run pybridge.setup)
%
%   See also pybridge.jaccard, pybridge.setup, dice.

if nargin < 2
  error('pybridge:dice:notEnoughInputs', ...
    'pybridge.dice needs two masks: pybridge.dice(A, B); got %d input(s)', nargin);
end
similarity = pybridge.internal.overlap('dice', A, B, varargin);
end
