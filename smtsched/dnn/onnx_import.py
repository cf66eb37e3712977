"""Import of ONNX models as `Graph`s (needs the optional `onnx` package: smtsched[onnx]).

What becomes what:

- Parameters. Initializers (also those listed again as graph inputs, as older exporters do) are
  constants, and so is every node whose inputs are all constants (Constant, ConstantOfShape of a
  constant shape, Cast/Reshape/Unsqueeze/... of constants, any op of constants; random
  generators excepted), and Shape/Size of a tensor whose shape is fully known. Such nodes are
  folded: they are not operators. A constant read by operators counts, once, in the
  `weight_bytes` of the first of them in `Graph.operators` order; constants read only while
  folding (e.g. the shape fed to ConstantOfShape) count nowhere.
- Operators: the other nodes, named after the node (or "<op_type>_<index in the file>" when the
  node has no name; a duplicate name gets "_<index>" appended), kind = op_type. Their `inputs`
  are the activation tensors they read, once each, including the outer-scope tensors that the
  bodies of If/Loop/Scan read.
- Tensors: the activations. An output that no operator reads and that is not a graph output
  (e.g. Dropout's mask) is not materialised by runtimes and is dropped; so are unused graph
  inputs. Sizes are the inferred shape (`onnx.shape_inference.infer_shapes` with data
  propagation; run again with folded values as initializers when needed) times the element
  size (sub-byte types are packed: ceil(elements * bits / 8)).
- Symbolic dimensions: a symbolic or unknown *first* dimension of a graph input is the batch and
  is taken as 1; other symbolic dimensions are bound by name with `dims={"name": value}`
  (which also overrides the batch). An unknown dimension left anywhere is an error naming the
  tensor.

Work model (`Operator.work`, an integer):

- Conv, ConvInteger, QLinearConv: N * C_out * H_out * W_out * (C_in / group) * kH * kW MACs
  (output elements times the weight's elements per output channel); ConvTranspose: input
  elements times the weight's elements per input channel;
- Gemm, MatMul, MatMulInteger, QLinearMatMul: M * N * K MACs (output elements times the inner
  dimension); Einsum: output elements times the sizes of the summed-out indices;
- RNN, GRU, LSTM: seq * batch * directions * gates * hidden * (input + hidden) MACs;
- MaxPool, AveragePool, LpPool: output elements times the kernel size; GlobalAveragePool,
  GlobalMaxPool, GlobalLpPool, Reduce*, ArgMax, ArgMin: input elements;
- Reshape, Flatten, Dropout, Identity, Squeeze, Unsqueeze, Shape, Size: 0 (no arithmetic);
- everything else (elementwise ops, activations, BatchNormalization, LRN, Concat, Softmax,
  Transpose, ...): the number of output elements (summed over the outputs kept).
"""
import os
from dataclasses import replace
from math import prod

from .graph import GraphError, Operator, _topological_order, build_graph

# bits per element of every fixed-size ONNX element type (by TensorProto.DataType name)
_BITS = {
    "FLOAT": 32, "UINT8": 8, "INT8": 8, "UINT16": 16, "INT16": 16, "INT32": 32, "INT64": 64,
    "BOOL": 8, "FLOAT16": 16, "DOUBLE": 64, "UINT32": 32, "UINT64": 64, "COMPLEX64": 64,
    "COMPLEX128": 128, "BFLOAT16": 16, "FLOAT8E4M3FN": 8, "FLOAT8E4M3FNUZ": 8, "FLOAT8E5M2": 8,
    "FLOAT8E5M2FNUZ": 8, "FLOAT8E8M0": 8, "UINT4": 4, "INT4": 4, "FLOAT4E2M1": 4, "UINT2": 2,
    "INT2": 2, "FLOAT6E2M3": 6, "FLOAT6E3M2": 6,
}
# their values differ between runs: never folded into parameters
_RANDOM = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike",
           "Multinomial", "Bernoulli"}
_NO_WORK = {"Reshape", "Flatten", "Dropout", "Identity", "Squeeze", "Unsqueeze", "Shape",
            "Size"}
_CONV = {"Conv": (0, 1), "ConvInteger": (0, 1), "QLinearConv": (0, 3)}  # (X, W) input indices
_MATMUL = {"Gemm", "MatMul", "MatMulInteger", "QLinearMatMul"}
_POOL = {"MaxPool", "AveragePool", "LpPool"}
_READS_ALL = {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "ArgMax", "ArgMin"}
_RECURRENT = {"RNN", "GRU", "LSTM"}
# TensorProto INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64: data propagation
# computes the values of such vectors; past this length it is not attempted
_INTEGER_TYPES = {2, 3, 4, 5, 6, 7, 12, 13}
_DATA_PROP_LIMIT = 1 << 16
# the element count is the same on both sides of these
_SAME_ELEMENTS = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"}
# folded constants with at most this many elements are given to the second shape inference as
# values (shapes, axes, ...); bigger ones (weights) only by their type
_SMALL_CONSTANT = 4096


def _require_onnx(source):
    try:
        import onnx
    except ImportError:
        raise GraphError("reading ONNX models needs the onnx package: "
                         "pip install smtsched[onnx]", source) from None
    return onnx


def load_onnx(path, dims=None):
    """A `Graph` from an .onnx file (see the module docstring)."""
    onnx = _require_onnx(path)
    if not os.path.isfile(path):
        raise GraphError("cannot read: no such file", path)
    try:
        # weights are only needed by their shapes: external data stays on disk
        model = onnx.load(path, load_external_data=False)
    except Exception as error:  # protobuf raises several unrelated types on garbage
        raise GraphError(f"not a readable ONNX model ({type(error).__name__}: "
                         f"{_first_line(error)})", path) from None
    return graph_from_onnx(model, source=path, name=os.path.splitext(os.path.basename(path))[0],
                           dims=dims, base_dir=os.path.dirname(os.path.abspath(path)))


def graph_from_onnx(model, source="<memory>", name=None, dims=None, base_dir=None):
    """A `Graph` from an `onnx.ModelProto`."""
    onnx = _require_onnx(source)
    if not isinstance(model, onnx.ModelProto):
        raise GraphError(f"expected an onnx.ModelProto, got {type(model).__name__}", source)
    if not model.HasField("graph") or (model.ir_version == 0 and not model.graph.node):
        raise GraphError("not an ONNX model (no graph)", source)
    return _Importer(onnx, model, source, name or model.graph.name or "graph", dims,
                     base_dir).run()


class _Importer:
    def __init__(self, onnx, model, source, name, dims, base_dir):
        self.onnx = onnx
        self.source = source
        self.name = name
        self.base_dir = base_dir
        self.model = onnx.ModelProto()
        self.model.CopyFrom(model)  # the dimension binding edits it
        self.graph = self.model.graph
        self.dims = dict(dims or {})
        self.values = {}  # computed values of constants (numpy arrays), filled on demand

    def fail(self, message):
        raise GraphError(message, self.source)

    # -- the steps ---------------------------------------------------------------------------

    def run(self):
        graph = self.graph
        self.initializers = {t.name: t for t in graph.initializer}
        self.sparse = {t.values.name: t for t in graph.sparse_initializer}
        self.constants = set(self.initializers) | set(self.sparse)
        self.real_inputs = [i for i in graph.input if i.name not in self.constants]
        self._read_nodes()
        self._bind_dimensions()
        self.types = self._infer(self.model)
        self._fold()
        self._complete_shapes()
        return self._build()

    def _read_nodes(self):
        """Node names, inputs (with outer-scope reads of subgraphs), and the checks that every
        tensor is defined once and read only where defined."""
        defined = {}
        for i in self.real_inputs:
            defined[i.name] = "a graph input"
        for t in self.constants:
            defined[t] = "an initializer"
        self.nodes = list(self.graph.node)
        self.node_names = []
        used = set()
        for k, node in enumerate(self.nodes):
            base = node.name or f"{node.op_type}_{k}"
            op = base if base not in used else f"{base}_{k}"
            while op in used:
                op += "_"
            used.add(op)
            self.node_names.append(op)
            for t in node.output:
                if not t:
                    continue
                if t in defined:
                    self.fail(f"tensor {t!r} is written by node {op!r} but is already "
                              f"{defined[t]}")
                defined[t] = f"written by node {op!r}"
        self.node_inputs = []
        for node, op in zip(self.nodes, self.node_names):
            reads = [t for t in node.input if t]
            for attribute in node.attribute:
                for sub in list(attribute.graphs) + ([attribute.g] if attribute.HasField("g")
                                                     else []):
                    reads.extend(_outer_reads(sub))
            reads = list(dict.fromkeys(reads))
            for t in reads:
                if t not in defined:
                    self.fail(f"node {op!r} ({node.op_type}) reads {t!r}, which no node, "
                              f"input or initializer defines")
            self.node_inputs.append(reads)
        for output in self.graph.output:
            if output.name not in defined:
                self.fail(f"the graph output {output.name!r} is never written")
        # a topological order of all nodes (folding walks it); also rejects cycles
        stand_ins = [Operator(op, node.op_type, 0, tuple(reads),
                              tuple(t for t in node.output if t))
                     for op, node, reads in zip(self.node_names, self.nodes, self.node_inputs)]
        producer = {t: op.name for op in stand_ins for t in op.outputs}
        self.topological = _topological_order(stand_ins, producer, self._fail_at)
        self.index = {op: k for k, op in enumerate(self.node_names)}

    def _fail_at(self, message, _op=None):
        self.fail(message)

    def _bind_dimensions(self):
        """Give the symbolic dimensions of the graph inputs values: `dims` by name, else 1 for a
        first (batch) dimension. The same names are replaced everywhere they are declared."""
        bound = dict(self.dims)
        used_inputs = {t for reads in self.node_inputs for t in reads} | \
            {o.name for o in self.graph.output}
        seen_names = set()
        for value_info in self._declared():
            for dim in _dims(value_info):
                if dim.HasField("dim_param"):
                    seen_names.add(dim.dim_param)
        for name in self.dims:
            if name not in seen_names:
                self.fail(f"dims names {name!r}, which is no symbolic dimension of the model "
                          f"(it has: {', '.join(sorted(seen_names)) or 'none'})")
        for name, value in self.dims.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.fail(f"dims[{name!r}] must be an integer >= 0, not {value!r}")
        for i in self.real_inputs:
            if i.name not in used_inputs:
                continue
            if not i.type.HasField("tensor_type"):
                self.fail(f"the graph input {i.name!r} is not a tensor")
            if not i.type.tensor_type.HasField("shape"):
                self.fail(f"the graph input {i.name!r} has no shape")
            dims = list(_dims(i))
            if dims and not dims[0].HasField("dim_value"):
                if dims[0].HasField("dim_param"):
                    bound.setdefault(dims[0].dim_param, 1)
                else:
                    dims[0].dim_value = 1
        for value_info in self._declared():
            for dim in _dims(value_info):
                if dim.HasField("dim_param") and dim.dim_param in bound:
                    dim.dim_value = bound[dim.dim_param]  # clears dim_param (a oneof)
        for i in self.real_inputs:
            if i.name not in used_inputs:
                continue
            for k, dim in enumerate(_dims(i)):
                if not dim.HasField("dim_value"):
                    label = f" ({dim.dim_param!r})" if dim.HasField("dim_param") else ""
                    hint = (f": bind it with dims={{{dim.dim_param!r}: ...}}" if label
                            else "")
                    self.fail(f"dimension {k} of the graph input {i.name!r} is unknown"
                              f"{label}{hint}")

    def _declared(self):
        return list(self.graph.input) + list(self.graph.output) + list(self.graph.value_info)

    def _infer(self, model):
        """name -> (element type, shape with None for unknown dimensions, or None).

        Plain shape inference first. Data propagation (the values of small shape tensors
        carried through Shape/Concat/... to a Reshape) runs only if shapes are still unknown:
        it computes the values of constant integer tensors, a Range(0, 10^12) among them, so it
        runs under a memory bound and a failure there only leaves those shapes unknown."""
        try:
            inferred = self.onnx.shape_inference.infer_shapes(model)
        except Exception as error:
            self.fail(f"ONNX shape inference failed: {_first_line(error)}")
        types = self._types(inferred)
        # a long integer vector (a Range(0, 10^12), say) would be materialised: don't
        huge_vector = any(elem in _INTEGER_TYPES and shape is not None and len(shape) == 1
                          and shape[0] is not None and shape[0] > _DATA_PROP_LIMIT
                          for elem, shape in types.values())
        if not huge_vector and any(shape is None or None in shape
                                   for _, shape in types.values()):
            try:
                with _memory_bound():
                    inferred = self.onnx.shape_inference.infer_shapes(model, data_prop=True)
            except Exception:
                return types
            for name, (elem_type, shape) in self._types(inferred).items():
                old = types.get(name)
                if old is None or old[1] is None or None in old[1]:
                    types[name] = (elem_type, shape)
        return types

    def _why_unknown(self):
        """The first complaint of strict shape inference (which names the node), or ""."""
        try:
            self.onnx.shape_inference.infer_shapes(self.model, strict_mode=True)
        except Exception as error:
            return f" (ONNX shape inference: {_first_line(error)})"
        return ""

    def _types(self, inferred):
        types = {}
        graph = inferred.graph
        for value_info in list(graph.input) + list(graph.value_info) + list(graph.output):
            if not value_info.type.HasField("tensor_type"):
                continue
            tensor_type = value_info.type.tensor_type
            shape = None
            if tensor_type.HasField("shape"):
                shape = [d.dim_value if d.HasField("dim_value") else None
                         for d in tensor_type.shape.dim]
            old = types.get(value_info.name)
            if old is None or (old[1] is None or None in old[1]):
                types[value_info.name] = (tensor_type.elem_type, shape)
        for t in graph.initializer:
            types[t.name] = (t.data_type, list(t.dims))
        for t in graph.sparse_initializer:
            types[t.values.name] = (t.values.data_type, list(t.dims))
        return types

    def _fold(self):
        """Mark the constant nodes, in topological order (a node is constant when everything
        it reads is)."""
        self.folded = set()
        constant = set(self.constants)
        for op in self.topological:
            k = self.index[op]
            node = self.nodes[k]
            reads = self.node_inputs[k]
            if node.op_type in _RANDOM:
                continue
            if all(t in constant for t in reads) or (
                    node.op_type in ("Shape", "Size") and node.domain in ("", "ai.onnx")
                    and self._shape(node.input[0]) is not None):
                self.folded.add(op)
                constant.update(t for t in node.output if t)
        self.constant = constant
        self.operators = [op for op in self.topological if op not in self.folded]
        read = {t for op in self.operators for t in self.node_inputs[self.index[op]]}
        read |= {o.name for o in self.graph.output}
        self.read = read

    def _complete_shapes(self):
        """If an activation's shape is still unknown, shape inference may have missed a value
        computed by folded nodes (not every op propagates data): run it again on the model
        without them, their small results given as initializers."""
        missing = [t for t in self._activations() if self._shape(t) is None]
        if not missing:
            return
        onnx = self.onnx
        helper, numpy_helper = onnx.helper, onnx.numpy_helper
        graph = self.graph
        kept = [self.nodes[self.index[op]] for op in self.operators]
        inputs = list(self.real_inputs)
        initializers = []
        fed = {t for op in self.operators for t in self.node_inputs[self.index[op]]
               if t in self.constant}
        for t in sorted(fed):
            shape = self._shape(t)
            if t in self.initializers and (shape is None or prod(shape) <= _SMALL_CONSTANT):
                initializers.append(self.initializers[t])
                continue
            if shape is not None and prod(shape) > _SMALL_CONSTANT:
                inputs.append(helper.make_tensor_value_info(t, self.types[t][0], shape))
                continue
            value = self._value(t)
            if value is not None:
                initializers.append(numpy_helper.from_array(value, t))
        model = helper.make_model(
            helper.make_graph(kept, graph.name or "g", inputs, list(graph.output),
                              initializers),
            opset_imports=list(self.model.opset_import), ir_version=self.model.ir_version)
        model.functions.extend(self.model.functions)
        for name, (elem_type, shape) in self._infer(model).items():
            if self._shape(name) is None and shape is not None and None not in shape:
                self.types[name] = (elem_type, shape)

    def _activations(self):
        names = [i.name for i in self.real_inputs if i.name in self.read]
        for op in self.operators:
            names.extend(t for t in self.nodes[self.index[op]].output if t and t in self.read)
        return names

    def _build(self):
        real_inputs = {i.name for i in self.real_inputs}
        writer = {t: op for op in self.operators for t in self.nodes[self.index[op]].output}
        sizes = {}
        for t in self._activations():
            what = f"the tensor {t!r}" + (" (a graph input)" if t in real_inputs
                                          else f" (written by {writer[t]!r})")
            sizes[t] = self._bytes(t, what)
        operators = []
        for op in sorted(self.operators, key=self.index.__getitem__):  # file order
            node = self.nodes[self.index[op]]
            inputs = tuple(t for t in self.node_inputs[self.index[op]] if t not in self.constant)
            outputs = tuple(t for t in node.output if t and t in self.read)
            if node.op_type in _SAME_ELEMENTS and node.input and node.output:
                before, after = self._shape(node.input[0]), self._shape(node.output[0])
                if before is not None and after is not None and prod(before) != prod(after):
                    self.fail(f"node {op!r} ({node.op_type}) turns {prod(before)} elements "
                              f"{list(before)} into {prod(after)} {list(after)}")
            try:
                work = self._work(op, node, outputs)
            except (IndexError, TypeError, ValueError, ZeroDivisionError) as error:
                # a malformed node (missing input or attribute): say which, no traceback
                self.fail(f"cannot compute the work of {op!r} ({node.op_type}): "
                          f"{type(error).__name__}: {error}")
            operators.append(Operator(op, node.op_type, work, inputs, outputs))
        # a constant counts once, for its first reader in the order the Graph will have
        producer = {t: op.name for op in operators for t in op.outputs}
        order = _topological_order(operators, producer, self._fail_at)
        weight = {}
        owned = set()
        for op in order:
            for t in self.node_inputs[self.index[op]]:
                if t in self.constant and t not in owned:
                    owned.add(t)
                    weight[op] = weight.get(op, 0) + self._bytes(t, f"the constant {t!r}")
        operators = [replace(op, weight_bytes=weight.get(op.name, 0)) for op in operators]
        outputs = [o.name for o in self.graph.output if o.name in sizes]
        return build_graph(self.name, operators, sizes, outputs, self.source)

    # -- shapes, sizes, values ---------------------------------------------------------------

    def _shape(self, t):
        """The shape of `t` when every dimension is known, else None."""
        entry = self.types.get(t)
        if entry is None or entry[1] is None or None in entry[1]:
            return None
        return entry[1]

    def _bytes(self, t, what):
        shape = self._shape(t)
        elem_type = self.types.get(t, (0, None))[0]
        if shape is None and t in self.constant:
            value = self._value(t)
            if value is not None:
                shape = list(value.shape)
                elem_type = elem_type or self.onnx.helper.np_dtype_to_tensor_dtype(value.dtype)
        if shape is None:
            entry = self.types.get(t)
            known = "" if entry is None or entry[1] is None else \
                " [" + ", ".join("?" if d is None else str(d) for d in entry[1]) + "]"
            self.fail(f"the shape of {what} is unknown{known}{self._why_unknown()}")
        _check_dimensions(shape, what, self.fail)
        type_name = self.onnx.TensorProto.DataType.Name(elem_type) \
            if elem_type in self.onnx.TensorProto.DataType.values() else str(elem_type)
        bits = _BITS.get(type_name)
        if bits is None:
            self.fail(f"{what} has the element type {type_name}, whose size is not fixed")
        return -(-prod(shape) * bits // 8)

    def _value(self, t):
        """The value of the constant `t` (a numpy array), computed by the reference evaluator
        for folded nodes under a memory bound; None if it cannot be computed (also when the
        chain of constant nodes is too long to follow)."""
        try:
            with _memory_bound():
                return self._compute(t)
        except (RecursionError, MemoryError):
            return None

    def _compute(self, t):
        if t in self.values:
            return self.values[t]
        value = None
        numpy_helper = self.onnx.numpy_helper
        if t in self.initializers:
            try:
                value = numpy_helper.to_array(self.initializers[t], self.base_dir or "")
            except Exception:
                value = None
        elif t not in self.sparse:
            k, node = next((k, n) for k, n in enumerate(self.nodes) if t in n.output)
            arguments = [self._compute(i) for i in node.input if i]
            if all(a is not None for a in arguments) and node.domain in ("", "ai.onnx"):
                try:
                    from onnx.reference import ReferenceEvaluator
                    results = ReferenceEvaluator(node).run(
                        None, dict(zip([i for i in node.input if i], arguments)))
                    value = results[[o for o in node.output].index(t)]
                except Exception:
                    value = None
        self.values[t] = value
        return value

    # -- work ----------------------------------------------------------------------------------

    def _work(self, op, node, outputs):
        kind = node.op_type
        if kind in _NO_WORK:
            return 0
        out = sum(prod(self._known(t, op)) for t in outputs)
        if kind in _CONV:
            x, w = _CONV[kind]
            return self._output_elements(node, op) * self._per_output(node, op, x, w)
        if kind == "ConvTranspose":
            weight = self._known(node.input[1], op)
            return prod(self._known(node.input[0], op)) * prod(weight[1:])
        if kind in _MATMUL:
            a = self._known(node.input[0], op)
            if kind == "Gemm":
                inner = a[0] if _attribute(node, "transA", 0) else a[-1]
            else:
                inner = a[-1]
            return self._output_elements(node, op) * inner
        if kind == "Einsum":
            return self._output_elements(node, op) * self._einsum_summed(node, op)
        if kind in _RECURRENT:
            x = self._known(node.input[0], op)
            w = self._known(node.input[1], op)
            r = self._known(node.input[2], op)
            return x[0] * x[1] * w[0] * w[1] * (w[2] + r[2])
        if kind in _POOL:
            kernel = _attribute(node, "kernel_shape", None)
            if not kernel:
                self.fail(f"operator {op!r} ({kind}) has no kernel_shape")
            return self._output_elements(node, op) * prod(kernel)
        if kind in _READS_ALL or kind.startswith("Reduce"):
            return prod(self._known(node.input[0], op))
        return out

    def _output_elements(self, node, op):
        return prod(self._known(node.output[0], op))

    def _per_output(self, node, op, x, w):
        """MACs per output element of a convolution: the weight's elements per output channel,
        C_in / group * kernel size."""
        weight = self._shape(node.input[w])
        if weight is not None:
            return prod(weight[1:])
        channels = self._known(node.input[x], op)[1]
        kernel = _attribute(node, "kernel_shape", None)
        if not kernel:
            self.fail(f"operator {op!r} ({node.op_type}): the weight's shape is unknown and "
                      f"there is no kernel_shape")
        return channels // _attribute(node, "group", 1) * prod(kernel)

    def _einsum_summed(self, node, op):
        equation = _attribute(node, "equation", b"")
        equation = (equation.decode() if isinstance(equation, bytes) else equation)
        equation = equation.replace(" ", "")
        left, _, right = equation.partition("->")
        terms = left.split(",")
        letters = {}
        for term, t in zip(terms, node.input):
            shape = self._known(t, op)
            # letters before an ellipsis count from the front, letters after it from the back
            before, _, after = term.partition("...")
            for k, letter in enumerate(before):
                letters[letter] = shape[k]
            for k, letter in enumerate(after):
                letters[letter] = shape[len(shape) - len(after) + k]
        if "->" in equation:
            kept = set(right)
        else:  # implicit output: the letters used once
            counts = {}
            for letter in left.replace("...", ""):
                counts[letter] = counts.get(letter, 0) + 1
            kept = {letter for letter, n in counts.items() if n == 1}
        return prod(size for letter, size in letters.items()
                    if letter.isalpha() and letter not in kept)

    def _known(self, t, op):
        shape = self._shape(t)
        if shape is None and t in self.constant:
            value = self._value(t)
            shape = None if value is None else list(value.shape)
        if shape is None:
            self.fail(f"the shape of {t!r} (read or written by {op!r}) is unknown"
                      f"{self._why_unknown()}")
        _check_dimensions(shape, f"the tensor {t!r} (read or written by {op!r})", self.fail)
        return shape


def _check_dimensions(shape, what, fail):
    for k, d in enumerate(shape):
        if d < 0:
            fail(f"{what} has the negative dimension {d} (dimension {k} of "
                 f"[{', '.join(map(str, shape))}])")


# what evaluating constants may take beyond what the process already has
_MEMORY_HEADROOM = 1 << 30


class _memory_bound:
    """Within the block, allocations past the current address space plus _MEMORY_HEADROOM
    fail (MemoryError, or std::bad_alloc in ONNX's C++), so that computing a hostile model's
    constants cannot take the machine's memory. Linux only; elsewhere it does nothing."""

    def __enter__(self):
        self.saved = None
        try:
            import resource
            with open("/proc/self/statm") as handle:
                size = int(handle.read().split()[0]) * resource.getpagesize()
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = size + _MEMORY_HEADROOM
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            if soft == resource.RLIM_INFINITY or limit < soft:
                resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
                self.saved = (soft, hard)
        except (ImportError, OSError, ValueError):
            self.saved = None
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, self.saved)
        return False


def _dims(value_info):
    tensor_type = value_info.type.tensor_type
    return tensor_type.shape.dim if tensor_type.HasField("shape") else []


def _attribute(node, name, default):
    for attribute in node.attribute:
        if attribute.name == name:
            from onnx import helper
            return helper.get_attribute_value(attribute)
    return default


def _outer_reads(graph):
    """Names a subgraph reads without defining them (outer-scope tensors), nested bodies
    included, in the order they are first read."""
    defined = {i.name for i in graph.input} | {t.name for t in graph.initializer} | \
        {t.values.name for t in graph.sparse_initializer}
    for node in graph.node:
        defined.update(t for t in node.output if t)
    reads = {}
    for node in graph.node:
        reads.update(dict.fromkeys(t for t in node.input if t))
        for attribute in node.attribute:
            for sub in list(attribute.graphs) + ([attribute.g] if attribute.HasField("g")
                                                 else []):
                reads.update(dict.fromkeys(_outer_reads(sub)))
    return [t for t in reads if t not in defined]


def _first_line(error):
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
