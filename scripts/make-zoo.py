#!/usr/bin/python3
"""Exports the model zoo of issue 15: real architectures with random weights, for checking the graph analysis
(scripts/zoo-reference-counts.py, bench/zoo-check.ts) and the latency model on models people actually have.

Run with Debian's interpreter after `apt-get install -y python3-torch python3-torchvision python3-onnx`:

    /usr/bin/python3 scripts/make-zoo.py [OUT_DIR] [--only NAME,NAME]     (default OUT_DIR: .cache/zoo/)

The models are not committed (ViT-B/16 alone is ~350 MB); OUT_DIR/zoo-manifest.json lists, per model, the
file, its family, the concrete input shapes it is used with, which input dims are dynamic (exported with
dynamic_axes, so the file holds a symbolic name there), the opset and the exporter settings.

Weights are random (torch.manual_seed(0) before each model; BatchNorm statistics randomised too, so that
folding changes the weights). Eval mode unless a model says otherwise. torchvision definitions with
weights=None; the text encoder, the recurrent models, the UNet and the If models are written here; the NAS
exports reuse scripts/make-torch-fixtures.py's definitions (imported, not copied).
"""
import importlib.util
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import onnx

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')


def load_fixture_definitions():
    spec = importlib.util.spec_from_file_location('make_torch_fixtures', os.path.join(ROOT, 'scripts', 'make-torch-fixtures.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ----------------------------------------------------------------------------------------------------------
# A BERT-mini-like text encoder (4 layers, hidden 256, 4 heads, FFN 1024; Turc et al. 2019's BERT-Mini), written
# the way Hugging Face's BertModel is, so the export has what real text encoders have: token + position + type
# embeddings (Gather), positions sliced from a buffer to the dynamic sequence length (Shape -> Slice), heads
# split with view(size()[:-1] + (h, d)) (Shape -> Gather -> Concat -> Reshape), an additive attention mask from
# an int64 mask input, batched MatMuls, Softmax, GELU (Erf), LayerNorm (decomposed below opset 17), a pooler.


class BertLayer(nn.Module):
    def __init__(self, hidden, heads, ffn):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.o = nn.Linear(hidden, hidden)
        self.ln1 = nn.LayerNorm(hidden, eps=1e-12)
        self.ff1 = nn.Linear(hidden, ffn)
        self.ff2 = nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=1e-12)

    def split(self, x):
        d = x.size(-1) // self.heads
        return x.view(x.size()[:-1] + (self.heads, d)).permute(0, 2, 1, 3)

    def forward(self, x, mask):
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.size(-1)) + mask
        ctx = torch.matmul(scores.softmax(-1), v).permute(0, 2, 1, 3).contiguous()
        ctx = ctx.view(ctx.size()[:-2] + (ctx.size(-2) * ctx.size(-1),))
        x = self.ln1(x + self.o(ctx))
        return self.ln2(x + self.ff2(F.gelu(self.ff1(x))))


class BertMini(nn.Module):
    def __init__(self, vocab=30522, hidden=256, layers=4, heads=4, ffn=1024, max_pos=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.typ = nn.Embedding(2, hidden)
        self.register_buffer('position_ids', torch.arange(max_pos).unsqueeze(0))
        self.ln = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList([BertLayer(hidden, heads, ffn) for _ in range(layers)])
        self.pool = nn.Linear(hidden, hidden)

    def forward(self, input_ids, attention_mask):
        s = input_ids.size(1)
        pos = self.position_ids[:, :s]
        x = self.ln(self.tok(input_ids) + self.pos(pos) + self.typ(torch.zeros_like(input_ids)))
        mask = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, mask)
        return x, torch.tanh(self.pool(x[:, 0]))


# ----------------------------------------------------------------------------------------------------------
# Recurrent models: a 2-layer LSTM sequence classifier (nn.LSTM exports to one ONNX LSTM op per layer) and a
# bidirectional GRU tagger (ONNX GRU with direction = bidirectional).


class LstmClassifier(nn.Module):
    def __init__(self, feats=64, hidden=256, layers=2, classes=10):
        super().__init__()
        self.lstm = nn.LSTM(feats, hidden, num_layers=layers, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(y[:, -1])


class GruTagger(nn.Module):
    def __init__(self, feats=40, hidden=128, classes=32):
        super().__init__()
        self.gru = nn.GRU(feats, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, classes)

    def forward(self, x):
        y, _ = self.gru(x)
        return self.fc(y)


# ----------------------------------------------------------------------------------------------------------
# UNet (Ronneberger et al. 2015) with padded 3x3 convolutions, BatchNorm, 2x2 max pooling and 2x2 stride-2
# ConvTranspose upsampling, base width 32, four levels; dynamic batch, height and width.


def double_conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, cin=3, classes=2, base=32, depth=4):
        super().__init__()
        ch = [base * 2 ** i for i in range(depth + 1)]
        self.down = nn.ModuleList([double_conv(cin, ch[0])] + [double_conv(ch[i], ch[i + 1]) for i in range(depth)])
        self.up = nn.ModuleList([nn.ConvTranspose2d(ch[i + 1], ch[i], 2, stride=2) for i in reversed(range(depth))])
        self.dec = nn.ModuleList([double_conv(2 * ch[i], ch[i]) for i in reversed(range(depth))])
        self.head = nn.Conv2d(ch[0], classes, 1)

    def forward(self, x):
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        skips.pop()
        for up, dec in zip(self.up, self.dec):
            x = dec(torch.cat([skips.pop(), up(x)], 1))
        return self.head(x)


# ----------------------------------------------------------------------------------------------------------
# Models with If subgraphs: a voice-activity-style 1-D conv net over raw audio whose encoder is chosen by a
# data-dependent branch (torch.jit.script keeps the Python `if` as an ONNX If). Each branch has its own
# weights. Exported three ways: scripted ("if_vad": the weights are main-graph initializers the branches read);
# the same with every weight used by one branch only moved into that branch's own initializers
# ("if_vad_inner"); and frozen (torch.jit.freeze: every weight is a Constant node) with the branch weights'
# Constant nodes moved into the branches ("if_vad_frozen"; the head's weights stay main-graph Constants). The
# last two are where third-party exports (e.g. voice-activity models) keep their weights.


# The VAD's branch depends on the input's loudness (mean |audio| > 0.1): inputs drawn uniformly from [-1, 1]
# (mean |x| 0.5) take the `loud` encoder, from [-0.05, 0.05] (0.025) the `quiet` one. The manifest lists both,
# and bench:zoo times the model on each (its latency depends on the data; the prediction counts each branch
# in half of the runs).
VAD_BRANCH_INPUTS = [{'label': 'loud', 'scale': 1.0}, {'label': 'quiet', 'scale': 0.05}]


class VadEncoder(nn.Module):
    def __init__(self, widths, kernels, strides):
        super().__init__()
        layers = []
        cin = 1
        for w, k, s in zip(widths, kernels, strides):
            layers += [nn.Conv1d(cin, w, k, stride=s, padding=k // 2), nn.ReLU()]
            cin = w
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x)


class IfVad(nn.Module):
    def __init__(self):
        super().__init__()
        self.loud = VadEncoder([32, 64, 64, 128], [9, 5, 5, 3], [4, 2, 2, 2])
        self.quiet = VadEncoder([48, 96, 128, 128], [15, 7, 5, 3], [4, 2, 2, 2])
        self.head = nn.Linear(128, 1)

    def forward(self, audio):
        x = audio.unsqueeze(1)
        if bool(audio.abs().mean() > 0.1):
            h = self.loud(x)
        else:
            h = self.quiet(x)
        return torch.sigmoid(self.head(h.mean(-1)))


def graph_inputs_read(graph):
    """Names a graph (and the subgraphs inside it) reads."""
    names = set()
    for node in graph.node:
        names.update(node.input)
        for a in node.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                names |= graph_inputs_read(a.g)
            for g in a.graphs:
                names |= graph_inputs_read(g)
    return names


def move_branch_weights_inside(model):
    """Moves each main-graph initializer or Constant node read by exactly one If branch, and nowhere else in the
    main graph, into that branch (initializers stay initializers, Constant nodes are prepended to the branch)."""
    g = model.graph
    main_reads = set()
    branches = []
    for node in g.node:
        main_reads.update(node.input)
        if node.op_type == 'If':
            branches += [a.g for a in node.attribute if a.type == onnx.AttributeProto.GRAPH]
    reads = [graph_inputs_read(b) for b in branches]
    owner = lambda name: [b for b, r in zip(branches, reads) if name in r]
    moved = 0
    keep = []
    for init in g.initializer:
        users = owner(init.name)
        if init.name not in main_reads and len(users) == 1:
            users[0].initializer.append(init)
            moved += 1
        else:
            keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep)
    keep_nodes = []
    for node in g.node:
        users = owner(node.output[0]) if node.op_type == 'Constant' else []
        if node.op_type == 'Constant' and node.output[0] not in main_reads and len(users) == 1:
            users[0].node.insert(0, node)
            moved += 1
        else:
            keep_nodes.append(node)
    del g.node[:]
    g.node.extend(keep_nodes)
    return moved


# ----------------------------------------------------------------------------------------------------------
# A model with a Loop subgraph: a hand-written Elman RNN stepped over the time axis in TorchScript; the trip
# count is the input's dynamic length (Shape -> Gather), the step's weights are read from the main graph.


class ScriptedRnn(nn.Module):
    def __init__(self, feats=80, hidden=256, classes=10):
        super().__init__()
        self.inp = nn.Linear(feats, hidden)
        self.rec = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, classes)

    def forward(self, x):
        h = torch.zeros(x.size(0), self.rec.in_features)
        for t in range(x.size(1)):
            h = torch.tanh(self.inp(x[:, t]) + self.rec(h))
        return self.out(h)


# ----------------------------------------------------------------------------------------------------------


def randomise_bn(model):
    gen = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)


def zoo(fx):
    """(file, family, builder, inputs [(name, shape, dtype, {axis: dim name})], outputs, opset, extra settings)."""
    img = lambda dyn: [('input', [1, 3, 224, 224], torch.float32, {0: 'batch'} if dyn else {})]
    tv = torchvision.models
    nb201_spec = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'
    fb_ops = ['k3_e6', 'k5_e1_g2', 'k3_e1', 'skip', 'k5_e3', 'k3_e1_g2', 'skip', 'k5_e6', 'k3_e3', 'k5_e1', 'skip', 'k3_e6',
              'k5_e6', 'k3_e1', 'k5_e1_g2', 'skip', 'k3_e3', 'k5_e3', 'k3_e6', 'skip', 'k5_e1', 'k3_e3']
    ofa_cfg = {'ks': [3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 3, 3, 3, 5, 5, 5, 5], 'e': [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 4, 6, 6, 6, 6],
               'd': [2, 3, 4, 2, 3], 'r': 224}
    return [
        ('resnet18.onnx', 'resnet', lambda: tv.resnet18(weights=None), img(True), ['logits'], 13, {}),
        ('resnet50.onnx', 'resnet', lambda: tv.resnet50(weights=None), img(False), ['logits'], 13, {}),
        ('mobilenet_v2.onnx', 'mobilenet', lambda: tv.mobilenet_v2(weights=None), img(True), ['logits'], 13, {}),
        ('mobilenet_v3_small.onnx', 'mobilenet', lambda: tv.mobilenet_v3_small(weights=None), img(False), ['logits'], 14, {}),
        ('mobilenet_v3_large.onnx', 'mobilenet', lambda: tv.mobilenet_v3_large(weights=None), img(False), ['logits'], 17, {}),
        ('efficientnet_b0.onnx', 'efficientnet', lambda: tv.efficientnet_b0(weights=None), img(False), ['logits'], 13, {}),
        ('vit_tiny.onnx', 'vit', lambda: tv.VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=3, hidden_dim=192, mlp_dim=768),
         img(True), ['logits'], 17, {}),
        ('vit_b_16.onnx', 'vit', lambda: tv.vit_b_16(weights=None), img(False), ['logits'], 14, {}),
        ('bert_mini.onnx', 'bert', BertMini,
         [('input_ids', [1, 128], torch.int64, {0: 'batch', 1: 'sequence'}), ('attention_mask', [1, 128], torch.int64, {0: 'batch', 1: 'sequence'})],
         ['last_hidden_state', 'pooler_output'], 14, {}),
        ('lstm_2layer.onnx', 'lstm', LstmClassifier, [('features', [1, 100, 64], torch.float32, {0: 'batch', 1: 'time'})], ['logits'], 13, {}),
        ('gru_bidirectional.onnx', 'gru', GruTagger, [('features', [1, 200, 40], torch.float32, {1: 'time'})], ['tags'], 13, {}),
        ('unet.onnx', 'unet', UNet, [('image', [1, 3, 256, 256], torch.float32, {0: 'batch', 2: 'height', 3: 'width'})], ['mask'], 13, {}),
        ('if_vad.onnx', 'if-model', IfVad, [('audio', [1, 512], torch.float32, {1: 'samples'})], ['speech'], 13, {'script': True, 'branch_inputs': VAD_BRANCH_INPUTS}),
        ('if_vad_inner.onnx', 'if-model', IfVad, [('audio', [1, 512], torch.float32, {1: 'samples'})], ['speech'], 13,
         {'script': True, 'weights_inside_branches': True, 'branch_inputs': VAD_BRANCH_INPUTS}),
        ('if_vad_frozen.onnx', 'if-model', IfVad, [('audio', [1, 512], torch.float32, {1: 'samples'})], ['speech'], 13,
         {'script': True, 'frozen': True, 'weights_inside_branches': True, 'branch_inputs': VAD_BRANCH_INPUTS}),
        ('loop_rnn.onnx', 'loop-model', ScriptedRnn, [('features', [1, 50, 80], torch.float32, {0: 'batch', 1: 'time'})], ['logits'], 13,
         {'script': True}),
        ('nas_nb201.onnx', 'nas', lambda: fx.NasBench201(nb201_spec), [('input', [1, 3, 32, 32], torch.float32, {})], ['logits'], 13,
         {'space': 'nasbench201', 'spec': nb201_spec}),
        ('nas_fbnet.onnx', 'nas', lambda: fx.Fbnet(fb_ops), [('input', [1, 3, 32, 32], torch.float32, {})], ['logits'], 13,
         {'space': 'fbnet', 'spec': fb_ops}),
        ('nas_ofa.onnx', 'nas', lambda: fx.Ofa(ofa_cfg, True), [('input', [1, 3, 224, 224], torch.float32, {})], ['logits'], 13,
         {'space': 'ofa', 'spec': ofa_cfg}),
    ]


def example(shape, dtype):
    if dtype == torch.int64:
        return torch.randint(0, 1000, shape) if len(shape) == 2 else torch.ones(shape, dtype=torch.int64)
    return torch.randn(shape)


def main():
    args = sys.argv[1:]
    only = None
    if '--only' in args:
        i = args.index('--only')
        only = set(args[i + 1].split(','))
        del args[i:i + 2]
    out = os.path.abspath(args[0] if args else os.path.join(ROOT, '.cache', 'zoo'))
    os.makedirs(out, exist_ok=True)
    fx = load_fixture_definitions()
    manifest_path = os.path.join(out, 'zoo-manifest.json')
    previous = {}
    if only and os.path.exists(manifest_path):
        with open(manifest_path) as f:
            previous = {m['file']: m for m in json.load(f)['models']}
    entries = []
    started = time.time()
    models = zoo(fx)
    if only:
        unknown = only - {f for f, *_ in models} - {f.removesuffix('.onnx') for f, *_ in models}
        if unknown:
            sys.exit(f'--only: no zoo model named {", ".join(sorted(unknown))}')
    for file, family, build, inputs, outputs, opset, extra in models:
        if only and file not in only and file.removesuffix('.onnx') not in only:
            if file in previous:
                entries.append(previous[file])
            continue
        t0 = time.time()
        torch.manual_seed(0)
        model = build()
        randomise_bn(model)
        model.eval()
        xs = tuple(example(shape, dtype) if name != 'attention_mask' else torch.ones(shape, dtype=torch.int64) for name, shape, dtype, _ in inputs)
        dynamic = {name: dict(axes) for name, _, _, axes in inputs if axes}
        path = os.path.join(out, file)
        kw = dict(opset_version=opset, do_constant_folding=True, input_names=[i[0] for i in inputs], output_names=outputs)
        if dynamic:
            kw['dynamic_axes'] = dynamic
        # Not under torch.no_grad(): without autograd, nn.MultiheadAttention takes its fused fast path
        # (aten::_native_multi_head_attention), which torch 1.13 cannot export.
        if extra.get('script'):
            scripted = torch.jit.script(model)
            torch.onnx.export(torch.jit.freeze(scripted) if extra.get('frozen') else scripted, xs, path, **kw)
        else:
            torch.onnx.export(model, xs, path, **kw)
        m = onnx.load(path)
        settings = {k: v for k, v in extra.items() if k != 'branch_inputs'}
        if extra.get('weights_inside_branches'):
            settings['moved_initializers'] = move_branch_weights_inside(m)
            onnx.save(m, path)
        onnx.checker.check_model(path)
        ops = {}
        for n in m.graph.node:
            ops[n.op_type] = ops.get(n.op_type, 0) + 1
        entries.append({
            'file': file,
            'family': family,
            'inputs': [{'name': name, 'shape': shape, 'dtype': str(dtype).replace('torch.', ''),
                        'dynamic': {str(a): d for a, d in axes.items()}} for name, shape, dtype, axes in inputs],
            'dynamic': bool(dynamic),
            'opset': opset,
            'bytes': os.path.getsize(path),
            'nodes': len(m.graph.node),
            # torch's own count, for a sanity check of the file's: BatchNorm folded into Conv in eval exports
            # leaves fewer, and torch deduplicates identical initializers (e.g. ViT's zero-initialised biases).
            'torchParameters': sum(p.numel() for p in model.parameters()),
            'exportSeconds': round(time.time() - t0, 1),
            'settings': settings,
            **({'branchInputs': extra['branch_inputs']} if 'branch_inputs' in extra else {}),
        })
        print(f'{file}: {os.path.getsize(path) / 1e6:.1f} MB, {len(m.graph.node)} nodes, {time.time() - t0:.1f} s', file=sys.stderr)
    with open(manifest_path, 'w') as f:
        json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'onnx': onnx.__version__,
                   'seed': 0, 'models': entries}, f, indent=1)
        f.write('\n')
    print(f'{len(entries)} models in {out} ({time.time() - started:.0f} s)', file=sys.stderr)


if __name__ == '__main__':
    main()
