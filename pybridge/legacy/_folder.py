"""placeholder while the folder batch is written"""
FolderSummary = read_rois = run_folder = None
