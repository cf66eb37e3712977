"""The scheduling formats `smtsched solve` reads, by name and by extension, in one place for
the command line and `smtsched batch` (written out here so that neither needs to import the
scheduling package to parse its arguments; tests/test_psplib_formats.py checks the lists
against smtsched.sched.formats)."""

SCHEDULE_FORMATS = ["jobshop", "fjs", "psplib", "patterson", "rcpsp_max", "mplib", "aslib",
                    "rcpsp_ps", "mslib"]
SCHEDULE_EXTENSIONS = (".txt", ".jss", ".jsp", ".fjs", ".sm", ".mm", ".sch", ".rcp", ".rcmp",
                       ".msrcp")
