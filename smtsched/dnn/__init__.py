"""Exact scheduling of neural-network graphs onto accelerators.

The input side: `load_graph` reads a computation graph (ONNX, our JSON, Moccasin node-link JSON,
GML) into a `Graph` of `Operator`s and activation `Tensor`s; `load_accelerator` reads the
description of an accelerator (its units, memory and operator latencies). File formats:
docs/dnn-formats.md. `DnnProblem` turns both into a scheduling model (latency or peak memory,
under a memory budget) and `DnnProblem.solve` returns a checked `DnnSchedule`.
"""
from .accelerator import Accelerator, AcceleratorError, load_accelerator, parse_bytes
from .graph import Graph, GraphError, Operator, Tensor, build_graph
from .load import graph_from_json, load_graph
from .problem import OBJECTIVES, DnnProblem, DnnProblemError
from .schedule import DnnSchedule, memory_profile

__all__ = [
    "Accelerator", "AcceleratorError", "DnnProblem", "DnnProblemError", "DnnSchedule", "Graph",
    "GraphError", "OBJECTIVES", "Operator", "Tensor", "build_graph", "graph_from_json",
    "load_accelerator", "load_graph", "memory_profile", "parse_bytes",
]
