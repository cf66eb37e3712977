"""Reading a scheduling model from a file: `read_model` picks the reader by the format's name
or the file's extension.

- the job shop (.txt, .jss, .jsp): our own reader (smtsched.sched.text_formats);
- the project-scheduling formats (.sm, .mm, .sch, .rcp, .rcmp, .msrcp and the others psplib
  parses): through the psplib package (smtsched.sched.psplib_formats);
- the flexible job shop (.fjs, FJSPLIB): our own reader (smtsched.sched.fjs_format).

Every problem with a file is a FormatError naming it (and the line and column where known),
never a traceback.
"""
import os

from .fjs_format import read_fjs
from .psplib_formats import EXTENSIONS, PSPLIB_FORMATS, read_psplib_format
from .text_formats import FormatError, read_jobshop, read_psplib

__all__ = ["FormatError", "format_of", "read_jobshop", "read_model", "read_psplib",
           "schedule_formats"]

# the extensions of the job-shop layout; the project-scheduling ones are in
# psplib_formats.EXTENSIONS (.sm, .mm, .sch, .rcp, .rcmp, .msrcp)
JOBSHOP_EXTENSIONS = (".txt", ".jss", ".jsp")


def schedule_formats():
    """The names `read_model` takes: "jobshop", "fjs" and the psplib formats."""
    return ["jobshop", "fjs"] + list(PSPLIB_FORMATS)


def format_of(path):
    """The format of `path` by its extension, or None."""
    extension = os.path.splitext(path)[1].lower()
    if extension in JOBSHOP_EXTENSIONS:
        return "jobshop"
    if extension == ".fjs":
        return "fjs"
    return EXTENSIONS.get(extension)


def read_model(path, format=None):
    """A model from a file; the format from `format` ("jobshop", "fjs", or a psplib format:
    "psplib", "patterson", "rcpsp_max", "mplib", "aslib", "rcpsp_ps", "mslib") or the
    extension (.txt/.jss/.jsp: job shop; .fjs: flexible job shop; .sm/.mm: PSPLIB; .sch:
    RCPSP/max; .rcp: Patterson; .rcmp: MPLIB; .msrcp: MSLIB). The job shops are read by our
    own readers, every other format by the psplib package (smtsched.sched.psplib_formats)."""
    names = ", ".join(schedule_formats())
    if format is None:
        format = format_of(path)
        if format is None:
            raise FormatError(path, 0, f"unknown file type: use --format ({names})")
    if format == "jobshop":
        return read_jobshop(path)
    if format == "fjs":
        return read_fjs(path)
    if format in PSPLIB_FORMATS:
        return read_psplib_format(path, format)
    raise FormatError(path, 0, f"unknown format {format!r} ({names})")
