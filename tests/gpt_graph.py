"""GPT-like transformer graphs built with onnx.helper, for the DNN tests (a fuller generator,
with training and wide variants, is planned for bench/ in issue 16).

Each block has 37 + 0 operators for the shared part and 7 per attention head (Slice of Q, K
and V, Transpose, MatMul, Softmax, MatMul): 41 with 4 heads, so 48 blocks are 1,968 operators.
"""
import numpy as np


def gpt_model(blocks, heads=4, seq=64, width=128):
    """An onnx ModelProto: `blocks` pre-norm transformer blocks on a [seq, width] input."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    head = width // heads

    def weight(name, shape):
        inits.append(numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name))
        return name

    def const(name, values):
        inits.append(numpy_helper.from_array(np.array(values, dtype=np.int64), name))
        return name

    def node(kind, inputs, output, **attrs):
        nodes.append(helper.make_node(kind, inputs, [output], name=output, **attrs))
        return output

    const("axis1", [1])
    x = "x"
    for b in range(blocks):
        p = f"b{b}_"
        ln1 = node("LayerNormalization", [x, weight(p + "g1", [width]), weight(p + "c1", [width])],
                   p + "ln1", axis=-1)
        q = node("MatMul", [ln1, weight(p + "wq", [width, width])], p + "q")
        k = node("MatMul", [ln1, weight(p + "wk", [width, width])], p + "k")
        v = node("MatMul", [ln1, weight(p + "wv", [width, width])], p + "v")
        qs = node("Mul", [q, weight(p + "scale", [1])], p + "qs")
        outs = []
        for h in range(heads):
            lo, hi = const(f"{p}lo{h}", [h * head]), const(f"{p}hi{h}", [(h + 1) * head])
            qh = node("Slice", [qs, lo, hi, "axis1"], f"{p}q{h}")
            kh = node("Slice", [k, lo, hi, "axis1"], f"{p}k{h}")
            vh = node("Slice", [v, lo, hi, "axis1"], f"{p}v{h}")
            kt = node("Transpose", [kh], f"{p}kt{h}", perm=[1, 0])
            scores = node("MatMul", [qh, kt], f"{p}s{h}")
            probs = node("Softmax", [scores], f"{p}p{h}", axis=-1)
            outs.append(node("MatMul", [probs, vh], f"{p}o{h}"))
        cat = node("Concat", outs, p + "cat", axis=1)
        proj = node("MatMul", [cat, weight(p + "wo", [width, width])], p + "proj")
        r1 = node("Add", [x, proj], p + "r1")
        ln2 = node("LayerNormalization", [r1, weight(p + "g2", [width]), weight(p + "c2", [width])],
                   p + "ln2", axis=-1)
        f1 = node("MatMul", [ln2, weight(p + "w1", [width, 4 * width])], p + "f1")
        g = node("Relu", [f1], p + "g")
        f2 = node("MatMul", [g, weight(p + "w2", [4 * width, width])], p + "f2")
        x = node("Add", [r1, f2], p + "out")
    graph = helper.make_graph(
        nodes, "gpt", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [seq, width])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [seq, width])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def write_gpt(path, blocks, heads=4, seq=64, width=128):
    import onnx
    onnx.save(gpt_model(blocks, heads, seq, width), str(path))
    return str(path)
