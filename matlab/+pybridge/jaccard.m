function similarity = jaccard(A, B, varargin)
%JACCARD Jaccard similarity (intersection over union) of two masks or label images.
%   SIMILARITY = pybridge.jaccard(A, B) returns |A & B| / |A | B| for two
%   logical masks of the same size, computed by pybridge.metrics.jaccard in
%   Python. Two empty masks score as MATLAB's own jaccard scores them.
%
%   SIMILARITY = pybridge.jaccard(L1, L2) for numeric label images L1 and L2
%   returns a column vector with one coefficient per label 1..max, as
%   MATLAB's own jaccard does (background 0 is not scored).
%
%   SIMILARITY = pybridge.jaccard(L1, L2, 'Labels', LABELS) scores the label
%   images L1 and L2 one label value at a time and returns a column vector
%   with one coefficient per element of LABELS.
%
%   SIMILARITY = pybridge.jaccard(..., 'Batch', true) reads the last dimension
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
%     j = pybridge.jaccard(A, B)         % 9 / (16 + 16 - 9) = 0.3913
%
%   Errors
%     pybridge:jaccard:notEnoughInputs  fewer than two inputs
%     pybridge:jaccard:invalidInput     A or B is not a real numeric or
%                                    logical array
%     pybridge:jaccard:sizeMismatch     A and B differ in size
%     pybridge:jaccard:invalidOption    bad 'Labels' or 'Batch' value, or
%                                    options not in name-value pairs
%     pybridge:jaccard:unknownOption    an option other than the above
%     pybridge:jaccard:invalidValue     rejected by Python, e.g. a label image
%                                    with NaN or fractional values
%     pybridge:jaccard:noPython         Python is not set up (run pybridge.setup)
%
%   See also pybridge.dice, pybridge.setup, jaccard.

if nargin < 2
  error('pybridge:jaccard:notEnoughInputs', ...
    'pybridge.jaccard needs two masks: pybridge.jaccard(A, B); got %d input(s)', nargin);
end
similarity = pybridge.internal.overlap('jaccard', A, B, varargin);
end
