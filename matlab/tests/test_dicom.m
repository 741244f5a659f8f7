function tests = test_dicom
%TEST_DICOM pybridge.dicomRead and pybridge.dicomAnonymize on the DICOM files pydicom ships.
tests = localfunctions;
end

function f = dicomTestFile(name)
pbtest.requirePython('pydicom.data');
pbtest.requirePython('pybridge.dicom');
m = py.importlib.import_module('pydicom.data');
folder = fileparts(pybridge.fromPython(m.get_testdata_file('CT_small.dcm')));
f = fullfile(folder, name);
if exist(f, 'file') == 0
  pbtest.skip(sprintf('%s is not bundled with this pydicom', name));
end
end

function raw = storedPixels(f)
% the stored values, decoded by pydicom alone (no pybridge)
ds = py.pydicom.dcmread(f);
raw = double(pybridge.fromPython(ds.pixel_array));
end

function d = scratchFolder()
d = tempname();
mkdir(d);
end

function removeFolder(d)
if exist(d, 'dir') == 7
  confirm_recursive_rmdir_state = [];
  if exist('OCTAVE_VERSION', 'builtin') ~= 0
    confirm_recursive_rmdir_state = confirm_recursive_rmdir(false);
  end
  rmdir(d, 's');
  if ~isempty(confirm_recursive_rmdir_state)
    confirm_recursive_rmdir(confirm_recursive_rmdir_state);
  end
end
end

function test_read_ct_small_in_hounsfield_units
f = dicomTestFile('CT_small.dcm');
[V, info] = pybridge.dicomRead(f);
pbtest.assertEqual(size(V), [128 128], 'size of one CT slice');
pbtest.assertEqual(class(V), 'double', 'class');
% CT_small stores RescaleSlope 1 and RescaleIntercept -1024
pbtest.assertClose(V, storedPixels(f) - 1024, 0, 'Hounsfield units');
pbtest.assertClose(info.spacing, [0.661468 0.661468 5], 1e-9, 'spacing [row col slice]');
pbtest.assertClose(info.intercept, -1024, 0, 'intercept');
pbtest.assertEqual(info.header.Modality, 'CT', 'Modality');
pbtest.assertEqual(info.header.Rows, 128, 'Rows is a double');
assert(iscell(info.files) && numel(info.files) == 1, 'files is a cell');
end

function test_read_without_rescale_keeps_stored_class
f = dicomTestFile('CT_small.dcm');
V = pybridge.dicomRead(f, 'Rescale', false);
pbtest.assertEqual(class(V), 'int16', 'stored class');
pbtest.assertClose(double(V), storedPixels(f), 0, 'stored values');
end

function test_read_multiframe_is_h_w_slices
f = dicomTestFile('rtdose.dcm');
[V, info] = pybridge.dicomRead(f);
pbtest.assertEqual(size(V), [10 10 15], 'H x W x frames');
along = info.positions * info.normal(:);
assert(all(diff(along) > 0), 'frames are in increasing order along the normal');
pbtest.assertClose(info.spacing(3), 5, 1e-9, 'frame spacing');
end

function test_read_dicomdir_series_in_slice_order
dd = fullfile(fileparts(dicomTestFile('CT_small.dcm')), 'dicomdirtests', 'DICOMDIR');
series = pybridge.fromPython(py.pybridge.dicom.list_series(dd));
n = cellfun(@(s) double(s.n_files), series);
uid = series{find(n == 5, 1)}.SeriesInstanceUID;
[V, info] = pybridge.dicomRead(dd, 'Series', uid);
pbtest.assertEqual(size(V, 3), 5, 'five slices');
along = info.positions * info.normal(:);
assert(all(diff(along) > 0), 'slices sorted by ImagePositionPatient along the normal');
pbtest.assertError(@() pybridge.dicomRead(dd), 'pybridge:dicomRead:invalidValue');
end

function test_read_errors
f = dicomTestFile('CT_small.dcm');
pbtest.assertError(@() pybridge.dicomRead(), 'pybridge:dicomRead:notEnoughInputs');
pbtest.assertError(@() pybridge.dicomRead(5), 'pybridge:dicomRead:invalidInput');
pbtest.assertError(@() pybridge.dicomRead(f, 'Rescal', true), 'pybridge:dicomRead:unknownOption');
pbtest.assertError(@() pybridge.dicomRead(f, 'Rescale', 'yes'), 'pybridge:dicomRead:invalidOption');
pbtest.assertError(@() pybridge.dicomRead(f, 'Series', 3), 'pybridge:dicomRead:invalidOption');
pbtest.assertError(@() pybridge.dicomRead([f '.missing']), 'pybridge:dicomRead:fileNotFound');
d = scratchFolder();
cleanup = onCleanup(@() removeFolder(d));
notDicom = fullfile(d, 'notes.dcm');
fid = fopen(notDicom, 'w');
fprintf(fid, 'plain text, not DICOM\n');
fclose(fid);
err = pbtest.assertError(@() pybridge.dicomRead(notDicom), 'pybridge:dicomRead:pythonError');
assert(~isempty(strfind(err.message, 'not a DICOM file')), err.message);
err = pbtest.assertError(@() pybridge.dicomRead(dicomTestFile('MR_truncated.dcm')), 'pybridge:dicomRead:pythonError');
assert(~isempty(strfind(err.message, 'truncated')), err.message);
err = pbtest.assertError(@() pybridge.dicomRead(dicomTestFile('rtplan.dcm')), 'pybridge:dicomRead:pythonError');
assert(~isempty(strfind(err.message, 'no pixel data')), err.message);
end

function test_anonymize_file_keeps_pixels_and_removes_identity
f = dicomTestFile('CT_small.dcm');
d = scratchFolder();
cleanup = onCleanup(@() removeFolder(d));
out = fullfile(d, 'ct_anon.dcm');
report = pybridge.dicomAnonymize(f, out, 'Salt', 'lab-secret', 'Keep', {'PatientSex'});
pbtest.assertEqual(report.n_files, 1, 'n_files');
[V0, info0] = pybridge.dicomRead(f);
[V1, info1] = pybridge.dicomRead(out);
pbtest.assertEqual(V1, V0, 'pixels unchanged');
assert(~strcmp(info1.header.PatientID, info0.header.PatientID), 'PatientID replaced');
assert(~strcmp(info1.header.StudyInstanceUID, info0.header.StudyInstanceUID), 'study UID replaced');
pbtest.assertEqual(info1.header.PatientIdentityRemoved, 'YES', 'PatientIdentityRemoved');
pbtest.assertEqual(info1.header.PatientSex, info0.header.PatientSex, 'kept on request');
assert(~isfield(info1.header, 'StudyDate') || isempty(info1.header.StudyDate), 'StudyDate emptied');
file = report.files{1};
assert(any(strcmp(file.uids_replaced, 'file_meta.MediaStorageSOPInstanceUID')), 'file meta UID replaced');
assert(file.flagged, 'CT_small does not say BurnedInAnnotation NO: flagged');
end

function test_anonymize_folder_same_salt_same_uids
d = scratchFolder();
cleanup = onCleanup(@() removeFolder(d));
src = fullfile(d, 'in');
mkdir(src);
copyfile(dicomTestFile('CT_small.dcm'), fullfile(src, 'a.dcm'));
copyfile(dicomTestFile('MR_small.dcm'), fullfile(src, 'b.dcm'));
r1 = pybridge.dicomAnonymize(src, fullfile(d, 'out1'), 'Salt', 's1', 'DateShift', -7);
r2 = pybridge.dicomAnonymize(src, fullfile(d, 'out2'), 'Salt', 's1', 'DateShift', -7);
pbtest.assertEqual(r1.n_files, 2, 'two files');
assert(exist(fullfile(d, 'out1', 'anonymization_report.json'), 'file') == 2, 'JSON report');
[~, i1] = pybridge.dicomRead(fullfile(d, 'out1', 'a.dcm'));
[~, i2] = pybridge.dicomRead(fullfile(d, 'out2', 'a.dcm'));
pbtest.assertEqual(i1.header.StudyInstanceUID, i2.header.StudyInstanceUID, 'same salt, same UID');
% CT_small's study date is 2004-01-19; seven days earlier is 2004-01-12
pbtest.assertEqual(i1.header.StudyDate, '20040112', 'shifted study date');
end

function test_anonymize_errors_write_nothing
d = scratchFolder();
cleanup = onCleanup(@() removeFolder(d));
f = dicomTestFile('CT_small.dcm');
out = fullfile(d, 'x.dcm');
pbtest.assertError(@() pybridge.dicomAnonymize(f), 'pybridge:dicomAnonymize:notEnoughInputs');
pbtest.assertError(@() pybridge.dicomAnonymize(1, out), 'pybridge:dicomAnonymize:invalidInput');
pbtest.assertError(@() pybridge.dicomAnonymize(f, out, 'Salty', 'x'), 'pybridge:dicomAnonymize:unknownOption');
pbtest.assertError(@() pybridge.dicomAnonymize(f, out, 'DateShift', 1.5), 'pybridge:dicomAnonymize:invalidOption');
pbtest.assertError(@() pybridge.dicomAnonymize([f '.missing'], out), 'pybridge:dicomAnonymize:fileNotFound');
pbtest.assertError(@() pybridge.dicomAnonymize(f, ''), 'pybridge:dicomAnonymize:invalidValue');
pbtest.assertError(@() pybridge.dicomAnonymize(f, out, 'Keep', {'PatientSexx'}), 'pybridge:dicomAnonymize:invalidValue');
err = pbtest.assertError(@() pybridge.dicomAnonymize(dicomTestFile('MR_truncated.dcm'), out), ...
  'pybridge:dicomAnonymize:pythonError');
assert(~isempty(strfind(err.message, 'truncated')), err.message);
assert(exist(out, 'file') == 0, 'nothing written for a truncated input');
end

function test_anonymize_salt_links_across_calls_and_another_salt_does_not
d = scratchFolder();
cleanup = onCleanup(@() removeFolder(d));
f = dicomTestFile('CT_small.dcm');
pybridge.dicomAnonymize(f, fullfile(d, 'a.dcm'), 'Salt', 'key one');
pybridge.dicomAnonymize(f, fullfile(d, 'b.dcm'), 'Salt', 'key one');
pybridge.dicomAnonymize(f, fullfile(d, 'c.dcm'), 'Salt', 'key two');
[~, a] = pybridge.dicomRead(fullfile(d, 'a.dcm'));
[~, b] = pybridge.dicomRead(fullfile(d, 'b.dcm'));
[~, c] = pybridge.dicomRead(fullfile(d, 'c.dcm'));
pbtest.assertEqual(a.header.StudyInstanceUID, b.header.StudyInstanceUID, 'same key, same UID');
pbtest.assertEqual(a.header.PatientID, b.header.PatientID, 'same key, same pseudonym');
assert(~strcmp(a.header.StudyInstanceUID, c.header.StudyInstanceUID), 'another key, another UID');
assert(~strcmp(a.header.PatientID, c.header.PatientID), 'another key, another pseudonym');
% the same derivation as Python's: HMAC-SHA256 of the key (checked there against hmac)
rp = pybridge.fromPython(py.pybridge.dicom.anonymize(f, fullfile(d, 'p.dcm'), pyargs('salt', 'key one')));
[~, p] = pybridge.dicomRead(fullfile(d, 'p.dcm'));
pbtest.assertEqual(p.header.StudyInstanceUID, a.header.StudyInstanceUID, 'MATLAB and Python agree');
pbtest.assertEqual(double(rp.n_files), 1, 'n_files');
end

function test_anonymize_standard_options
d = scratchFolder();
cleanup = onCleanup(@() removeFolder(d));
f = dicomTestFile('CT_small.dcm');
[~, info0] = pybridge.dicomRead(f);
out = fullfile(d, 'kept.dcm');
r = pybridge.dicomAnonymize(f, out, 'RetainUIDs', true, 'RetainFullDates', true, ...
  'RetainPatientCharacteristics', true);
[~, info1] = pybridge.dicomRead(out);
pbtest.assertEqual(info1.header.StudyInstanceUID, info0.header.StudyInstanceUID, 'RetainUIDs');
pbtest.assertEqual(info1.header.StudyDate, '20040119', 'RetainFullDates keeps CT_small''s study date');
pbtest.assertEqual(info1.header.PatientSex, info0.header.PatientSex, 'RetainPatientCharacteristics');
assert(~strcmp(info1.header.PatientID, info0.header.PatientID), 'PatientID still replaced');
assert(~isempty(strfind(r.edition, '2025b')), 'the report names the edition of the table');
refused = {'CleanPixelData', 'CleanRecognizableVisualFeatures', 'CleanGraphics', ...
  'CleanStructuredContent', 'CleanDescriptors', 'RetainDeviceIdentity', 'RetainSafePrivate'};
for k = 1:numel(refused)
  err = pbtest.assertError(@() pybridge.dicomAnonymize(f, fullfile(d, 'x.dcm'), refused{k}, true), ...
    'pybridge:dicomAnonymize:notImplemented');
  assert(~isempty(strfind(err.message, refused{k})), err.message);
end
pbtest.assertError(@() pybridge.dicomAnonymize(f, fullfile(d, 'x.dcm'), 'RetainUIDs', 'yes'), ...
  'pybridge:dicomAnonymize:invalidOption');
assert(exist(fullfile(d, 'x.dcm'), 'file') == 0, 'nothing written for a refused option');
end

function test_anonymize_output_errors_name_the_fix
d = scratchFolder();
cleanup = onCleanup(@() removeFolder(d));
f = dicomTestFile('CT_small.dcm');
existing = fullfile(d, 'exists.dcm');
fid = fopen(existing, 'w');
fprintf(fid, 'keep me');
fclose(fid);
err = pbtest.assertError(@() pybridge.dicomAnonymize(f, existing), 'pybridge:dicomAnonymize:outputExists');
assert(~isempty(strfind(err.message, 'Overwrite')) || ~isempty(strfind(err.message, 'overwrite=True')), err.message);
src = fullfile(d, 'in');
mkdir(src);
copyfile(f, fullfile(src, 'a.dcm'));
pbtest.assertError(@() pybridge.dicomAnonymize(src, existing), 'pybridge:dicomAnonymize:outputExists');
fid = fopen(existing, 'r');
pbtest.assertEqual(fread(fid, Inf, 'char=>char')', 'keep me', 'the existing file is untouched');
fclose(fid);
if exist('/proc/self', 'dir') ~= 7
  pbtest.skip('needs /proc (Linux), a folder nobody can write into, even root');
end
pbtest.assertError(@() pybridge.dicomAnonymize(src, '/proc/pybridge-out'), 'pybridge:dicomAnonymize:notWritable');
end

function test_read_dicomdir_pointing_outside_its_folder_is_refused
d = scratchFolder();
cleanup = onCleanup(@() removeFolder(d));
media = fullfile(d, 'media');
copyfile(fullfile(fileparts(dicomTestFile('CT_small.dcm')), 'dicomdirtests'), media);
dd = py.pydicom.dcmread(fullfile(media, 'DICOMDIR'));
records = dd.DirectoryRecordSequence;
for k = 0:double(py.len(records)) - 1
  rec = py.operator.getitem(records, int32(k));
  if logical(py.hasattr(rec, 'ReferencedFileID'))
    py.setattr(rec, 'ReferencedFileID', py.list({'..', '..', 'outside.dcm'}));
    break;
  end
end
dd.save_as(fullfile(media, 'DICOMDIR'));  % pydicom warns: '..' is not a valid CS
err = pbtest.assertError(@() pybridge.dicomRead(fullfile(media, 'DICOMDIR')), 'pybridge:dicomRead:pythonError');
assert(~isempty(strfind(err.message, 'leaves its folder')), err.message);
end
