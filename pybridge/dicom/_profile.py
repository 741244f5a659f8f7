"""The DICOM PS3.15 Annex E basic application level confidentiality profile, as data.

This module is the one place pybridge keeps the profile's attribute table
(PS3.15 Table E.1-1, column "Basic Prof.") and the rows of the options
pybridge implements. Each row names a tag, the action the profile
prescribes, and the attribute's keyword (for reading; the tag is what
counts). ``tests/dicom/test_dicom_profile.py`` checks every keyword against
pydicom's data dictionary, so a mistyped tag cannot hide here.

Edition. The rows follow the 2025b edition of Table E.1-1 (643 rows with a
plain tag, plus the patterns below). They were transcribed from a
machine-readable extraction of that edition (one record per row: name,
tag, basic-profile action, option columns), merged with an earlier
transcription whose rows the 2025b extraction also holds. Rows marked
``+`` name attributes newer than pydicom 3.0's dictionary (2024-2025
additions: gender identity, pronouns, sex parameters for clinical use,
diagnosis code sequences, ...); their keyword is the standard's name in
CamelCase. Where editions differ the 2025b value is used; notably Content
Sequence (0040,A730) is D there (2013 and earlier editions had X), Patient
ID is Z/D, Structure Set Time is Z, Treatment Machine Name is X/Z and
Treatment Site is X/D.

Action codes, as in the standard:

====== ======================================================================
code   meaning
====== ======================================================================
D      replace with a non-zero-length dummy value consistent with the VR
Z      replace with a zero-length value (or a dummy value)
X      remove (a sequence with all its items)
U      replace the UID with a non-zero-length UID, consistently within the set
X/Z    X unless Z is needed for the IOD to stay valid (Z for type 2)
X/D    X unless D is needed (type 1)
Z/D    Z unless D is needed (type 1)
X/Z/D  X unless Z or D is needed
X/Z/U* X unless Z or replacing the UIDs inside (a sequence of references) is needed
====== ======================================================================

A de-identifier that does not track IOD types has to pick one action of a
compound code; :func:`resolve` picks the one that keeps every IOD valid
(Z over X, D over Z, U* over Z), so a type 1 or type 2 attribute is never
dropped from an object that requires it.

D on a sequence. The dummy value of a sequence is a sequence of dummy
items: every item keeps its attributes, and every value inside, at every
depth, is replaced (listed attributes by their own action, all others by a
dummy of their VR, UIDs by new UIDs). No value of the original items
survives, and an IOD that requires the sequence keeps it.

Patterns the table also lists (handled in code, not as rows): curve data
(50xx,xxxx), overlay data (60xx,3000) and overlay comments (60xx,4000) are X;
private attributes (odd groups) are X unless kept.
"""

from __future__ import annotations

__all__ = [
    "BASIC_PROFILE",
    "ACTIONS",
    "EDITION",
    "NEWER_THAN_PYDICOM",
    "PATIENT_CHARACTERISTICS",
    "INSTITUTION_IDENTITY",
    "action_for",
    "resolve",
]

#: The edition of PS3.15 Table E.1-1 the rows follow.
EDITION = "2025b"

#: Every action code that appears in the table.
ACTIONS = ("D", "Z", "X", "U", "X/Z", "X/D", "Z/D", "X/Z/D", "X/Z/U*")

#: Rows whose "Rtn. Pat. Chars. Opt." column is K (2025b): kept by the
#: Retain Patient Characteristics Option. (Its C rows, free-text comments,
#: stay removed: pybridge does not clean text.)
PATIENT_CHARACTERISTICS = frozenset(
    {
        0x00100040,  # Patient's Sex
        0x00102203,  # Patient's Sex Neutered
        0x00101010,  # Patient's Age
        0x00101020,  # Patient's Size
        0x00101030,  # Patient's Weight
        0x00102160,  # Ethnic Group
        0x00102161,  # Ethnic Group Code Sequence
        0x00102162,  # Ethnic Groups
        0x001021C0,  # Pregnancy Status
        0x001021A0,  # Smoking Status
        0x00100043,  # Sex Parameters for Clinical Use Category Sequence
        0x00100046,  # Sex Parameters for Clinical Use Category Code Sequence
        0x00100047,  # Sex Parameters for Clinical Use Category Reference
        0x0072005F,  # Selector AS Value
    }
)

#: Rows whose "Rtn. Inst. Ident. Opt." column is K (2025b): kept by the
#: Retain Institution Identity Option.
INSTITUTION_IDENTITY = frozenset(
    {
        0x00080080,  # Institution Name
        0x00080081,  # Institution Address
        0x00080082,  # Institution Code Sequence
        0x00081040,  # Institutional Department Name
        0x00081041,  # Institutional Department Type Code Sequence
        0x00120030,  # Clinical Trial Site ID
        0x00120031,  # Clinical Trial Site Name
        0x00120060,  # Clinical Trial Coordinating Center Name
        0x00120081,  # Clinical Trial Protocol Ethics Committee Name
        0x04000564,  # Source of Previous Values
    }
)

# tag        action  keyword [+ = newer than pydicom's dictionary]
_TABLE = """
0000,1000 X       AffectedSOPInstanceUID
0000,1001 U       RequestedSOPInstanceUID
0002,0003 U       MediaStorageSOPInstanceUID
0004,1511 U       ReferencedSOPInstanceUIDInFile
0008,0012 X/D     InstanceCreationDate
0008,0013 X/Z/D   InstanceCreationTime
0008,0014 U       InstanceCreatorUID
0008,0015 X       InstanceCoercionDateTime
0008,0017 U       AcquisitionUID
0008,0018 U       SOPInstanceUID
0008,0019 U       PyramidUID
0008,0020 Z       StudyDate
0008,0021 X/D     SeriesDate
0008,0022 X/Z     AcquisitionDate
0008,0023 Z/D     ContentDate
0008,0024 X       OverlayDate
0008,0025 X       CurveDate
0008,002A X/Z/D   AcquisitionDateTime
0008,0030 Z       StudyTime
0008,0031 X/D     SeriesTime
0008,0032 X/Z     AcquisitionTime
0008,0033 Z/D     ContentTime
0008,0034 X       OverlayTime
0008,0035 X       CurveTime
0008,0050 Z       AccessionNumber
0008,0054 X       RetrieveAETitle
0008,0055 X       StationAETitle
0008,0058 U       FailedSOPInstanceUIDList
0008,0080 X/Z/D   InstitutionName
0008,0081 X       InstitutionAddress
0008,0082 X/Z/D   InstitutionCodeSequence
0008,0090 Z       ReferringPhysicianName
0008,0092 X       ReferringPhysicianAddress
0008,0094 X       ReferringPhysicianTelephoneNumbers
0008,0096 X       ReferringPhysicianIdentificationSequence
0008,009C Z       ConsultingPhysicianName
0008,009D X       ConsultingPhysicianIdentificationSequence
0008,0106 D       ContextGroupVersion
0008,0107 D       ContextGroupLocalVersion
0008,0201 X       TimezoneOffsetFromUTC
0008,1000 X       NetworkID
0008,1010 X/Z/D   StationName
0008,1030 X       StudyDescription
0008,103E X       SeriesDescription
0008,1040 X       InstitutionalDepartmentName
0008,1041 X       InstitutionalDepartmentTypeCodeSequence
0008,1048 X       PhysiciansOfRecord
0008,1049 X       PhysiciansOfRecordIdentificationSequence
0008,1050 X       PerformingPhysicianName
0008,1052 X       PerformingPhysicianIdentificationSequence
0008,1060 X       NameOfPhysiciansReadingStudy
0008,1062 X       PhysiciansReadingStudyIdentificationSequence
0008,1070 X/Z/D   OperatorsName
0008,1072 X/D     OperatorIdentificationSequence
0008,1080 X       AdmittingDiagnosesDescription
0008,1084 X       AdmittingDiagnosesCodeSequence
0008,1088 X       PyramidDescription
0008,1110 X/Z     ReferencedStudySequence
0008,1111 X/Z/D   ReferencedPerformedProcedureStepSequence
0008,1120 X       ReferencedPatientSequence
0008,1140 X/Z/U*  ReferencedImageSequence
0008,1155 U       ReferencedSOPInstanceUID
0008,1195 U       TransactionUID
0008,1301 X       PrincipalDiagnosisCodeSequence +
0008,1302 X       PrimaryDiagnosisCodeSequence +
0008,1303 X       SecondaryDiagnosesCodeSequence +
0008,1304 X       HistologicalDiagnosesCodeSequence +
0008,2111 X       DerivationDescription
0008,2112 X/Z/U*  SourceImageSequence
0008,3010 U       IrradiationEventUID
0008,4000 X       IdentifyingComments
0010,0010 Z       PatientName
0010,0011 X       PersonNamesToUseSequence +
0010,0012 X       NameToUse +
0010,0013 X       NameToUseComment +
0010,0014 X       ThirdPersonPronounsSequence +
0010,0015 X       PronounCodeSequence +
0010,0016 X       PronounComment +
0010,0020 Z/D     PatientID
0010,0021 X       IssuerOfPatientID
0010,0030 Z       PatientBirthDate
0010,0032 X       PatientBirthTime
0010,0040 Z       PatientSex
0010,0041 X       GenderIdentitySequence +
0010,0042 X       SexParametersForClinicalUseCategoryComment +
0010,0043 X       SexParametersForClinicalUseCategorySequence +
0010,0044 X       GenderIdentityCodeSequence +
0010,0045 X       GenderIdentityComment +
0010,0046 X       SexParametersForClinicalUseCategoryCodeSequence +
0010,0047 X       SexParametersForClinicalUseCategoryReference +
0010,0050 X       PatientInsurancePlanCodeSequence
0010,0101 X       PatientPrimaryLanguageCodeSequence
0010,0102 X       PatientPrimaryLanguageModifierCodeSequence
0010,1000 X       OtherPatientIDs
0010,1001 X       OtherPatientNames
0010,1002 X       OtherPatientIDsSequence
0010,1005 X       PatientBirthName
0010,1010 X       PatientAge
0010,1020 X       PatientSize
0010,1030 X       PatientWeight
0010,1040 X       PatientAddress
0010,1050 X       InsurancePlanIdentification
0010,1060 X       PatientMotherBirthName
0010,1080 X       MilitaryRank
0010,1081 X       BranchOfService
0010,1090 X       MedicalRecordLocator
0010,1100 X       ReferencedPatientPhotoSequence
0010,2000 X       MedicalAlerts
0010,2110 X       Allergies
0010,2150 X       CountryOfResidence
0010,2152 X       RegionOfResidence
0010,2154 X       PatientTelephoneNumbers
0010,2155 X       PatientTelecomInformation
0010,2160 X       EthnicGroup
0010,2161 X       EthnicGroupCodeSequence
0010,2162 X       EthnicGroups +
0010,2180 X       Occupation
0010,21A0 X       SmokingStatus
0010,21B0 X       AdditionalPatientHistory
0010,21C0 X       PregnancyStatus
0010,21D0 X       LastMenstrualDate
0010,21F0 X       PatientReligiousPreference
0010,2203 X/Z     PatientSexNeutered
0010,2297 X       ResponsiblePerson
0010,2299 X       ResponsibleOrganization
0010,4000 X       PatientComments
0012,0010 D       ClinicalTrialSponsorName
0012,0020 D       ClinicalTrialProtocolID
0012,0021 Z       ClinicalTrialProtocolName
0012,0022 X       IssuerOfClinicalTrialProtocolID
0012,0023 X       OtherClinicalTrialProtocolIDsSequence
0012,0030 Z       ClinicalTrialSiteID
0012,0031 Z       ClinicalTrialSiteName
0012,0032 X       IssuerOfClinicalTrialSiteID
0012,0040 D       ClinicalTrialSubjectID
0012,0041 X       IssuerOfClinicalTrialSubjectID
0012,0042 D       ClinicalTrialSubjectReadingID
0012,0043 X       IssuerOfClinicalTrialSubjectReadingID
0012,0050 Z       ClinicalTrialTimePointID
0012,0051 X       ClinicalTrialTimePointDescription
0012,0055 X       IssuerOfClinicalTrialTimePointID
0012,0060 Z       ClinicalTrialCoordinatingCenterName
0012,0071 X       ClinicalTrialSeriesID
0012,0072 X       ClinicalTrialSeriesDescription
0012,0073 X       IssuerOfClinicalTrialSeriesID
0012,0081 D       ClinicalTrialProtocolEthicsCommitteeName
0012,0082 X       ClinicalTrialProtocolEthicsCommitteeApprovalNumber
0012,0086 X       EthicsCommitteeApprovalEffectivenessStartDate
0012,0087 X       EthicsCommitteeApprovalEffectivenessEndDate
0014,407C X       CalibrationTime
0014,407E X       CalibrationDate
0016,002B X       MakerNote
0016,004B X       DeviceSettingDescription
0016,004D X       CameraOwnerName
0016,004E X       LensSpecification
0016,004F X       LensMake
0016,0050 X       LensModel
0016,0051 X       LensSerialNumber
0016,0070 X       GPSVersionID
0016,0071 X       GPSLatitudeRef
0016,0072 X       GPSLatitude
0016,0073 X       GPSLongitudeRef
0016,0074 X       GPSLongitude
0016,0075 X       GPSAltitudeRef
0016,0076 X       GPSAltitude
0016,0077 X       GPSTimeStamp
0016,0078 X       GPSSatellites
0016,0079 X       GPSStatus
0016,007A X       GPSMeasureMode
0016,007B X       GPSDOP
0016,007C X       GPSSpeedRef
0016,007D X       GPSSpeed
0016,007E X       GPSTrackRef
0016,007F X       GPSTrack
0016,0080 X       GPSImgDirectionRef
0016,0081 X       GPSImgDirection
0016,0082 X       GPSMapDatum
0016,0083 X       GPSDestLatitudeRef
0016,0084 X       GPSDestLatitude
0016,0085 X       GPSDestLongitudeRef
0016,0086 X       GPSDestLongitude
0016,0087 X       GPSDestBearingRef
0016,0088 X       GPSDestBearing
0016,0089 X       GPSDestDistanceRef
0016,008A X       GPSDestDistance
0016,008B X       GPSProcessingMethod
0016,008C X       GPSAreaInformation
0016,008D X       GPSDateStamp
0016,008E X       GPSDifferential
0018,0010 Z/D     ContrastBolusAgent
0018,0027 X       InterventionDrugStopTime
0018,0035 X       InterventionDrugStartTime
0018,1000 X/Z/D   DeviceSerialNumber
0018,1002 U       DeviceUID
0018,1004 X       PlateID
0018,1005 X       GeneratorID
0018,1007 X       CassetteID
0018,1008 X       GantryID
0018,1009 X       UniqueDeviceIdentifier
0018,100A X       UDISequence
0018,100B U       ManufacturerDeviceClassUID
0018,1012 X       DateOfSecondaryCapture
0018,1014 X       TimeOfSecondaryCapture
0018,1030 X/D     ProtocolName
0018,1042 X       ContrastBolusStartTime
0018,1043 X       ContrastBolusStopTime
0018,1072 X       RadiopharmaceuticalStartTime
0018,1073 X       RadiopharmaceuticalStopTime
0018,1078 X       RadiopharmaceuticalStartDateTime
0018,1079 X       RadiopharmaceuticalStopDateTime
0018,11BB D       AcquisitionFieldOfViewLabel
0018,1200 X       DateOfLastCalibration
0018,1201 X       TimeOfLastCalibration
0018,1202 X       DateTimeOfLastCalibration
0018,1203 Z       CalibrationDateTime
0018,1204 X       DateOfManufacture
0018,1205 X       DateOfInstallation
0018,1400 X/D     AcquisitionDeviceProcessingDescription
0018,2042 U       TargetUID
0018,4000 X       AcquisitionComments
0018,5011 X       TransducerIdentificationSequence
0018,700A X/D     DetectorID
0018,700C X/D     DateOfLastDetectorCalibration
0018,700E X/D     TimeOfLastDetectorCalibration
0018,9074 D       FrameAcquisitionDateTime
0018,9151 D       FrameReferenceDateTime
0018,9185 X       RespiratoryMotionCompensationTechniqueDescription
0018,9367 D       XRaySourceID
0018,9369 D       SourceStartDateTime
0018,936A D       SourceEndDateTime
0018,9371 D       XRayDetectorID
0018,9373 X       XRayDetectorLabel
0018,937B X       MultienergyAcquisitionDescription
0018,937F X       DecompositionDescription
0018,9424 X       AcquisitionProtocolDescription
0018,9516 X/D     StartAcquisitionDateTime
0018,9517 X/D     EndAcquisitionDateTime
0018,9623 D       FunctionalSyncPulse
0018,9701 D       DecayCorrectionDateTime
0018,9804 D       ExclusionStartDateTime
0018,9919 Z/D     InstructionPerformedDateTime
0018,9937 X       RequestedSeriesDescription
0018,A002 X       ContributionDateTime
0018,A003 X       ContributionDescription
0020,000D U       StudyInstanceUID
0020,000E U       SeriesInstanceUID
0020,0010 Z       StudyID
0020,0027 X       PyramidLabel
0020,0052 U       FrameOfReferenceUID
0020,0200 U       SynchronizationFrameOfReferenceUID
0020,3401 X       ModifyingDeviceID
0020,3403 X       ModifiedImageDate
0020,3405 X       ModifiedImageTime
0020,3406 X       ModifiedImageDescription
0020,4000 X       ImageComments
0020,9158 X       FrameComments
0020,9161 U       ConcatenationUID
0020,9164 U       DimensionOrganizationUID
0028,1199 U       PaletteColorLookupTableUID
0028,1214 U       LargePaletteColorLookupTableUID
0028,4000 X       ImagePresentationComments
0032,0012 X       StudyIDIssuer
0032,0032 X       StudyVerifiedDate
0032,0033 X       StudyVerifiedTime
0032,0034 X       StudyReadDate
0032,0035 X       StudyReadTime
0032,1000 X       ScheduledStudyStartDate
0032,1001 X       ScheduledStudyStartTime
0032,1010 X       ScheduledStudyStopDate
0032,1011 X       ScheduledStudyStopTime
0032,1020 X       ScheduledStudyLocation
0032,1021 X       ScheduledStudyLocationAETitle
0032,1030 X       ReasonForStudy
0032,1032 X       RequestingPhysician
0032,1033 X       RequestingService
0032,1040 X       StudyArrivalDate
0032,1041 X       StudyArrivalTime
0032,1050 X       StudyCompletionDate
0032,1051 X       StudyCompletionTime
0032,1060 X/Z     RequestedProcedureDescription
0032,1066 X       ReasonForVisit
0032,1067 X       ReasonForVisitCodeSequence
0032,1070 X       RequestedContrastAgent
0032,4000 X       StudyComments
0034,0001 D       FlowIdentifierSequence
0034,0002 D       FlowIdentifier
0034,0005 D       SourceIdentifier
0034,0007 D       FrameOriginTimestamp
0038,0004 X       ReferencedPatientAliasSequence
0038,0010 X       AdmissionID
0038,0011 X       IssuerOfAdmissionID
0038,0014 X       IssuerOfAdmissionIDSequence
0038,001A X       ScheduledAdmissionDate
0038,001B X       ScheduledAdmissionTime
0038,001C X       ScheduledDischargeDate
0038,001D X       ScheduledDischargeTime
0038,001E X       ScheduledPatientInstitutionResidence
0038,0020 X       AdmittingDate
0038,0021 X       AdmittingTime
0038,0030 X       DischargeDate
0038,0032 X       DischargeTime
0038,0040 X       DischargeDiagnosisDescription
0038,0050 X       SpecialNeeds
0038,0060 X       ServiceEpisodeID
0038,0061 X       IssuerOfServiceEpisodeID
0038,0062 X       ServiceEpisodeDescription
0038,0064 X       IssuerOfServiceEpisodeIDSequence
0038,0300 X       CurrentPatientLocation
0038,0400 X       PatientInstitutionResidence
0038,0500 X       PatientState
0038,4000 X       VisitComments
003A,0310 U       MultiplexGroupUID
003A,0314 D       ImpedanceMeasurementDateTime
003A,0329 X       WaveformFilterDescription
003A,032B X       FilterLookupTableDescription
0040,0001 X       ScheduledStationAETitle
0040,0002 X       ScheduledProcedureStepStartDate
0040,0003 X       ScheduledProcedureStepStartTime
0040,0004 X       ScheduledProcedureStepEndDate
0040,0005 X       ScheduledProcedureStepEndTime
0040,0006 X       ScheduledPerformingPhysicianName
0040,0007 X       ScheduledProcedureStepDescription
0040,0009 X       ScheduledProcedureStepID
0040,000B X       ScheduledPerformingPhysicianIdentificationSequence
0040,0010 X       ScheduledStationName
0040,0011 X       ScheduledProcedureStepLocation
0040,0012 X       PreMedication
0040,0241 X       PerformedStationAETitle
0040,0242 X       PerformedStationName
0040,0243 X       PerformedLocation
0040,0244 X       PerformedProcedureStepStartDate
0040,0245 X       PerformedProcedureStepStartTime
0040,0250 X       PerformedProcedureStepEndDate
0040,0251 X       PerformedProcedureStepEndTime
0040,0253 X       PerformedProcedureStepID
0040,0254 X       PerformedProcedureStepDescription
0040,0275 X       RequestAttributesSequence
0040,0280 X       CommentsOnThePerformedProcedureStep
0040,0310 X       CommentsOnRadiationDose
0040,050A X       SpecimenAccessionNumber
0040,0512 D       ContainerIdentifier
0040,0513 Z       IssuerOfTheContainerIdentifierSequence
0040,051A X       ContainerDescription
0040,0551 D       SpecimenIdentifier
0040,0554 U       SpecimenUID
0040,0555 X/Z     AcquisitionContextSequence
0040,0562 Z       IssuerOfTheSpecimenIdentifierSequence
0040,0600 X       SpecimenShortDescription
0040,0602 X       SpecimenDetailedDescription
0040,0610 Z       SpecimenPreparationSequence
0040,06FA X       SlideIdentifier
0040,1001 X       RequestedProcedureID
0040,1002 X       ReasonForTheRequestedProcedure
0040,1004 X       PatientTransportArrangements
0040,1005 X       RequestedProcedureLocation
0040,100A X       ReasonForRequestedProcedureCodeSequence
0040,1010 X       NamesOfIntendedRecipientsOfResults
0040,1011 X       IntendedRecipientsOfResultsIdentificationSequence
0040,1101 D       PersonIdentificationCodeSequence
0040,1102 X       PersonAddress
0040,1103 X       PersonTelephoneNumbers
0040,1104 X       PersonTelecomInformation
0040,1400 X       RequestedProcedureComments
0040,2001 X       ReasonForTheImagingServiceRequest
0040,2004 X       IssueDateOfImagingServiceRequest
0040,2005 X       IssueTimeOfImagingServiceRequest
0040,2008 X       OrderEnteredBy
0040,2009 X       OrderEntererLocation
0040,2010 X       OrderCallbackPhoneNumber
0040,2011 X       OrderCallbackTelecomInformation
0040,2016 Z       PlacerOrderNumberImagingServiceRequest
0040,2017 Z       FillerOrderNumberImagingServiceRequest
0040,2400 X       ImagingServiceRequestComments
0040,3001 X       ConfidentialityConstraintOnPatientDataDescription
0040,4005 X       ScheduledProcedureStepStartDateTime
0040,4008 X       ScheduledProcedureStepExpirationDateTime
0040,4010 X       ScheduledProcedureStepModificationDateTime
0040,4011 X       ExpectedCompletionDateTime
0040,4023 U       ReferencedGeneralPurposeScheduledProcedureStepTransactionUID
0040,4025 X       ScheduledStationNameCodeSequence
0040,4027 X       ScheduledStationGeographicLocationCodeSequence
0040,4028 X       PerformedStationNameCodeSequence
0040,4030 X       PerformedStationGeographicLocationCodeSequence
0040,4034 X       ScheduledHumanPerformersSequence
0040,4035 X       ActualHumanPerformersSequence
0040,4036 X       HumanPerformerOrganization
0040,4037 X       HumanPerformerName
0040,4050 X       PerformedProcedureStepStartDateTime
0040,4051 X       PerformedProcedureStepEndDateTime
0040,4052 X       ProcedureStepCancellationDateTime
0040,A023 X       FindingsGroupRecordingDateTrial
0040,A024 X       FindingsGroupRecordingTimeTrial
0040,A027 D       VerifyingOrganization
0040,A030 D       VerificationDateTime
0040,A032 X/D     ObservationDateTime
0040,A033 X       ObservationStartDateTime
0040,A034 X       EffectiveStartDateTime +
0040,A035 X       EffectiveStopDateTime +
0040,A073 D       VerifyingObserverSequence
0040,A075 D       VerifyingObserverName
0040,A078 X       AuthorObserverSequence
0040,A07A X       ParticipantSequence
0040,A07C X       CustodialOrganizationSequence
0040,A082 Z       ParticipationDateTime
0040,A088 Z       VerifyingObserverIdentificationCodeSequence
0040,A110 X       DateOfDocumentOrVerbalTransactionTrial
0040,A112 X       TimeOfDocumentCreationOrVerbalTransactionTrial
0040,A120 D       DateTime
0040,A121 D       Date
0040,A122 D       Time
0040,A123 D       PersonName
0040,A124 U       UID
0040,A13A D       ReferencedDateTime
0040,A171 U       ObservationUID
0040,A172 U       ReferencedObservationUIDTrial
0040,A192 X       ObservationDateTrial
0040,A193 X       ObservationTimeTrial
0040,A307 X       CurrentObserverTrial
0040,A352 X       VerbalSourceTrial
0040,A353 X       AddressTrial
0040,A354 X       TelephoneNumberTrial
0040,A358 X       VerbalSourceIdentifierCodeSequenceTrial
0040,A402 U       ObservationSubjectUIDTrial
0040,A730 D       ContentSequence
0040,B034 X       AnnotationDateTime +
0040,B036 X       SegmentDefinitionDateTime +
0040,B03B X       MontageName +
0040,B03F X       MontageChannelLabel +
0040,DB06 X       TemplateVersion
0040,DB07 X       TemplateLocalVersion
0040,DB0C U       TemplateExtensionOrganizationUID
0040,DB0D U       TemplateExtensionCreatorUID
0040,E004 X       HL7DocumentEffectiveTime
0042,0011 D       EncapsulatedDocument
0044,0004 X       ApprovalStatusDateTime
0044,000B X       ProductExpirationDateTime
0044,0010 X       SubstanceAdministrationDateTime
0044,0104 D       AssertionDateTime
0044,0105 X       AssertionExpirationDateTime
0050,001B X       ContainerComponentID
0050,0020 X       DeviceDescription
0050,0021 X       LongDeviceDescription
0062,0021 U       TrackingUID
0064,0003 U       SourceFrameOfReferenceUID
0068,6226 D       EffectiveDateTime
0068,6270 D       InformationIssueDateTime
006A,0003 D       AnnotationGroupUID
006A,0005 D       AnnotationGroupLabel
006A,0006 X       AnnotationGroupDescription
0070,0001 D       GraphicAnnotationSequence
0070,0082 X       PresentationCreationDate
0070,0083 X       PresentationCreationTime
0070,0084 Z/D     ContentCreatorName
0070,0086 X       ContentCreatorIdentificationCodeSequence
0070,031A U       FiducialUID
0070,1101 U       PresentationDisplayCollectionUID
0070,1102 U       PresentationSequenceCollectionUID
0072,000A D       HangingProtocolCreationDateTime
0072,005E D       SelectorAEValue
0072,005F D       SelectorASValue
0072,0061 D       SelectorDAValue
0072,0063 D       SelectorDTValue
0072,0065 D       SelectorOBValue
0072,0066 D       SelectorLOValue
0072,0068 D       SelectorLTValue
0072,006A D       SelectorPNValue
0072,006B D       SelectorTMValue
0072,006C D       SelectorSHValue
0072,006D D       SelectorUNValue
0072,006E D       SelectorSTValue
0072,0070 D       SelectorUTValue
0072,0071 D       SelectorURValue
0074,1234 X       ReceivingAE
0074,1236 X       RequestingAE
0088,0140 U       StorageMediaFileSetUID
0088,0200 X       IconImageSequence
0088,0904 X       TopicTitle
0088,0906 X       TopicSubject
0088,0910 X       TopicAuthor
0088,0912 X       TopicKeywords
0100,0420 X       SOPAuthorizationDateTime
0400,0100 U       DigitalSignatureUID
0400,0105 D       DigitalSignatureDateTime
0400,0115 D       CertificateOfSigner
0400,0310 X       CertifiedTimestamp
0400,0402 X       ReferencedDigitalSignatureSequence
0400,0403 X       ReferencedSOPInstanceMACSequence
0400,0404 X       MAC
0400,0550 X       ModifiedAttributesSequence
0400,0551 X       NonconformingModifiedAttributesSequence
0400,0552 X       NonconformingDataElementValue
0400,0561 X       OriginalAttributesSequence
0400,0562 D       AttributeModificationDateTime
0400,0563 D       ModifyingSystem
0400,0564 Z       SourceOfPreviousValues
0400,0565 D       ReasonForTheAttributeModification
0400,0600 X       InstanceOriginStatus
2030,0020 X       TextString
2100,0040 X       CreationDate
2100,0050 X       CreationTime
2100,0070 X       Originator
2100,0140 D       DestinationAE
2200,0002 X/Z     LabelText
2200,0005 X/Z     BarcodeValue
3002,0121 X       PositionAcquisitionTemplateName
3002,0123 X       PositionAcquisitionTemplateDescription
3006,0002 D       StructureSetLabel
3006,0004 X       StructureSetName
3006,0006 X       StructureSetDescription
3006,0008 Z       StructureSetDate
3006,0009 Z       StructureSetTime
3006,0024 U       ReferencedFrameOfReferenceUID
3006,0026 Z       ROIName
3006,0028 X       ROIDescription
3006,002D X       ROIDateTime
3006,002E X       ROIObservationDateTime
3006,0038 X       ROIGenerationDescription
3006,004D X       ROICreatorSequence
3006,004E X       ROIInterpreterSequence
3006,0085 X       ROIObservationLabel
3006,0088 X       ROIObservationDescription
3006,00A6 Z       ROIInterpreter
3006,00C2 U       RelatedFrameOfReferenceUID
3008,0024 D       TreatmentControlPointDate
3008,0025 D       TreatmentControlPointTime
3008,0054 X/D     FirstTreatmentDate
3008,0056 X/D     MostRecentTreatmentDate
3008,0105 X/Z     SourceSerialNumber
3008,0162 D       SafePositionExitDate
3008,0164 D       SafePositionExitTime
3008,0166 D       SafePositionReturnDate
3008,0168 D       SafePositionReturnTime
3008,0250 X/D     TreatmentDate
3008,0251 X/D     TreatmentTime
300A,0002 D       RTPlanLabel
300A,0003 X       RTPlanName
300A,0004 X       RTPlanDescription
300A,0006 X/D     RTPlanDate
300A,0007 X/D     RTPlanTime
300A,000B X       TreatmentSites
300A,000E X       PrescriptionDescription
300A,0013 U       DoseReferenceUID
300A,0016 X       DoseReferenceDescription
300A,0054 U       TableTopPositionAlignmentUID
300A,0072 X       FractionGroupDescription
300A,0083 U       ReferencedDoseReferenceUID
300A,00B2 X/Z     TreatmentMachineName
300A,00C3 X       BeamDescription
300A,00DD X       BolusDescription
300A,0196 X       FixationDeviceDescription
300A,01A6 X       ShieldingDeviceDescription
300A,01B2 X       SetupTechniqueDescription
300A,0216 X       SourceManufacturer
300A,022C D       SourceStrengthReferenceDate
300A,022E D       SourceStrengthReferenceTime
300A,02EB X       CompensatorDescription
300A,0608 D       TreatmentPositionGroupLabel
300A,0609 U       TreatmentPositionGroupUID
300A,0611 Z       RTAccessoryHolderSlotID
300A,0615 Z       RTAccessoryDeviceSlotID
300A,0619 D       RadiationDoseIdentificationLabel
300A,0623 D       RadiationDoseInVivoMeasurementLabel
300A,062A D       RTToleranceSetLabel
300A,0650 U       PatientSetupUID
300A,0676 X       EquipmentFrameOfReferenceDescription
300A,067C D       RadiationGenerationModeLabel
300A,067D Z       RadiationGenerationModeDescription
300A,0700 U       TreatmentSessionUID
300A,0734 D       TreatmentToleranceViolationDescription
300A,0736 D       TreatmentToleranceViolationDateTime
300A,073A D       RecordedRTControlPointDateTime
300A,0741 D       InterlockDateTime
300A,0742 D       InterlockDescription
300A,0760 D       OverrideDateTime
300A,0783 D       InterlockOriginDescription
300A,0785 U       ReferencedTreatmentPositionGroupUID
300A,078E X       PatientTreatmentPreparationProcedureParameterDescription
300A,0792 X       PatientTreatmentPreparationMethodDescription
300A,0794 X       PatientSetupPhotoDescription
300A,079A X       DisplacementReferenceLabel
300C,0113 X       ReasonForOmissionDescription
300C,0127 D       BeamHoldTransitionDateTime
300E,0004 Z       ReviewDate
300E,0005 Z       ReviewTime
300E,0008 X/Z     ReviewerName
3010,0006 U       ConceptualVolumeUID
3010,000B U       ReferencedConceptualVolumeUID
3010,000F Z       ConceptualVolumeCombinationDescription
3010,0013 U       ConstituentConceptualVolumeUID
3010,0015 U       SourceConceptualVolumeUID
3010,0017 Z       ConceptualVolumeDescription
3010,001B Z       DeviceAlternateIdentifier
3010,002D D       DeviceLabel
3010,0031 U       ReferencedFiducialsUID
3010,0033 D       UserContentLabel
3010,0034 D       UserContentLongLabel
3010,0035 D       EntityLabel
3010,0036 X       EntityName
3010,0037 X       EntityDescription
3010,0038 D       EntityLongLabel
3010,003B U       RTTreatmentPhaseUID
3010,0043 Z       ManufacturerDeviceIdentifier
3010,004C X/D     IntendedPhaseStartDate
3010,004D X/D     IntendedPhaseEndDate
3010,0054 D       RTPrescriptionLabel
3010,0056 X/D     RTTreatmentApproachLabel
3010,005A Z       RTPhysicianIntentNarrative
3010,005C Z       ReasonForSuperseding
3010,0061 X       PriorTreatmentDoseDescription
3010,006E U       DosimetricObjectiveUID
3010,006F U       ReferencedDosimetricObjectiveUID
3010,0077 X/D     TreatmentSite
3010,007A Z       TreatmentTechniqueNotes
3010,007B Z       PrescriptionNotes
3010,007F Z       FractionationNotes
3010,0081 Z       PrescriptionNotesSequence
3010,0085 X       IntendedFractionStartTime
4000,0010 X       Arbitrary
4000,4000 X       TextComments
4008,0040 X       ResultsID
4008,0042 X       ResultsIDIssuer
4008,0100 X       InterpretationRecordedDate
4008,0101 X       InterpretationRecordedTime
4008,0102 X       InterpretationRecorder
4008,0108 X       InterpretationTranscriptionDate
4008,0109 X       InterpretationTranscriptionTime
4008,010A X       InterpretationTranscriber
4008,010B X       InterpretationText
4008,010C X       InterpretationAuthor
4008,0111 X       InterpretationApproverSequence
4008,0112 X       InterpretationApprovalDate
4008,0113 X       InterpretationApprovalTime
4008,0114 X       PhysicianApprovingInterpretation
4008,0115 X       InterpretationDiagnosisDescription
4008,0118 X       ResultsDistributionListSequence
4008,0119 X       DistributionName
4008,011A X       DistributionAddress
4008,0200 X       InterpretationID
4008,0202 X       InterpretationIDIssuer
4008,0300 X       Impressions
4008,4000 X       ResultsComments
FFFA,FFFA X       DigitalSignaturesSequence
FFFC,FFFC X       DataSetTrailingPadding
"""


def _parse(text: str) -> tuple[dict[int, tuple[str, str]], frozenset[int]]:
    rows: dict[int, tuple[str, str]] = {}
    newer = set()
    for line in text.strip().splitlines():
        tag, action, keyword, *mark = line.split()
        group, element = tag.split(",")
        if action not in ACTIONS:  # pragma: no cover - guarded by tests
            raise ValueError(f"unknown action {action!r} for {tag}")
        value = (int(group, 16) << 16) | int(element, 16)
        rows[value] = (action, keyword)
        if mark == ["+"]:
            newer.add(value)
    return rows, frozenset(newer)


#: tag (int, ``0xGGGGEEEE``) -> (action code, keyword), for every row of the table.
BASIC_PROFILE: dict[int, tuple[str, str]]
#: The rows whose attribute pydicom 3.0's data dictionary does not know yet.
NEWER_THAN_PYDICOM: frozenset[int]
BASIC_PROFILE, NEWER_THAN_PYDICOM = _parse(_TABLE)

_RESOLVED = {
    "D": "D",
    "Z": "Z",
    "X": "X",
    "U": "U",
    "X/Z": "Z",
    "X/D": "D",
    "Z/D": "D",
    "X/Z/D": "D",
    "X/Z/U*": "U*",
}


def action_for(tag: int) -> str | None:
    """The basic profile's action code for one tag, or None when the table does not list it.

    Covers the table's rows and its patterns: curve data (50xx,xxxx), overlay
    data (60xx,3000) and comments (60xx,4000), private attributes (odd group).

    Parameters
    ----------
    tag : int
        ``0xGGGGEEEE`` (a ``pydicom.tag.BaseTag`` is an int).

    Returns
    -------
    str or None
        One of :data:`ACTIONS`.

    Examples
    --------
    >>> action_for(0x00100010)   # Patient's Name
    'Z'
    >>> action_for(0x60023000)   # Overlay Data, any repeating group
    'X'
    >>> action_for(0x00280010) is None   # Rows: kept
    True
    """
    row = BASIC_PROFILE.get(int(tag))
    if row is not None:
        return row[0]
    group, element = int(tag) >> 16, int(tag) & 0xFFFF
    if group & 1:
        return "X"
    if 0x5000 <= group <= 0x50FF and group % 2 == 0:
        return "X"
    if 0x6000 <= group <= 0x60FF and group % 2 == 0 and element in (0x3000, 0x4000):
        return "X"
    return None


def resolve(action: str) -> str:
    """The single action pybridge applies for a (possibly compound) action code.

    Returns one of ``'X'`` (remove), ``'Z'`` (empty), ``'D'`` (dummy),
    ``'U'`` (new UID) and ``'U*'`` (keep the sequence, replace the UIDs in it).

    Examples
    --------
    >>> resolve("X/Z"), resolve("X/Z/D"), resolve("X/Z/U*")
    ('Z', 'D', 'U*')
    """
    try:
        return _RESOLVED[action]
    except KeyError:
        raise ValueError(f"unknown action code {action!r}; expected one of {ACTIONS}") from None
