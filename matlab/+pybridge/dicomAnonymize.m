function report = dicomAnonymize(source, destination, varargin)
%DICOMANONYMIZE De-identify DICOM files with the DICOM basic confidentiality profile.
%   REPORT = pybridge.dicomAnonymize(SOURCE, DESTINATION) writes an
%   anonymised copy of the DICOM file SOURCE to DESTINATION, or of every
%   file in the folder SOURCE to the folder DESTINATION with the same
%   sub-folders, through pybridge.dicom.anonymize in Python. It applies the
%   basic application level confidentiality profile of DICOM PS3.15
%   Annex E, following Table E.1-1 of the 2025b edition row by row, at
%   every depth of every sequence: names, IDs, dates, institution,
%   physicians, device serials and free-text comments are removed, emptied
%   or replaced; a sequence the table removes (X) goes with all its items,
%   and one it replaces with a dummy (D, such as a Structured Report's
%   Content Sequence) keeps its items with every value inside replaced.
%   Every UID is replaced by a new one, the same new UID for the same old
%   UID across all files of the call (and across calls with the same
%   'Salt'), including the file meta's MediaStorageSOPInstanceUID; private
%   attributes are removed. Pixel data is not changed.
%   PatientIdentityRemoved, DeidentificationMethod and
%   LongitudinalTemporalInformationModified are set. Output files keep the
%   permissions of their input. Nothing is written when an input is not
%   DICOM or is truncated, or when the output folder is not writable, and
%   SOURCE is never overwritten unless 'Overwrite' is true.
%
%   REPORT is a struct: files (a cell of structs, one per file, listing
%   what was removed, emptied, given a dummy value, given a new UID or a
%   shifted date, and the BurnedInAnnotation flag), flagged (files whose
%   BurnedInAnnotation is not NO: text burned into the pixels must be
%   checked by eye), skipped, n_files, options, edition. For a folder the
%   report is also saved as anonymization_report.json in DESTINATION.
%
%   REPORT = pybridge.dicomAnonymize(SOURCE, '', 'Overwrite', true)
%   anonymises SOURCE in place.
%
%   Options
%     'Salt'         secret key of the HMAC-SHA256 that derives the new
%                    UIDs and the patient pseudonym: the same key links
%                    later series to earlier ones, another key does not
%                    (default: a random key per call, no linkage)
%     'DateShift'    shift dates by this many whole days instead of
%                    removing them: the standard's Retain Longitudinal
%                    Temporal Information Modified Dates Option (default
%                    [] removes them)
%     'Keep'         cell of attribute keywords to leave untouched, e.g.
%                    {'PatientSex', 'PatientAge'} (breaks conformance)
%     'KeepPrivate'  keep every private attribute (default false; not the
%                    standard's Retain Safe Private Option)
%     'PatientID'    value for PatientID and PatientName (default: a
%                    pseudonym derived from the original ID and the salt)
%     'Overwrite'    allow replacing existing outputs or SOURCE (false)
%     'Errors'       'raise' (default) or 'skip' bad files of a folder
%   The standard's options (true/false, default false):
%     'RetainUIDs'                    Retain UIDs Option
%     'RetainFullDates'               Retain Longitudinal Temporal
%                                     Information Full Dates Option
%     'RetainPatientCharacteristics'  Retain Patient Characteristics Option
%     'RetainInstitutionIdentity'     Retain Institution Identity Option
%   Not implemented, refused when true: 'CleanPixelData',
%   'CleanRecognizableVisualFeatures', 'CleanGraphics',
%   'CleanStructuredContent', 'CleanDescriptors', 'RetainDeviceIdentity',
%   'RetainSafePrivate'.
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
%     pybridge:dicomAnonymize:notImplemented   a standard option pybridge
%                                              does not implement
%     pybridge:dicomAnonymize:fileNotFound     SOURCE does not exist
%     pybridge:dicomAnonymize:outputExists     an output exists without
%                                              'Overwrite', or DESTINATION
%                                              is a file where a folder is
%                                              needed (nothing written)
%     pybridge:dicomAnonymize:notWritable      the output folder is not
%                                              writable (nothing written)
%     pybridge:dicomAnonymize:invalidValue     no DESTINATION without
%                                              'Overwrite', DESTINATION
%                                              inside SOURCE, an unknown
%                                              keyword in 'Keep'
%     pybridge:dicomAnonymize:pythonError      not DICOM or truncated
%                                              (nothing written)
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
% the standard's options: MATLAB name -> Python name; the second list is refused
implemented = {'RetainUIDs', 'retain_uids'; 'RetainFullDates', 'retain_full_dates'; ...
  'RetainPatientCharacteristics', 'retain_patient_characteristics'; ...
  'RetainInstitutionIdentity', 'retain_institution_identity'};
refused = {'CleanPixelData', 'Clean Pixel Data'; ...
  'CleanRecognizableVisualFeatures', 'Clean Recognizable Visual Features'; ...
  'CleanGraphics', 'Clean Graphics'; 'CleanStructuredContent', 'Clean Structured Content'; ...
  'CleanDescriptors', 'Clean Descriptors'; 'RetainDeviceIdentity', 'Retain Device Identity'; ...
  'RetainSafePrivate', 'Retain Safe Private'};
defaults = struct('Salt', '', 'DateShift', [], 'Keep', {{}}, 'KeepPrivate', false, ...
  'PatientID', '', 'Overwrite', false, 'Errors', 'raise');
standard = [implemented(:, 1); refused(:, 1)];
for k = 1:numel(standard)
  defaults.(standard{k}) = false;
end
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
flagNames = [{'KeepPrivate'; 'Overwrite'}; standard];
for k = 1:numel(flagNames)
  value = opts.(flagNames{k});
  if ~((islogical(value) || isnumeric(value)) && isscalar(value))
    error('pybridge:dicomAnonymize:invalidOption', ...
      'pybridge.dicomAnonymize: ''%s'' must be true or false; got a %s', flagNames{k}, class(value));
  end
end
for k = 1:size(refused, 1)
  if opts.(refused{k, 1})
    error('pybridge:dicomAnonymize:notImplemented', ...
      ['pybridge.dicomAnonymize: ''%s'' (the standard''s %s Option) is not implemented; ', ...
      'nothing was written. Leave it out: the basic profile removes or replaces what the ', ...
      'option would clean or retain'], refused{k, 1}, refused{k, 2});
  end
end
chosen = {};
for k = 1:size(implemented, 1)
  if opts.(implemented{k, 1})
    chosen{end + 1} = implemented{k, 2}; %#ok<AGROW>
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
if ~isempty(chosen)
  kw = [kw, {'options', chosen}];
end
try
  report = pybridge.internal.callPython('dicomAnonymize', 'dicom_anonymize', source, ...
    destination, pyargs(kw{:}));
catch err
  % the Python error type names the reason: an existing output, a read-only folder
  if strcmp(err.identifier, 'pybridge:dicomAnonymize:pythonError')
    if ~isempty(strfind(err.message, '(Python FileExistsError)'))
      error('pybridge:dicomAnonymize:outputExists', '%s', err.message);
    elseif ~isempty(strfind(err.message, '(Python PermissionError)'))
      error('pybridge:dicomAnonymize:notWritable', '%s', err.message);
    end
  end
  rethrow(err);
end
end

function checkText(value, name)
if ~(ischar(value) && size(value, 1) <= 1)
  error('pybridge:dicomAnonymize:invalidOption', ...
    'pybridge.dicomAnonymize: ''%s'' must be text (char); got a %s', name, class(value));
end
end
