"""GPT-like transformer graphs for the DNN tests: `bench.graphs.gpt` (the generator of issue 16,
which also makes training and wide variants), under the names the tests have used.

Each block has 13 operators for the shared part and 7 per attention head (Slice of Q, K and V,
Transpose, MatMul, Softmax, MatMul): 41 with 4 heads, so 48 blocks are 1,968 operators. (This
docstring said 37 + 7 per head before issue 16, which gives 65 with 4 heads, not 41.)
(bench.graphs.gpt writes, byte for byte, the model this module built before it moved there;
tests/test_graph_generator.py pins that.)
"""
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _graphs():
    """bench.graphs, imported from the checkout root without leaving the root on sys.path
    (there the source folder smtsched/, without the compiled theories, would shadow the
    installed package; bench/__init__.py takes it off too)."""
    if "bench.graphs" not in sys.modules:
        sys.path.insert(0, _ROOT)
        try:
            import bench.graphs  # noqa: F401
        finally:
            sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _ROOT]
    return sys.modules["bench.graphs"]


def gpt_model(blocks, heads=4, seq=64, width=128):
    """An onnx ModelProto: `blocks` pre-norm transformer blocks on a [seq, width] input."""
    return _graphs().gpt(blocks, heads=heads, seq=seq, width=width)


def write_gpt(path, blocks, heads=4, seq=64, width=128):
    import onnx
    onnx.save(gpt_model(blocks, heads, seq, width), str(path))
    return str(path)
