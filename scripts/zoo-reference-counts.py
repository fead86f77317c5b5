#!/usr/bin/python3
"""An independent count of MACs and parameters for every model of the zoo (scripts/make-zoo.py), the ground
truth the repo's own graph analysis (src/core/onnx/) is checked against by bench/zoo-check.ts.

    /usr/bin/python3 scripts/zoo-reference-counts.py [ZOO_DIR]        (default ZOO_DIR: .cache/zoo/)
    /usr/bin/python3 scripts/zoo-reference-counts.py --self-test      (the formulas on hand-built graphs)

Reads ZOO_DIR/zoo-manifest.json, writes ZOO_DIR/zoo-reference.json. Nothing here shares code or conventions
by accident with the TypeScript analysis: shapes come from onnx's own shape inference
(onnx.shape_inference.infer_shapes with data propagation, which also walks If/Loop subgraphs), run on the
model after every dynamic input dim is replaced by the concrete size the manifest says the model is used with
and after every shape the exporter wrote (value_info, output dims) is erased, so nothing of the exporter's
own inference is reused.

Conventions (also written into zoo-reference.json under "conventions"):
- MACs are multiply-accumulates of the textbook (fvcore / ptflops / THOP "MACs") kind, counted only for ops that
  multiply a tensor by weights or by another tensor:
    Conv          prod(Y) * (C_in / group) * prod(kernel)      = prod(Y) * prod(W.shape[1:])
    ConvTranspose prod(X) * (C_out / group) * prod(kernel)     = prod(X) * prod(W.shape[1:])
                  (each input element is scattered to C_out/group * prod(kernel) outputs; counting from the
                  output side, prod(Y) * C_in/group * prod(kernel), would over-count by prod(strides))
    Gemm          M * K * N        (from A, B and transA/transB; the bias C and alpha/beta are not counted)
    MatMul        prod(broadcast batch dims) * M * K * N    (numpy semantics; a 1-D operand is a vector)
    LSTM/GRU/RNN  directions * seq_len * batch * gates * hidden * (input + hidden), gates = 4 / 3 / 1
                  (= the W and R matrix products of every step; biases and the element-wise gate updates are
                  not counted)
  Every other op counts 0 MACs: element-wise arithmetic and activations, normalisation (BatchNormalization,
  LayerNormalization, InstanceNormalization, the decomposed ReduceMean/Sub/Pow/Sqrt/Div form), Softmax,
  pooling and reductions, Resize, data movement. For a second convention, "elementOps" lists per op type the
  elements those ops write (pooling: output elements * window; global pooling and reductions: input
  elements), and "macsPlusElementOps" = macs + their sum.
- If: MACs of an If node are those of its LARGER branch (what the worst path costs); "ifBranches" lists both
  branches' MACs. Loop: body MACs * trip count when the trip count is a constant after the shape arithmetic is
  folded (e.g. a sequence length), else unknown; loop-carried states are given the shape of their initial
  value (onnx erases their dims, since a state may change shape between iterations). Scan: unknown.
- Parameters: elements of every floating-point initializer in the main graph and in every subgraph (If
  branches, Loop bodies), plus elements of floating-point Constant nodes with at least 2 elements, in any
  graph (a weight stored as a node, as torch.jit.freeze exports do; scalars such as eps or 6.0 are not
  parameters). "parametersInitializers" and "parametersConstants" give the two parts.
- A MAC op whose shapes onnx cannot infer is listed under "unknown" with its name; the totals then count
  only the known ones and "complete" is false.
"""
import json
import math
import os
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE, onnx.TensorProto.BFLOAT16}
MAC_OPS = {'Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'LSTM', 'GRU', 'RNN'}
# Ops that would need a MAC formula this script does not have: a model holding one is reported incomplete.
UNHANDLED_MAC_OPS = {'Einsum', 'ConvInteger', 'MatMulInteger', 'QLinearConv', 'QLinearMatMul', 'Attention', 'DeformConv'}
POOL_WINDOW = {'MaxPool', 'AveragePool', 'LpPool'}
POOL_GLOBAL = {'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool', 'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin',
               'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSumExp'}
ELEMENT_OPS = {'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Clip', 'Gelu',
               'Erf', 'Exp', 'Log', 'Sqrt', 'Pow', 'Reciprocal', 'Neg', 'Abs', 'Softplus', 'Mish', 'Add', 'Sub', 'Mul', 'Div', 'Sum',
               'Max', 'Min', 'Mean', 'Where', 'BatchNormalization', 'LayerNormalization', 'InstanceNormalization',
               'GroupNormalization', 'Softmax', 'LogSoftmax', 'Resize', 'Upsample'}


def dims_of(type_proto):
    """Concrete dims of a tensor type, or None when the rank or any dim is unknown."""
    if not type_proto.HasField('tensor_type') or not type_proto.tensor_type.HasField('shape'):
        return None
    out = []
    for d in type_proto.tensor_type.shape.dim:
        if not d.HasField('dim_value'):
            return None
        out.append(d.dim_value)
    return out


def prod(xs):
    return math.prod(xs) if xs else 1


def subgraphs(node):
    for a in node.attribute:
        if a.type == onnx.AttributeProto.GRAPH:
            yield a.name, a.g
        for g in a.graphs:
            yield a.name, g


def erase_shapes(graph):
    """Drops the shapes the exporter inferred (value_info, output dims), so onnx infers every shape itself.
    Subgraph inputs (Loop bodies) keep their declared types: they are the subgraph's signature."""
    del graph.value_info[:]
    for o in graph.output:
        if o.type.HasField('tensor_type'):
            o.type.tensor_type.ClearField('shape')
    for node in graph.node:
        for _, g in subgraphs(node):
            erase_shapes(g)


def set_inputs(model, inputs):
    by_name = {i['name']: i['shape'] for i in inputs}
    for gi in model.graph.input:
        if gi.name not in by_name:
            continue
        shape = by_name[gi.name]
        dims = gi.type.tensor_type.shape.dim
        if len(dims) != len(shape):
            raise SystemExit(f'{gi.name}: rank {len(dims)} in the file, {len(shape)} in the manifest')
        for d, v in zip(dims, shape):
            d.Clear()
            d.dim_value = v


class Counter:
    def __init__(self):
        self.by_op = {}
        self.element_ops = {}
        self.unknown = []
        self.if_branches = []
        self.loops = []

    def count_graph(self, graph, outer_shapes, outer_consts):
        """MACs of one graph (subgraphs included per the conventions above); fills the per-op tables."""
        shapes = dict(outer_shapes)
        consts = dict(outer_consts)
        for vi in list(graph.input) + list(graph.value_info) + list(graph.output):
            d = dims_of(vi.type)
            if d is not None:
                shapes[vi.name] = d
        for init in graph.initializer:
            shapes[init.name] = list(init.dims)
            if init.data_type == onnx.TensorProto.INT64 and prod(init.dims) <= 16:
                consts[init.name] = numpy_helper.to_array(init).reshape(-1).tolist()
        for node in graph.node:
            if node.op_type == 'Constant':
                for a in node.attribute:
                    if a.name == 'value':
                        shapes[node.output[0]] = list(a.t.dims)
                        if a.t.data_type == onnx.TensorProto.INT64 and prod(a.t.dims) <= 16:
                            consts[node.output[0]] = numpy_helper.to_array(a.t).reshape(-1).tolist()
        total = 0
        for node in graph.node:
            m = self.count_node(node, shapes, consts)
            if m is not None:
                total += m
        return total

    def record(self, table, op, v):
        table[op] = table.get(op, 0) + v

    def count_node(self, node, shapes, consts):
        op = node.op_type
        label = f'{op} {node.name or node.output[0]}'
        sh = lambda i: shapes.get(node.input[i]) if i < len(node.input) and node.input[i] else None
        out = shapes.get(node.output[0]) if node.output else None
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute if a.type != onnx.AttributeProto.GRAPH}
        if op == 'If':
            branch = {}
            for name, g in subgraphs(node):
                # Per-op tables: count each branch into a scratch counter, then keep the larger branch's.
                scratch = Counter()
                branch[name] = (scratch.count_graph(g, shapes, consts), scratch)
                self.if_branches += scratch.if_branches
                self.loops += scratch.loops
            pick = max(branch, key=lambda k: branch[k][0])
            chosen = branch[pick][1]
            for k, v in chosen.by_op.items():
                self.record(self.by_op, k, v)
            for k, v in chosen.element_ops.items():
                self.record(self.element_ops, k, v)
            for _, s in branch.values():
                self.unknown += s.unknown
            self.if_branches.append({'node': label, 'branches': {k: v[0] for k, v in branch.items()}, 'counted': pick})
            return branch[pick][0]
        if op in ('Loop', 'Scan'):
            trip = consts.get(node.input[0]) if op == 'Loop' and node.input and node.input[0] else None
            scratch = Counter()
            body = sum(scratch.count_graph(g, shapes, consts) for _, g in subgraphs(node))
            if op == 'Loop' and trip and len(trip) == 1 and not scratch.unknown:
                for k, v in scratch.by_op.items():
                    self.record(self.by_op, k, v * trip[0])
                for k, v in scratch.element_ops.items():
                    self.record(self.element_ops, k, v * trip[0])
                self.loops.append({'node': label, 'tripCount': trip[0], 'bodyMacs': body})
                return body * trip[0]
            self.unknown += scratch.unknown
            if not (op == 'Loop' and trip and len(trip) == 1):
                self.unknown.append(f'{label}: trip count not constant')
            return None
        if op in UNHANDLED_MAC_OPS:
            self.unknown.append(f'{label}: no MAC formula here')
            return None
        if op in MAC_OPS:
            m = self.mac_formula(op, sh, out, attrs)
            if m is None:
                self.unknown.append(f'{label}: shapes unknown to onnx shape inference')
                return None
            self.record(self.by_op, op, m)
            return m
        # Zero-MAC ops: their element counts, for the second convention.
        if op in POOL_WINDOW and out is not None:
            self.record(self.element_ops, op, prod(out) * prod(attrs.get('kernel_shape', [])))
        elif op in POOL_GLOBAL and sh(0) is not None:
            self.record(self.element_ops, op, prod(sh(0)))
        elif op in ELEMENT_OPS and out is not None:
            self.record(self.element_ops, op, prod(out))
        return 0

    @staticmethod
    def mac_formula(op, sh, out, attrs):
        if op == 'Conv':
            w = sh(1)
            return prod(out) * prod(w[1:]) if out is not None and w is not None else None
        if op == 'ConvTranspose':
            x, w = sh(0), sh(1)
            return prod(x) * prod(w[1:]) if x is not None and w is not None else None
        if op == 'Gemm':
            a, b = sh(0), sh(1)
            if a is None or b is None:
                return None
            m, k = (a[1], a[0]) if attrs.get('transA', 0) else (a[0], a[1])
            n = b[0] if attrs.get('transB', 0) else b[1]
            return m * k * n
        if op == 'MatMul':
            a, b = sh(0), sh(1)
            if a is None or b is None:
                return None
            a = [1] + a if len(a) == 1 else a
            b = b + [1] if len(b) == 1 else b
            ba, bb = a[:-2], b[:-2]
            n = max(len(ba), len(bb))
            ba, bb = [1] * (n - len(ba)) + ba, [1] * (n - len(bb)) + bb
            batch = [max(x, y) for x, y in zip(ba, bb)]
            return prod(batch) * a[-2] * a[-1] * b[-1]
        if op in ('LSTM', 'GRU', 'RNN'):
            x, w, r = sh(0), sh(1), sh(2)
            if x is None or w is None or r is None:
                return None
            seq, batch = (x[1], x[0]) if attrs.get('layout', 0) else (x[0], x[1])
            # W: [directions, gates * hidden, input], R: [directions, gates * hidden, hidden]
            return w[0] * seq * batch * (w[1] * w[2] + r[1] * r[2])
        return None


# ----------------------------------------------------------------------------------------------------------
# onnx 1.12's data propagation stops at the shape arithmetic exports build (Shape -> Gather -> Div -> Concat ->
# Reshape, Slice ends from a Shape): those values are computed here with numpy, written into the model as
# initializers in place of the nodes that produced them, and shape inference runs again, until nothing more
# folds. Only small tensors (shape arithmetic, at most FOLD_MAX elements) are computed.

FOLD_MAX = 4096
NP_TYPES = {onnx.TensorProto.INT64: np.int64, onnx.TensorProto.INT32: np.int32, onnx.TensorProto.FLOAT: np.float32,
            onnx.TensorProto.DOUBLE: np.float64, onnx.TensorProto.BOOL: np.bool_, onnx.TensorProto.FLOAT16: np.float16}


def eval_node(node, vals, shapes, opset):
    """The outputs of one node from constant inputs (numpy), or None when this op is not evaluated here."""
    op = node.op_type
    a = {x.name: onnx.helper.get_attribute_value(x) for x in node.attribute}
    x = [vals.get(i) if i else None for i in node.input]
    if op == 'Shape':
        dims = shapes.get(node.input[0])
        if dims is None:
            return None
        start, end = a.get('start', 0), a.get('end', None)
        return [np.array(dims[start:end], dtype=np.int64)]
    if op == 'Size':
        dims = shapes.get(node.input[0])
        return None if dims is None else [np.array(prod(dims), dtype=np.int64)]
    if op == 'ConstantOfShape':
        if x[0] is None:
            return None
        v = numpy_helper.to_array(a['value']) if 'value' in a else np.zeros(1, np.float32)
        return [np.full(tuple(int(d) for d in x[0]), v.reshape(-1)[0], dtype=v.dtype)] if prod(x[0].tolist()) <= FOLD_MAX else None
    if any(v is None for i, v in zip(node.input, x) if i):
        return None
    if op == 'Identity':
        return [x[0]]
    if op == 'Cast':
        return [x[0].astype(NP_TYPES[a['to']])] if a['to'] in NP_TYPES else None
    if op == 'Gather':
        return [np.take(x[0], x[1], axis=a.get('axis', 0))]
    if op == 'Unsqueeze':
        axes = a['axes'] if opset < 13 else x[1].tolist()
        out = x[0]
        for ax in sorted(ax % (out.ndim + len(axes)) for ax in axes):
            out = np.expand_dims(out, ax)
        return [out]
    if op == 'Squeeze':
        axes = a.get('axes') if opset < 13 else (x[1].tolist() if len(x) > 1 else None)
        return [np.squeeze(x[0], axis=tuple(axes) if axes is not None else None)]
    if op == 'Concat':
        return [np.concatenate([v.reshape(-1) if v.ndim == 0 else v for v in x], axis=a['axis'])]
    if op == 'Slice':
        data, starts, ends = x[0], x[1], x[2]
        axes = x[3] if len(x) > 3 and x[3] is not None else np.arange(len(starts))
        steps = x[4] if len(x) > 4 and x[4] is not None else np.ones(len(starts), np.int64)
        sl = [slice(None)] * data.ndim
        for s_, e_, ax, st in zip(starts, ends, axes, steps):
            sl[int(ax)] = slice(int(s_), int(e_), int(st))
        return [data[tuple(sl)]]
    if op in ('Add', 'Sub', 'Mul', 'Div', 'Equal', 'Less', 'Greater', 'Mod'):
        if op == 'Div' and np.issubdtype(x[0].dtype, np.integer):
            return [np.trunc(x[0] / x[1]).astype(x[0].dtype)]
        f = {'Add': np.add, 'Sub': np.subtract, 'Mul': np.multiply, 'Div': np.divide, 'Equal': np.equal, 'Less': np.less,
             'Greater': np.greater, 'Mod': np.mod}[op]
        return [f(x[0], x[1])]
    if op in ('Sqrt', 'Floor', 'Ceil', 'Neg', 'Abs', 'Not'):
        return [{'Sqrt': np.sqrt, 'Floor': np.floor, 'Ceil': np.ceil, 'Neg': np.negative, 'Abs': np.abs, 'Not': np.logical_not}[op](x[0])]
    if op == 'Where':
        return [np.where(x[0], x[1], x[2])]
    if op == 'Range':
        return [np.arange(x[0], x[1], x[2]).astype(x[0].dtype)]
    if op == 'Expand':
        return [x[0] * np.ones(tuple(int(d) for d in x[1]), dtype=x[0].dtype)] if prod(x[1].tolist()) <= FOLD_MAX else None
    if op == 'Reshape':
        return [x[0].reshape(tuple(int(d) if d != 0 else x[0].shape[i] for i, d in enumerate(x[1])))]
    if op == 'Transpose':
        return [np.transpose(x[0], a.get('perm'))]
    if op == 'ReduceProd':
        return [np.prod(x[0], axis=tuple(a['axes']) if 'axes' in a else None, keepdims=bool(a.get('keepdims', 1)))]
    return None


def fold_shapes(model, opset):
    """Infers, folds the computable small tensors into initializers, infers again; returns the inferred model."""
    for _ in range(50):
        inferred = shape_inference.infer_shapes(model, check_type=False, strict_mode=False, data_prop=True)
        g = inferred.graph
        shapes = {}
        for vi in list(g.input) + list(g.value_info) + list(g.output):
            d = dims_of(vi.type)
            if d is not None:
                shapes[vi.name] = d
        vals = {}
        for init in g.initializer:
            shapes[init.name] = list(init.dims)
            if prod(init.dims) <= FOLD_MAX:
                vals[init.name] = numpy_helper.to_array(init)
        folded = {}
        for node in g.node:
            if node.op_type == 'Constant':
                t = next((x.t for x in node.attribute if x.name == 'value'), None)
                if t is not None and prod(t.dims) <= FOLD_MAX:
                    vals[node.output[0]] = numpy_helper.to_array(t)
                continue
            try:
                out = eval_node(node, vals, shapes, opset)
            except Exception:  # an op evaluated here with inputs it does not expect: leave it to onnx
                out = None
            if out is None or any(o.size > FOLD_MAX for o in out):
                continue
            for name, v in zip(node.output, out):
                vals[name] = np.asarray(v)
                shapes[name] = list(np.asarray(v).shape)
            folded[id(node)] = node
        pinned = pin_loop_state(model.graph, shapes)
        if not folded and not pinned:
            return inferred
        names = {o for n in g.node if id(n) in folded for o in n.output}
        keep = [n for n in model.graph.node if not (set(n.output) & names)]
        del model.graph.node[:]
        model.graph.node.extend(keep)
        for name in names:
            model.graph.initializer.append(numpy_helper.from_array(vals[name], name))
    return inferred


def pin_loop_state(graph, shapes):
    """onnx infers a Loop body with its loop-carried inputs' dims erased (a state may change shape between
    iterations). The states of the zoo's loops keep their shape, so each carried input of a body whose dims are
    not all known, and the Loop's output of its final value, get the concrete shape of the Loop's initial value;
    returns how many were set."""
    pinned = 0
    for node in graph.node:
        if node.op_type != 'Loop':
            continue
        body = next(a.g for a in node.attribute if a.name == 'body')
        # The final value of a state has the shape of its initial value, too.
        for outer, final, inner in zip(node.input[2:], node.output, body.input[2:]):
            dims = shapes.get(outer)
            if dims is not None and shapes.get(final) is None and inner.type.HasField('tensor_type') \
                    and not any(v.name == final for v in graph.value_info):
                graph.value_info.append(onnx.helper.make_tensor_value_info(final, inner.type.tensor_type.elem_type, dims))
                pinned += 1
        for outer, inner in zip(node.input[2:], body.input[2:]):
            dims = shapes.get(outer)
            if dims is None or dims_of(inner.type) is not None or not inner.type.HasField('tensor_type'):
                continue
            inner.type.tensor_type.ClearField('shape')
            for d in dims:
                inner.type.tensor_type.shape.dim.add().dim_value = d
            pinned += 1
    return pinned


def strip_weights(model):
    """Replaces big initializers of the main graph by graph inputs of the same type and shape: inference needs
    their shapes only, and a 350 MB model is then inferred (and re-inferred while folding) in moments."""
    g = model.graph
    keep = []
    for init in g.initializer:
        if prod(init.dims) > FOLD_MAX:
            g.input.append(onnx.helper.make_tensor_value_info(init.name, init.data_type, list(init.dims)))
        else:
            keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep)


def count_parameters(graph):
    """(initializer elements, Constant-node elements) of floating-point tensors, per the conventions."""
    inits = sum(prod(i.dims) for i in graph.initializer if i.data_type in FLOAT_TYPES)
    consts = 0
    for node in graph.node:
        if node.op_type == 'Constant':
            for a in node.attribute:
                if a.name == 'value' and a.t.data_type in FLOAT_TYPES and prod(a.t.dims) >= 2:
                    consts += prod(a.t.dims)
        for _, g in subgraphs(node):
            i, c = count_parameters(g)
            inits += i
            consts += c
    return inits, consts


def reference(path, entry):
    return reference_of_model(onnx.load(path, load_external_data=False), entry['inputs'])


def reference_of_model(model, inputs):
    params_init, params_const = count_parameters(model.graph)
    opset = next((o.version for o in model.opset_import if o.domain in ('', 'ai.onnx')), 0)
    strip_weights(model)
    set_inputs(model, inputs)
    erase_shapes(model.graph)
    inferred = fold_shapes(model, opset)
    c = Counter()
    macs = c.count_graph(inferred.graph, {}, {})
    element_ops = sum(c.element_ops.values())
    return {
        'macs': macs,
        'parameters': params_init + params_const,
        'parametersInitializers': params_init,
        'parametersConstants': params_const,
        'macsByOp': dict(sorted(c.by_op.items(), key=lambda kv: -kv[1])),
        'complete': not c.unknown,
        'unknown': c.unknown[:20],
        'ifBranches': c.if_branches,
        'loops': c.loops,
        'elementOps': dict(sorted(c.element_ops.items(), key=lambda kv: -kv[1])),
        'macsPlusElementOps': macs + element_ops,
        'inputs': {i['name']: i['shape'] for i in inputs},
    }


CONVENTIONS = {
    'macs': 'textbook MACs of Conv (prod(Y)*prod(W[1:])), ConvTranspose (prod(X)*prod(W[1:])), Gemm (M*K*N), MatMul '
            '(prod(batch)*M*K*N, broadcast), LSTM/GRU/RNN (directions*seq*batch*gates*hidden*(input+hidden)); every other op 0',
    'if': 'an If node counts the MACs of its larger branch (ifBranches lists both)',
    'loop': 'body MACs * trip count when constant (after folding the shape arithmetic), else unknown; loop-carried '
            'states are assumed to keep the shape of their initial value',
    'parameters': 'elements of floating-point initializers in all graphs (subgraphs included) + floating-point Constant '
                  'nodes with >= 2 elements in any graph',
    'elementOps': 'second convention, not in macs: output elements of element-wise/normalisation/Softmax/Resize ops, '
                  'pooling output*window, global pooling and reductions input elements',
    'shapes': 'onnx.shape_inference.infer_shapes(data_prop=True) after substituting the manifest input shapes and '
              'erasing exporter value_info',
}


def self_test():
    """The formulas above on small hand-built graphs, against hand-computed values (no torch needed)."""
    h, T = onnx.helper, onnx.TensorProto
    W = lambda name, dims: numpy_helper.from_array(np.zeros(dims, np.float32), name)

    def run(nodes, inputs, inits, shapes):
        g = h.make_graph(nodes, 't', [h.make_tensor_value_info(n, T.FLOAT, d) for n, d in inputs],
                         [h.make_tensor_value_info(nodes[-1].output[0], T.FLOAT, None)], inits)
        m = h.make_model(g, opset_imports=[h.make_opsetid('', 13)])
        return reference_of_model(m, [{'name': n, 'shape': d} for n, d in shapes])

    checks = []
    # Grouped, padded Conv: 16 x 10 x 10 outputs, each (8 / 2) * 3 * 3 MACs.
    r = run([h.make_node('Conv', ['x', 'w'], ['y'], group=2, pads=[1, 1, 1, 1])], [('x', ['n', 8, 10, 10])], [W('w', [16, 4, 3, 3])], [('x', [1, 8, 10, 10])])
    checks.append(('Conv groups=2', r['macs'], 16 * 100 * 4 * 9))
    # Stride-2 ConvTranspose: 8 x 5 x 5 inputs, each scattered to 3 * 2 * 2 outputs.
    r = run([h.make_node('ConvTranspose', ['x', 'w'], ['y'], strides=[2, 2])], [('x', [1, 8, 5, 5])], [W('w', [8, 3, 2, 2])], [])
    checks.append(('ConvTranspose stride 2', r['macs'], 200 * 12))
    # Broadcast batched MatMul: batch [2, 1] x [3] -> [2, 3], each 4x5 @ 5x6.
    r = run([h.make_node('MatMul', ['a', 'b'], ['y'])], [('a', [2, 1, 4, 5]), ('b', [3, 5, 6])], [], [])
    checks.append(('MatMul broadcast', r['macs'], 6 * 4 * 5 * 6))
    # Gemm with transB, bias not counted.
    r = run([h.make_node('Gemm', ['a', 'b', 'c'], ['y'], transB=1)], [('a', [4, 5])], [W('b', [6, 5]), W('c', [6])], [])
    checks.append(('Gemm transB', r['macs'], 4 * 5 * 6))
    checks.append(('Gemm parameters', r['parameters'], 36))
    # Bidirectional LSTM: 2 directions * 7 steps * batch 2 * 4 gates * 4 hidden * (3 input + 4 hidden).
    r = run([h.make_node('LSTM', ['x', 'w', 'r'], ['y'], hidden_size=4, direction='bidirectional')], [('x', ['t', 2, 3])],
            [W('w', [2, 16, 3]), W('r', [2, 16, 4])], [('x', [7, 2, 3])])
    checks.append(('LSTM bidirectional', r['macs'], 2 * 7 * 2 * 16 * 7))
    # Reshape to a shape computed from a dynamic dim (Shape -> Gather -> Concat), then a MatMul.
    i64 = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)
    r = run([h.make_node('Shape', ['x'], ['s']), h.make_node('Gather', ['s', 'zero'], ['n']), h.make_node('Unsqueeze', ['n', 'ax'], ['n1']),
             h.make_node('Concat', ['n1', 'rest'], ['shape'], axis=0), h.make_node('Reshape', ['x', 'shape'], ['x2']),
             h.make_node('MatMul', ['x2', 'w'], ['y'])], [('x', ['n', 4, 5])], [i64('zero', 0), i64('ax', [0]), i64('rest', [-1]), W('w', [20, 3])],
            [('x', [3, 4, 5])])
    checks.append(('folded Reshape', r['macs'], 3 * 20 * 3))
    # If: the larger branch counts, both branches' weights are parameters (one as an initializer, one as a Constant).
    then_g = h.make_graph([h.make_node('MatMul', ['x', 'wt'], ['yt'])], 'then', [], [h.make_tensor_value_info('yt', T.FLOAT, None)], [W('wt', [5, 6])])
    else_g = h.make_graph([h.make_node('Constant', [], ['we'], value=W('we', [5, 12])), h.make_node('MatMul', ['x', 'we'], ['ye'])], 'else', [],
                          [h.make_tensor_value_info('ye', T.FLOAT, None)])
    g = h.make_graph([h.make_node('If', ['c'], ['y'], then_branch=then_g, else_branch=else_g)], 't',
                     [h.make_tensor_value_info('c', T.BOOL, []), h.make_tensor_value_info('x', T.FLOAT, ['n', 5])], [h.make_tensor_value_info('y', T.FLOAT, None)])
    r = reference_of_model(h.make_model(g, opset_imports=[h.make_opsetid('', 13)]), [{'name': 'x', 'shape': [2, 5]}])
    checks.append(('If larger branch', r['macs'], 2 * 5 * 12))
    checks.append(('If parameters', r['parameters'], 30 + 60))
    bad = [(n, got, want) for n, got, want in checks if got != want]
    for n, got, want in checks:
        print(f"{'ok  ' if got == want else 'FAIL'} {n}: {got} (expected {want})", file=sys.stderr)
    if bad:
        raise SystemExit(1)


def main():
    if sys.argv[1:] == ['--self-test']:
        return self_test()
    zoo = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '.cache', 'zoo'))
    with open(os.path.join(zoo, 'zoo-manifest.json')) as f:
        manifest = json.load(f)
    models = {}
    for entry in manifest['models']:
        t0 = time.time()
        r = reference(os.path.join(zoo, entry['file']), entry)
        models[entry['file']] = r
        print(f"{entry['file']}: {r['macs'] / 1e9:.3f} GMACs, {r['parameters'] / 1e6:.3f} M parameters"
              f"{'' if r['complete'] else ' (INCOMPLETE: ' + '; '.join(r['unknown'][:3]) + ')'} ({time.time() - t0:.1f} s)", file=sys.stderr)
    with open(os.path.join(zoo, 'zoo-reference.json'), 'w') as f:
        json.dump({'onnx': onnx.__version__, 'conventions': CONVENTIONS, 'models': models}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
