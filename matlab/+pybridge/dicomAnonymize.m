function report = dicomAnonymize(source, destination, varargin)
%DICOMANONYMIZE De-identify DICOM files with the DICOM basic confidentiality profile.
%   REPORT = pybridge.dicomAnonymize(SOURCE, DESTINATION) writes an
%   anonymised copy of the DICOM file SOURCE to DESTINATION, or of every
%   file in the folder SOURCE to the folder DESTINATION with the same
%   sub-folders, through pybridge.dicom.anonymize in Python. It applies the
%   basic application level confidentiality profile of DICOM PS3.15
%   Annex E at every depth of every sequence: names, IDs, dates,
%   institution, physicians, device serials and free-text comments are
%   removed, emptied or replaced; every UID is replaced by a new one, the
%   same new UID for the same old UID across all files of the call (and
%   across calls with the same 'Salt'), including the file meta's
%   MediaStorageSOPInstanceUID; private attributes are removed. Pixel data
%   is not changed. PatientIdentityRemoved, DeidentificationMethod and
%   LongitudinalTemporalInformationModified are set. Nothing is written
%   when an input is not DICOM or is truncated, and SOURCE is never
%   overwritten unless 'Overwrite' is true.
%
%   REPORT is a struct: files (a cell of structs, one per file, listing
%   what was removed, emptied, given a dummy value, given a new UID or a
%   shifted date, and the BurnedInAnnotation flag), flagged (files whose
%   BurnedInAnnotation is not NO: text burned into the pixels must be
%   checked by eye), skipped, n_files, options. For a folder the report is
%   also saved as anonymization_report.json in DESTINATION.
%
%   REPORT = pybridge.dicomAnonymize(SOURCE, '', 'Overwrite', true)
%   anonymises SOURCE in place.
%
%   Options
%     'Salt'         secret text seeding the new UIDs and the patient
%                    pseudonym (default: a random one per call)
%     'DateShift'    shift dates by this many whole days instead of
%                    removing them (default [] removes them)
%     'Keep'         cell of attribute keywords to leave untouched, e.g.
%                    {'PatientSex', 'PatientAge'}
%     'KeepPrivate'  keep private attributes (default false)
%     'PatientID'    value for PatientID and PatientName (default: a
%                    pseudonym derived from the original ID and the salt)
%     'Overwrite'    allow replacing existing outputs or SOURCE (false)
%     'Errors'       'raise' (default) or 'skip' bad files of a folder
%
%   Example
%     r = pybridge.dicomAnonymize('study_in', 'study_out', 'Salt', 'lab-2024');
%     r.flagged                                  % check these images by eye
%
%   Errors
%     pybridge:dicomAnonymize:notEnoughInputs  fewer than two inputs
%     pybridge:dicomAnonymize:invalidInput     SOURCE or DESTINATION not text
%     pybridge:dicomAnonymize:invalidOption    a bad option value, or
%                                              options not in pairs
%     pybridge:dicomAnonymize:unknownOption    an unknown option
%     pybridge:dicomAnonymize:fileNotFound     SOURCE does not exist
%     pybridge:dicomAnonymize:invalidValue     no DESTINATION without
%                                              'Overwrite', DESTINATION
%                                              inside SOURCE, an unknown
%                                              keyword in 'Keep'
%     pybridge:dicomAnonymize:pythonError      not DICOM, truncated, or an
%                                              output exists (nothing written)
%     pybridge:dicomAnonymize:noPython         Python is not set up
%
%   See also pybridge.dicomRead, pybridge.setup.

if nargin < 2
  error('pybridge:dicomAnonymize:notEnoughInputs', ...
    'pybridge.dicomAnonymize needs SOURCE and DESTINATION (use '''' with ''Overwrite'', true to work in place); got %d input(s)', nargin);
end
if ~(ischar(source) && size(source, 1) == 1)
  error('pybridge:dicomAnonymize:invalidInput', ...
    'pybridge.dicomAnonymize: SOURCE must be a file or folder name (char); got a %s', class(source));
end
if ~(ischar(destination) && size(destination, 1) <= 1)
  error('pybridge:dicomAnonymize:invalidInput', ...
    'pybridge.dicomAnonymize: DESTINATION must be a file or folder name (char); got a %s', class(destination));
end
defaults = struct('Salt', '', 'DateShift', [], 'Keep', {{}}, 'KeepPrivate', false, ...
  'PatientID', '', 'Overwrite', false, 'Errors', 'raise');
opts = pybridge.internal.parseOptions('dicomAnonymize', defaults, varargin);
checkText(opts.Salt, 'Salt');
checkText(opts.PatientID, 'PatientID');
checkText(opts.Errors, 'Errors');
if ischar(opts.Keep)
  opts.Keep = {opts.Keep};
end
if ~(iscell(opts.Keep) && all(cellfun(@ischar, opts.Keep)))
  error('pybridge:dicomAnonymize:invalidOption', ...
    'pybridge.dicomAnonymize: ''Keep'' must be a cell array of keywords; got a %s', class(opts.Keep));
end
if ~(isempty(opts.DateShift) || (isnumeric(opts.DateShift) && isscalar(opts.DateShift) ...
    && opts.DateShift == round(opts.DateShift)))
  error('pybridge:dicomAnonymize:invalidOption', ...
    'pybridge.dicomAnonymize: ''DateShift'' must be a whole number of days or []');
end
flags = {opts.KeepPrivate, opts.Overwrite};
for k = 1:2
  if ~((islogical(flags{k}) || isnumeric(flags{k})) && isscalar(flags{k}))
    error('pybridge:dicomAnonymize:invalidOption', ...
      'pybridge.dicomAnonymize: ''KeepPrivate'' and ''Overwrite'' must be true or false');
  end
end
kw = {'keep_private', logical(opts.KeepPrivate), 'overwrite', logical(opts.Overwrite), ...
  'errors', opts.Errors};
if ~isempty(opts.Keep)
  kw = [kw, {'keep', opts.Keep(:)'}];
end
if ~isempty(opts.Salt)
  kw = [kw, {'salt', opts.Salt}];
end
if ~isempty(opts.PatientID)
  kw = [kw, {'patient_id', opts.PatientID}];
end
if ~isempty(opts.DateShift)
  kw = [kw, {'date_shift', double(opts.DateShift)}];
end
report = pybridge.internal.callPython('dicomAnonymize', 'dicom_anonymize', source, ...
  destination, pyargs(kw{:}));
end

function checkText(value, name)
if ~(ischar(value) && size(value, 1) <= 1)
  error('pybridge:dicomAnonymize:invalidOption', ...
    'pybridge.dicomAnonymize: ''%s'' must be text (char); got a %s', name, class(value));
end
end
