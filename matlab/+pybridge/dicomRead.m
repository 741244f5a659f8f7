function [V, info] = dicomRead(source, varargin)
%DICOMREAD Read a DICOM file, series folder or DICOMDIR as an H x W x slices array.
%   V = pybridge.dicomRead(SOURCE) reads SOURCE, which is one DICOM file
%   (single- or multi-frame), a folder holding the files of one series
%   (searched recursively; other files are skipped) or a DICOMDIR, with
%   pydicom through pybridge.dicom.read in Python. V is H x W x slices
%   (colour: H x W x 3 x slices) with the slices sorted along the slice
%   normal by ImagePositionPatient, not by file name, and the modality LUT
%   applied: V = RescaleSlope * stored + RescaleIntercept, so a CT comes
%   back in Hounsfield units (double). Without a rescale the stored class
%   (int16, uint16, uint8...) is kept.
%
%   [V, INFO] = pybridge.dicomRead(...) also returns a struct:
%     spacing         1 x 3 voxel size in mm along the dimensions of V:
%                     [row spacing, column spacing, slice spacing]
%     pixelSpacing    1 x 2 PixelSpacing (between rows, between columns)
%     sliceThickness  SliceThickness in mm (NaN when absent)
%     orientation     1 x 6 ImageOrientationPatient
%     normal          1 x 3 unit slice normal
%     positions       slices x 3 ImagePositionPatient, one row per slice
%     slope           slices x 1 RescaleSlope applied (1 when none)
%     intercept       slices x 1 RescaleIntercept applied (0 when none)
%     uniformSpacing  false when the slice gaps differ (a missing slice)
%     header          struct of the main header fields (PatientID,
%                     Modality, StudyInstanceUID, Rows, WindowCenter...)
%     files           cell of the source file of each slice, in order
%
%   Options
%     'Series'   SeriesInstanceUID to read when SOURCE holds several
%                series (the error lists them)
%     'Rescale'  true (default) applies the modality LUT; false returns
%                the stored values
%
%   Example
%     [ct, info] = pybridge.dicomRead('CT_small.dcm');
%     imshow(ct(:, :, 1), [-160 240]);           % a soft-tissue window in HU
%     voxel = info.spacing;                      % [row col slice] in mm
%
%   Errors
%     pybridge:dicomRead:notEnoughInputs  no SOURCE
%     pybridge:dicomRead:invalidInput     SOURCE is not text
%     pybridge:dicomRead:invalidOption    bad 'Series' or 'Rescale' value,
%                                         or options not in pairs
%     pybridge:dicomRead:unknownOption    an option other than the above
%     pybridge:dicomRead:fileNotFound     SOURCE does not exist
%     pybridge:dicomRead:invalidValue     several series and no 'Series',
%                                         or an unknown 'Series'
%     pybridge:dicomRead:pythonError      not DICOM, truncated, no pixel
%                                         data, slices of different sizes,
%                                         a DICOMDIR that names a file
%                                         outside its own folder
%     pybridge:dicomRead:noPython         Python is not set up (run
%                                         pybridge.setup)
%
%   See also pybridge.dicomAnonymize, pybridge.setup, dicomread.

if nargin < 1
  error('pybridge:dicomRead:notEnoughInputs', ...
    'pybridge.dicomRead needs a file, folder or DICOMDIR: pybridge.dicomRead(SOURCE)');
end
if ~(ischar(source) && size(source, 1) == 1)
  error('pybridge:dicomRead:invalidInput', ...
    'pybridge.dicomRead: SOURCE must be a file or folder name (char); got a %s', class(source));
end
opts = pybridge.internal.parseOptions('dicomRead', struct('Series', '', 'Rescale', true), varargin);
if ~(ischar(opts.Series) && size(opts.Series, 1) <= 1)
  error('pybridge:dicomRead:invalidOption', ...
    'pybridge.dicomRead: ''Series'' must be a SeriesInstanceUID (char); got a %s', class(opts.Series));
end
if ~((islogical(opts.Rescale) || isnumeric(opts.Rescale)) && isscalar(opts.Rescale))
  error('pybridge:dicomRead:invalidOption', ...
    'pybridge.dicomRead: ''Rescale'' must be true or false; got a %s', class(opts.Rescale));
end
kw = {'rescale', logical(opts.Rescale)};
if ~isempty(opts.Series)
  kw = [kw, {'series', opts.Series}];
end
info = pybridge.internal.callPython('dicomRead', 'dicom_read', source, pyargs(kw{:}));
V = info.image;
info = rmfield(info, 'image');
end
