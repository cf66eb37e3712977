"""Neural-network graphs of a chosen size, as ONNX models built with `onnx.helper` (issue 16):
the DNN benchmarks and tests need graphs of thousands of operators whose shape is known and
whose size is a parameter, and real exported models come in a few fixed sizes only.

    python -m bench.graphs gpt --blocks 48 --out gpt48.onnx
    python -m bench.graphs training --blocks 12 --out train12.onnx
    python -m bench.graphs wide --stages 8 --branches 4 --out wide8.onnx
    python -m bench.graphs unet --levels 4 --out unet4.onnx

Each writes the file and prints its numbers of operators and activation tensors (what
`smtsched.dnn.load_graph` makes of it: every node is an operator, every node output and the
graph inputs are its tensors, the initializers are weights). Weights are zeros (only their
shapes matter to a scheduler), so the models are deterministic: the same arguments give the
same bytes. Opset 17, float32 throughout.

The variants and what each one is for:

- `gpt(blocks, heads=4, seq=64, width=128)`: a GPT-like decoder, pre-norm transformer blocks
  on a [seq, width] input, attention decomposed per head into Slice/Transpose/MatMul/Softmax.
  Long chains of blocks with a little parallelism inside each (the heads, the Q/K/V
  projections): the size test of latency scheduling. Operators per block: 13 + 7 * heads
  (LayerNormalization, three MatMuls and a Mul for Q, K, V; per head three Slices, Transpose,
  MatMul, Softmax, MatMul; Concat, MatMul, Add, LayerNormalization, MatMul, Relu, MatMul,
  Add): 41 with 4 heads, so 48 blocks = 1,968 and 192 blocks = 7,872 operators; tensors =
  operators + 1 (the input x).
- `gpt_training(blocks, heads=4, seq=64, width=128)`: the same forward pass with the
  LayerNormalizations' Mean and InvStdDev kept, a root-mean-square loss against a `target`
  input, then the backward pass in plain ONNX ops: Gemm with transA/transB for the gradients
  of MatMuls, Greater and Where for ReLU's, the softmax's and layer norms' gradients written
  out (the layer norm's as PyTorch's backward kernel computes it). Each gradient reads the
  forward activations it needs (a MatMul's weight gradient reads the MatMul's input, ReLU's
  its output, a softmax's its probabilities, a layer norm's its input, Mean and InvStdDev),
  and the backward pass starts from the gradient of the loss, which reads the loss (d sqrt(m)
  = 1 / (2 sqrt(m))): every backward operator but ReLU's masks comes after the loss, so every
  kept activation is a buffer live from its forward producer across the loss to its backward
  reader, as in training. The gradients are the true ones (tests/test_graph_generator.py
  compares them with finite differences). Outputs: the loss, the gradient of every weight
  (grad_b<k>_wq, _wk, _wv, _wo, _w1, _w2, and the layer norms' scales and biases _g1, _c1,
  _g2, _c2) and of the input (grad_b0_dx, what an embedding's backward would read).
  Operators: forward as `gpt` (13 + 7 * heads per block), backward 67 + 9 * heads per block
  (144 in all per block with 4 heads), plus 6 for the loss (4) and its gradient (2): 12 blocks
  = 1,734, 48 blocks = 6,918. Tensors = operators + 4 * blocks (the layer norms' Mean and
  InvStdDev) + (heads - 1) * blocks (Split's other outputs) + 2 (the inputs x and target):
  1,820 for 12 blocks.
- `wide(stages, branches=4, channels=64, size=28)`: Inception-like stages on a
  [1, channels, size, size] image: per stage `branches` parallel branches of different depth
  and op mix, concatenated on the channels: branch 0 a 1x1 Conv and Relu, branch j (0 < j <
  branches - 1) a 1x1 Conv and Relu then j pairs of 3x3 Conv and Relu, the last branch a 3x3
  MaxPool, a 1x1 Conv and Relu. Many operators ready at once for one tensor core and two
  vector units, and branch outputs waiting for the Concat: parallelism and memory both
  matter. Operators per stage: branches ** 2 - branches + 4 for 2 branches or more (16 with
  4 branches, 10 with 3, 6 with 2; 3 with one); tensors = operators + 1.
- `unet(levels, channels=16, size=64)`: a U-Net: per level two 3x3 Conv + Relu and a 2x2
  MaxPool down, a bottom of two Conv + Relu, per level up a 2x2 stride-2 ConvTranspose, a Concat
  with the encoder's output of that level and two Conv + Relu, then a 1x1 Conv. The skip
  tensors stay live across the whole middle of the network: peak memory depends on the order.
  Operators: 11 * levels + 5; tensors = operators + 1.

Counts are measured by tests/test_graph_generator.py (ONNX nodes and what smtsched imports).
"""
import argparse
import sys
import time

import numpy as np

OPSET = 17


class _Builder:
    """Nodes and zero-valued initializers, written straight into one ModelProto in the order
    they are made (the file's order, a topological one). Built in place because the weights
    of 192 GPT blocks are 151 MB: onnx.helper's make_graph and make_model would copy them
    twice more. The model is the one helper.make_model(helper.make_graph(...)) makes."""

    def __init__(self):
        import onnx
        from onnx import helper
        self.helper = helper
        self.model_proto = onnx.ModelProto()
        self.model_proto.ir_version = onnx.IR_VERSION   # as helper.make_model sets it
        self.graph = self.model_proto.graph
        self.FLOAT = onnx.TensorProto.FLOAT
        self._zeros = {}

    def weight(self, name, shape):
        """A float32 initializer of zeros (only its shape matters here), as
        numpy_helper.from_array writes it."""
        shape = tuple(shape)
        if shape not in self._zeros:
            self._zeros[shape] = bytes(4 * int(np.prod(shape, dtype=np.int64)))
        tensor = self.graph.initializer.add()
        tensor.dims.extend(shape)
        tensor.data_type = self.FLOAT
        tensor.name = name
        tensor.raw_data = self._zeros[shape]
        return name

    def const(self, name, values, dtype=np.int64):
        from onnx import numpy_helper
        self.graph.initializer.append(numpy_helper.from_array(np.array(values, dtype=dtype),
                                                              name))
        return name

    def node(self, kind, inputs, output, **attrs):
        """A node named after its (first) output; `output` is a name or a list of names."""
        outputs = [output] if isinstance(output, str) else list(output)
        self.graph.node.append(self.helper.make_node(kind, inputs, outputs, name=outputs[0],
                                                     **attrs))
        return output

    def model(self, name, inputs, outputs):
        """inputs, outputs: [(name, shape)], float32."""
        helper, graph = self.helper, self.graph
        graph.name = name
        for target, entries in ((graph.input, inputs), (graph.output, outputs)):
            target.extend(helper.make_tensor_value_info(n, self.FLOAT, list(s))
                          for n, s in entries)
        self.model_proto.opset_import.append(helper.make_opsetid("", OPSET))
        return self.model_proto


# -- GPT-like ------------------------------------------------------------------------------

def _check_gpt(blocks, heads, seq, width):
    for label, value in (("blocks", blocks), ("heads", heads), ("seq", seq), ("width", width)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{label} must be an integer >= 1, not {value!r}")
    if width % heads:
        raise ValueError(f"width {width} is not a multiple of heads {heads}")


def _gpt_block(g, b, x, heads, width, keep_stats):
    """One pre-norm transformer block reading `x` ([seq, width]); returns its output and the
    names the backward pass reads. With `keep_stats` the layer norms also output their Mean and
    InvStdDev (as training frameworks keep them)."""
    p = f"b{b}_"
    head = width // heads

    def layer_norm(x, k):
        gamma = g.weight(f"{p}g{k}", [width])
        beta = g.weight(f"{p}c{k}", [width])
        out = f"{p}ln{k}"
        outputs = [out, f"{p}mean{k}", f"{p}istd{k}"] if keep_stats else out
        g.node("LayerNormalization", [x, gamma, beta], outputs, axis=-1)
        return out, gamma

    ln1, g1 = layer_norm(x, 1)
    wq, wk, wv = (g.weight(p + n, [width, width]) for n in ("wq", "wk", "wv"))
    q = g.node("MatMul", [ln1, wq], p + "q")
    k = g.node("MatMul", [ln1, wk], p + "k")
    v = g.node("MatMul", [ln1, wv], p + "v")
    scale = g.weight(p + "scale", [1])
    qs = g.node("Mul", [q, scale], p + "qs")
    per_head = []
    for h in range(heads):
        lo, hi = g.const(f"{p}lo{h}", [h * head]), g.const(f"{p}hi{h}", [(h + 1) * head])
        qh = g.node("Slice", [qs, lo, hi, "axis1"], f"{p}q{h}")
        kh = g.node("Slice", [k, lo, hi, "axis1"], f"{p}k{h}")
        vh = g.node("Slice", [v, lo, hi, "axis1"], f"{p}v{h}")
        kt = g.node("Transpose", [kh], f"{p}kt{h}", perm=[1, 0])
        scores = g.node("MatMul", [qh, kt], f"{p}s{h}")
        probs = g.node("Softmax", [scores], f"{p}p{h}", axis=-1)
        per_head.append({"q": qh, "kt": kt, "v": vh, "p": probs})
        g.node("MatMul", [probs, vh], f"{p}o{h}")
    cat = g.node("Concat", [f"{p}o{h}" for h in range(heads)], p + "cat", axis=1)
    wo = g.weight(p + "wo", [width, width])
    proj = g.node("MatMul", [cat, wo], p + "proj")
    r1 = g.node("Add", [x, proj], p + "r1")
    ln2, g2 = layer_norm(r1, 2)
    w1 = g.weight(p + "w1", [width, 4 * width])
    f1 = g.node("MatMul", [ln2, w1], p + "f1")
    relu = g.node("Relu", [f1], p + "g")
    w2 = g.weight(p + "w2", [4 * width, width])
    f2 = g.node("MatMul", [relu, w2], p + "f2")
    out = g.node("Add", [r1, f2], p + "out")
    saved = {"x": x, "ln1": ln1, "g1": g1, "wq": wq, "wk": wk, "wv": wv, "scale": scale,
             "heads": per_head, "cat": cat, "wo": wo, "r1": r1, "ln2": ln2, "g2": g2,
             "w1": w1, "relu": relu, "w2": w2}
    return out, saved


def gpt(blocks, heads=4, seq=64, width=128):
    """A GPT-like forward graph (see the module docstring): an onnx ModelProto with input x
    [seq, width] and output the last block's [seq, width]."""
    _check_gpt(blocks, heads, seq, width)
    g = _Builder()
    g.const("axis1", [1])
    x = "x"
    for b in range(blocks):
        x, _ = _gpt_block(g, b, x, heads, width, keep_stats=False)
    return g.model("gpt", [("x", [seq, width])], [(x, [seq, width])])


def gpt_training(blocks, heads=4, seq=64, width=128):
    """A GPT-like training step (see the module docstring): forward, root-mean-square loss
    against the input `target`, backward. Outputs: "loss", the weight gradients
    ("grad_b<k>_<weight>") and the input's, "grad_b0_dx". Forward operators are named
    "b<k>_...", the loss's "loss...", backward ones "grad_..."."""
    _check_gpt(blocks, heads, seq, width)
    g = _Builder()
    g.const("axis1", [1])
    g.const("axes0", [0])
    g.const("axes_last", [-1])
    g.weight("zero", [])  # the 0 of ReLU's gradient
    x = "x"
    saved = []
    for b in range(blocks):
        x, kept = _gpt_block(g, b, x, heads, width, keep_stats=True)
        saved.append(kept)
    # loss = sqrt(mean((y - target)^2)); its gradient (y - target) / (n * loss) reads the loss
    diff = g.node("Sub", [x, "target"], "loss_diff")
    square = g.node("Mul", [diff, diff], "loss_sq")
    mean = g.node("ReduceMean", [square], "loss_mean", keepdims=0)
    loss = g.node("Sqrt", [mean], "loss")
    g.const("count", float(seq * width), dtype=np.float32)
    denominator = g.node("Mul", [loss, "count"], "grad_den")
    grad = g.node("Div", [diff, denominator], "grad_y")
    outputs = [("loss", [])]
    for b in reversed(range(blocks)):
        grad = _gpt_block_backward(g, b, grad, saved[b], width, outputs)
    outputs.append((grad, [seq, width]))   # grad_b0_dx, what the embedding's backward reads
    return g.model("gpt_training", [("x", [seq, width]), ("target", [seq, width])], outputs)


def _gpt_block_backward(g, b, dout, s, width, outputs):
    """The backward pass of block b: from the gradient of its output to the gradient of its
    input; weight gradients are appended to `outputs`."""
    p = f"grad_b{b}_"

    def weight_grad(name, inputs, shape, **attrs):
        out = g.node("Gemm", inputs, f"grad_b{b}_{name}", **attrs)
        outputs.append((out, shape))
        return out

    def layer_norm_backward(x, dy, k, gamma):
        """The gradient of y = (x - mean) * istd * gamma + beta as PyTorch's layer-norm
        backward kernel computes it, from two row means that read the gradient first
        (so that no step can run before the loss, as none of the fused kernel can):
            dxh = dy * gamma, s1 = mean(dxh), e = mean(dxh * x),
            b = (s1 * mean - e) * istd^3,  dx = istd * dxh + b * x - (b * mean + s1 * istd);
        the scale's gradient sums (dy * x - dy * mean) * istd over the rows, the bias's dy."""
        q = f"{p}ln{k}_"
        mean, istd = f"b{b}_mean{k}", f"b{b}_istd{k}"

        def op(kind, inputs, name, **attrs):
            return g.node(kind, inputs, q + name, **attrs)
        dxhat = op("Mul", [dy, gamma], "dxh")
        s1 = op("ReduceMean", [dxhat], "s1", axes=[-1], keepdims=1)
        e = op("ReduceMean", [op("Mul", [dxhat, x], "dxhx")], "e", axes=[-1], keepdims=1)
        cov = op("Sub", [op("Mul", [s1, mean], "s1m"), e], "cov")
        r2 = op("Mul", [cov, istd], "r1")
        r2 = op("Mul", [r2, istd], "r2")
        coef = op("Mul", [r2, istd], "coef")
        shift = op("Add", [op("Mul", [coef, mean], "bm"), op("Mul", [s1, istd], "s1i")],
                   "shift")
        scaled = op("Add", [op("Mul", [dxhat, istd], "dxhi"), op("Mul", [coef, x], "bx")],
                    "sum")
        dx = op("Sub", [scaled, shift], "dx")
        centred = op("Sub", [op("Mul", [dy, x], "dyx"), op("Mul", [dy, mean], "dym")], "dyc")
        normed = op("Mul", [centred, istd], "dyxh")
        for name, source in ((f"g{k}", normed), (f"c{k}", dy)):
            out = g.node("ReduceSum", [source, "axes0"], f"grad_b{b}_{name}", keepdims=0)
            outputs.append((out, [width]))
        return dx

    # out = r1 + relu(ln2(r1) @ w1) @ w2
    drelu = g.node("Gemm", [dout, s["w2"]], p + "drelu", transB=1)
    weight_grad("w2", [s["relu"], dout], [4 * width, width], transA=1)
    # (the mask reads only the forward output: the one backward step free to run before the
    # loss; the weight gradient above keeps the output live across the loss anyway)
    mask = g.node("Greater", [s["relu"], "zero"], p + "mask")
    df1 = g.node("Where", [mask, drelu, "zero"], p + "df1")
    dln2 = g.node("Gemm", [df1, s["w1"]], p + "dln2", transB=1)
    weight_grad("w1", [s["ln2"], df1], [width, 4 * width], transA=1)
    dr1_norm = layer_norm_backward(s["r1"], dln2, 2, s["g2"])
    dr1 = g.node("Add", [dout, dr1_norm], p + "dr1")
    # r1 = x + concat(heads) @ wo
    dcat = g.node("Gemm", [dr1, s["wo"]], p + "dcat", transB=1)
    weight_grad("wo", [s["cat"], dr1], [width, width], transA=1)
    douts = g.node("Split", [dcat], [f"{p}do{h}" for h in range(len(s["heads"]))], axis=1)
    dq, dk, dv = [], [], []
    for h, (hs, do) in enumerate(zip(s["heads"], douts)):
        q = f"{p}h{h}_"
        # o = probs @ v
        dprobs = g.node("Gemm", [do, hs["v"]], q + "dp", transB=1)
        dv.append(g.node("Gemm", [hs["p"], do], q + "dv", transA=1))
        # probs = softmax(scores): dscores = probs * (dprobs - rowsum(dprobs * probs))
        product = g.node("Mul", [dprobs, hs["p"]], q + "pd")
        rowsum = g.node("ReduceSum", [product, "axes_last"], q + "rs", keepdims=1)
        centred = g.node("Sub", [dprobs, rowsum], q + "dd")
        dscores = g.node("Mul", [hs["p"], centred], q + "ds")
        # scores = q @ kt, kt = transpose(k)
        dq.append(g.node("Gemm", [dscores, hs["kt"]], q + "dq", transB=1))
        dkt = g.node("Gemm", [hs["q"], dscores], q + "dkt", transA=1)
        dk.append(g.node("Transpose", [dkt], q + "dk", perm=[1, 0]))
    dqs = g.node("Concat", dq, p + "dqs", axis=1)
    dkc = g.node("Concat", dk, p + "dk", axis=1)
    dvc = g.node("Concat", dv, p + "dv", axis=1)
    dqc = g.node("Mul", [dqs, s["scale"]], p + "dq")
    # q, k, v = ln1 @ wq, wk, wv
    parts = []
    for name, d in (("wq", dqc), ("wk", dkc), ("wv", dvc)):
        weight_grad(name, [s["ln1"], d], [width, width], transA=1)
        parts.append(g.node("Gemm", [d, s[name]], f"{p}dln1_{name[1]}", transB=1))
    dln1 = g.node("Add", parts[:2], p + "dln1_qk")
    dln1 = g.node("Add", [dln1, parts[2]], p + "dln1")
    dx_norm = layer_norm_backward(s["x"], dln1, 1, s["g1"])
    return g.node("Add", [dr1, dx_norm], p + "dx")


# -- wide: Inception-like and U-Net ------------------------------------------------------------

def _check_positive(**values):
    for label, value in values.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{label} must be an integer >= 1, not {value!r}")


def wide(stages, branches=4, channels=64, size=28):
    """Inception-like stages (see the module docstring) on an input x [1, channels, size,
    size]; every stage keeps that shape."""
    _check_positive(stages=stages, branches=branches, channels=channels, size=size)
    if channels % branches:
        raise ValueError(f"channels {channels} is not a multiple of branches {branches}")
    width = channels // branches
    g = _Builder()
    x = "x"
    for s in range(stages):
        ends = []
        for j in range(branches):
            p = f"s{s}_br{j}_"
            pool = j == branches - 1 and branches > 1
            y = x
            if pool:
                y = g.node("MaxPool", [y], p + "pool", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                           strides=[1, 1])
            y = g.node("Conv", [y, g.weight(p + "w0", [width, channels, 1, 1])], p + "conv0")
            y = g.node("Relu", [y], p + "relu0")
            for d in range(1, (0 if pool else j) + 1):   # branch j: j pairs of 3x3
                w = g.weight(f"{p}w{d}", [width, width, 3, 3])
                y = g.node("Conv", [y, w], f"{p}conv{d}", pads=[1, 1, 1, 1])
                y = g.node("Relu", [y], f"{p}relu{d}")
            ends.append(y)
        x = g.node("Concat", ends, f"s{s}_cat", axis=1)
    shape = [1, channels, size, size]
    return g.model("wide", [("x", shape)], [(x, shape)])


def unet(levels, channels=16, size=64):
    """A U-Net (see the module docstring) on x [1, channels, size, size]; size must be a
    multiple of 2 ** levels. Channels double at every level down."""
    _check_positive(levels=levels, channels=channels, size=size)
    if size % (1 << levels):
        raise ValueError(f"size {size} is not a multiple of 2 ** levels = {1 << levels}")
    g = _Builder()

    def double_conv(x, c_in, c_out, p):
        y = g.node("Conv", [x, g.weight(p + "wa", [c_out, c_in, 3, 3])], p + "conva",
                   pads=[1, 1, 1, 1])
        y = g.node("Relu", [y], p + "relua")
        y = g.node("Conv", [y, g.weight(p + "wb", [c_out, c_out, 3, 3])], p + "convb",
                   pads=[1, 1, 1, 1])
        return g.node("Relu", [y], p + "relub")

    x, c = "x", channels
    skips = []
    for level in range(levels):
        y = double_conv(x, c, channels << level, f"down{level}_")
        skips.append((y, channels << level))
        x = g.node("MaxPool", [y], f"down{level}_pool", kernel_shape=[2, 2], strides=[2, 2])
        c = channels << level
    x = double_conv(x, c, channels << levels, "bottom_")
    c = channels << levels
    for level in reversed(range(levels)):
        p = f"up{level}_"
        skip, c_skip = skips[level]
        up = g.node("ConvTranspose", [x, g.weight(p + "wt", [c, c_skip, 2, 2])], p + "upconv",
                    kernel_shape=[2, 2], strides=[2, 2])
        cat = g.node("Concat", [up, skip], p + "cat", axis=1)
        x = double_conv(cat, 2 * c_skip, c_skip, p)
        c = c_skip
    y = g.node("Conv", [x, g.weight("head_w", [1, c, 1, 1])], "head")
    return g.model("unet", [("x", [1, channels, size, size])], [(y, [1, 1, size, size])])


# -- counting and the command line -------------------------------------------------------------

def counts(model):
    """(operators, tensors) as smtsched's importer sees this generator's models: every node is
    an operator (none is folded: each reads an activation), the tensors are the node outputs
    and the graph inputs (none is left unread)."""
    graph = model.graph
    outputs = sum(1 for node in graph.node for t in node.output if t)
    return len(graph.node), outputs + len(graph.input)


KINDS = {"gpt": gpt, "training": gpt_training, "wide": wide, "unet": unet}


def build(kind, args):
    if kind in ("gpt", "training"):
        return KINDS[kind](args.blocks, heads=args.heads, seq=args.seq, width=args.width)
    if kind == "wide":
        return wide(args.stages, branches=args.branches, channels=args.channels,
                    size=args.size)
    return unet(args.levels, channels=args.channels, size=args.size)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.graphs", description="Write a generated ONNX graph (see the "
        "module docstring) and print its numbers of operators and tensors.")
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("--out", required=True, help="the .onnx file to write")
    parser.add_argument("--blocks", type=int, default=4, help="gpt, training (default 4)")
    parser.add_argument("--heads", type=int, default=4, help="gpt, training (default 4)")
    parser.add_argument("--seq", type=int, default=64, help="gpt, training (default 64)")
    parser.add_argument("--width", type=int, default=128, help="gpt, training (default 128)")
    parser.add_argument("--stages", type=int, default=4, help="wide (default 4)")
    parser.add_argument("--branches", type=int, default=4, help="wide (default 4)")
    parser.add_argument("--levels", type=int, default=3, help="unet (default 3)")
    parser.add_argument("--channels", type=int, default=None,
                        help="wide (default 64), unet (default 16)")
    parser.add_argument("--size", type=int, default=None,
                        help="image height and width: wide (default 28), unet (default 64)")
    parser.add_argument("--check", action="store_true",
                        help="also run onnx.checker.check_model")
    args = parser.parse_args(argv)
    if args.channels is None:
        args.channels = 64 if args.kind == "wide" else 16
    if args.size is None:
        args.size = 28 if args.kind == "wide" else 64
    import onnx
    started = time.perf_counter()
    try:
        model = build(args.kind, args)
    except ValueError as error:
        parser.error(str(error))
    built = time.perf_counter() - started
    if args.check:
        onnx.checker.check_model(model)
    onnx.save(model, args.out)
    operators, tensors = counts(model)
    print(f"{args.out}: {operators} operators, {tensors} tensors "
          f"({built:.2f} s to build)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
