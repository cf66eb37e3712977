"""Reading graph files: the format from the name (or `format=`), then that format's reader.

Formats read by `load_graph` (`format=` or from the extension):

- ``onnx``     (.onnx)  ONNX models, with shape inference and constant folding
                        (`smtsched.dnn.onnx_import`; needs the optional `onnx` package);
- ``json``     (.json)  our plain JSON DAG format (`smtsched.dnn.json_format`);
- ``moccasin`` (.json)  networkx node-link JSON as in the Moccasin / Checkmate data
                        (`smtsched.dnn.moccasin`); detected automatically for .json files;
- ``gml``      (.gml)   GML graphs such as the differentiable-scheduler data
                        (`smtsched.dnn.gml`).

The readers build `Graph`s (smtsched.dnn.graph) and import nothing from here, so the graph
data, the readers and this dispatch form no import circle.
"""
import os

from .gml import load_gml
from .graph import Graph, GraphError
from .json_format import graph_from_json, load_json
from .onnx_import import load_onnx

FORMATS = ("onnx", "json", "moccasin", "gml")

__all__ = ["FORMATS", "detect_format", "graph_from_json", "load_graph"]


def detect_format(path, format=None):
    """The format name for `path`: `format` if given, else from the extension (for .json files
    the content tells our format from Moccasin's node-link JSON)."""
    if format is not None:
        if format not in FORMATS:
            raise GraphError(f"unknown graph format {format!r} (one of {', '.join(FORMATS)})",
                             path)
        return format
    extension = os.path.splitext(str(path))[1].lower()
    if extension == ".onnx":
        return "onnx"
    if extension == ".gml":
        return "gml"
    if extension == ".json":
        return "json"  # refined to "moccasin" by the JSON reader from the content
    raise GraphError(f"unknown graph file type {extension or '(no extension)'!r}: "
                     f"use format= one of {', '.join(FORMATS)}", path)


def load_graph(path, format=None, *, dims=None) -> Graph:
    """Read a graph file. `format`: "onnx", "json", "moccasin" or "gml"; by default from the
    extension (.onnx, .json - ours or Moccasin's, told apart by the content -, .gml).

    `dims` (ONNX only) binds symbolic dimensions by name, e.g. {"batch": 8}.
    """
    path = os.fspath(path)
    explicit = format
    format = detect_format(path, format)
    if dims is not None and format != "onnx":
        raise GraphError("dims= applies to ONNX models only", path)
    if format == "onnx":
        return load_onnx(path, dims=dims)
    if format == "gml":
        return load_gml(path)
    return load_json(path, expect=explicit)  # ours or Moccasin's (told by the content)
