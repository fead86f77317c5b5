#!/usr/bin/python3
"""Exports real PyTorch models to ONNX for the recogniser's tests (test/fixtures/onnx/torch/).

Run with Debian's interpreter after `apt-get install -y python3-torch python3-onnx`:

    /usr/bin/python3 scripts/make-torch-fixtures.py

The networks are written here from the papers' definitions (NAS-Bench-201's TinyNetwork, HW-NAS-Bench's
FBNet CIFAR skeleton, OFA MobileNetV3-Large width 1.0) plus one model outside the spaces (a small CIFAR
ResNet). Exporter settings vary: opset 11/13/17, eval mode (BatchNorm folded into Conv) or training mode
(BatchNorm kept), constant folding on/off, renamed and dynamic-batch inputs.

Sizes: NAS-Bench-201 and the ResNet keep their float32 weights inline (about 1.5 MB each at most). FBNet and
OFA networks at their fixed widths are 10-25 MB each, so they are saved with every initializer as external
data and the external data file is not kept: the graph (all the recogniser needs) stays a few tens of KB,
and the reader's handling of data_location = EXTERNAL is exercised. onnxruntime cannot run those two.

Writes torch-manifest.json beside the models: per file, the exported SPEC, the SPEC recognition must report
(identity FBNet skips canonically first within a stage; OFA slots beyond a stage's depth as ks 3 / e 3) and
the exporter settings.
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

try:
    import onnx
except ImportError:  # pragma: no cover
    onnx = None

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx', 'torch')

# ----------------------------------------------------------------------------------------------------------
# NAS-Bench-201 (Dong & Yang, ICLR 2020): stem, 3 stages of 5 cells (C = 16, 32, 64) with residual
# reduction blocks between them, BN + ReLU, global pooling, linear classifier.


class ReLUConvBN(nn.Sequential):
    def __init__(self, cin, cout, k, stride):
        super().__init__(nn.ReLU(inplace=False), nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout))


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


def nb201_op(name, c):
    if name == 'none':
        return Zero()
    if name == 'skip_connect':
        return nn.Identity()
    if name == 'nor_conv_1x1':
        return ReLUConvBN(c, c, 1, 1)
    if name == 'nor_conv_3x3':
        return ReLUConvBN(c, c, 3, 1)
    if name == 'avg_pool_3x3':
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(name)


def parse_cell(spec):
    nodes = []
    for chunk in spec.strip('|').split('|+|'):
        nodes.append([(tok.split('~')[0], int(tok.split('~')[1])) for tok in chunk.split('|')])
    return nodes


class Cell(nn.Module):
    def __init__(self, spec, c):
        super().__init__()
        self.nodes = parse_cell(spec)
        self.ops = nn.ModuleList([nb201_op(op, c) for node in self.nodes for op, _ in node])

    def forward(self, x):
        states = [x]
        i = 0
        for node in self.nodes:
            terms = []
            for _, j in node:
                terms.append(self.ops[i](states[j]))
                i += 1
            states.append(sum(terms))
        return states[-1]


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.a = ReLUConvBN(cin, cout, 3, 2)
        self.b = ReLUConvBN(cout, cout, 3, 1)
        self.down = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(cin, cout, 1, bias=False))

    def forward(self, x):
        return self.down(x) + self.b(self.a(x))


class NasBench201(nn.Module):
    def __init__(self, spec, classes=100):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16))
        layers = []
        c = 16
        for stage in range(3):
            if stage:
                layers.append(ResBlock(c, 2 * c))
                c *= 2
            layers += [Cell(spec, c) for _ in range(5)]
        self.cells = nn.Sequential(*layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        x = self.pool(self.lastact(self.cells(self.stem(x))))
        return self.fc(x.view(x.size(0), -1))


# ----------------------------------------------------------------------------------------------------------
# FBNet as in HW-NAS-Bench (CIFAR setting): 3x3 stem (16), 22 searchable layers in 7 stages, 1x1 head
# (1504), pooling, classifier.

FB_LAYERS = [1, 4, 4, 4, 4, 4, 1]
FB_CHANNELS = [16, 24, 32, 64, 112, 184, 352]
FB_STRIDES = [1, 1, 2, 2, 1, 2, 1]


def conv_bn(cin, cout, k, stride, pad, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, groups=groups, bias=False), nn.BatchNorm2d(cout))


class Shuffle(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, x):
        n, c, h, w = x.size()
        return x.view(n, self.g, c // self.g, h, w).transpose(1, 2).contiguous().view(n, c, h, w)


class FbBlock(nn.Module):
    def __init__(self, cin, cout, k, e, g, stride):
        super().__init__()
        mid = cin * e
        self.res = cin == cout and stride == 1
        self.pw1 = conv_bn(cin, mid, 1, 1, 0, g)
        self.shuffle = Shuffle(g) if g > 1 else nn.Identity()
        self.dw = conv_bn(mid, mid, k, stride, math.ceil((k - stride) / 2), mid)
        self.pw2 = conv_bn(mid, cout, 1, 1, 0, g)

    def forward(self, x):
        y = self.pw2(F.relu(self.dw(self.shuffle(F.relu(self.pw1(x))))))
        return y + x if self.res else y


class FbSkip(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Sequential(conv_bn(cin, cout, 1, stride, 0), nn.ReLU()) if stride != 1 or cin != cout else None

    def forward(self, x):
        return self.conv(x) if self.conv is not None else x


def fb_layers():
    out = []
    cin = 16
    for n, c, s in zip(FB_LAYERS, FB_CHANNELS, FB_STRIDES):
        for i in range(n):
            out.append((cin, c, s if i == 0 else 1))
            cin = c
    return out


class Fbnet(nn.Module):
    def __init__(self, ops):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(3, 16, 3, 1, 1), nn.ReLU())
        blocks = []
        for op, (cin, cout, s) in zip(ops, fb_layers()):
            if op == 'skip':
                blocks.append(FbSkip(cin, cout, s))
            else:
                parts = op.split('_')
                blocks.append(FbBlock(cin, cout, int(parts[0][1]), int(parts[1][1]), 2 if len(parts) > 2 else 1, s))
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(conv_bn(352, 1504, 1, 1, 0), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(1504, 100)

    def forward(self, x):
        x = self.pool(self.head(self.blocks(self.stem(x))))
        return self.fc(x.view(x.size(0), -1))


def fb_canonical(ops):
    """Identity skips leave no trace: recognition reports them first among a stage's stride-1 layers."""
    ops = list(ops)
    layers = fb_layers()
    start = 0
    for n in FB_LAYERS:
        idx = [i for i in range(start, start + n) if layers[i][0] == layers[i][1] and layers[i][2] == 1]
        vals = [ops[i] for i in idx]
        vals = [v for v in vals if v == 'skip'] + [v for v in vals if v != 'skip']
        for i, v in zip(idx, vals):
            ops[i] = v
        start += n
    return ops


# ----------------------------------------------------------------------------------------------------------
# OFA MobileNetV3-Large, width 1.0.

OFA_CHANNELS = [24, 40, 80, 112, 160]
OFA_STRIDES = [2, 2, 2, 1, 2]
OFA_SE = [False, True, False, True, True]
OFA_HSWISH = [False, False, True, True, True]


def make_divisible(v, d=8):
    r = max(d, int(v + d / 2) // d * d)
    return r + d if r < 0.9 * v else r


class HSwishManual(nn.Module):
    """x * relu6(x + 3) / 6, as OFA writes it (exports as Add, Clip, Mul, Div)."""

    def forward(self, x):
        return x * F.relu6(x + 3.0) / 6.0


class HSigmoidManual(nn.Module):
    def forward(self, x):
        return F.relu6(x + 3.0) / 6.0


class SE(nn.Module):
    def __init__(self, c, builtin):
        super().__init__()
        m = make_divisible(c // 4)
        self.reduce = nn.Conv2d(c, m, 1)
        self.expand = nn.Conv2d(m, c, 1)
        self.gate = nn.Hardsigmoid() if builtin else HSigmoidManual()

    def forward(self, x):
        y = x.mean(3, keepdim=True).mean(2, keepdim=True)
        return x * self.gate(self.expand(F.relu(self.reduce(y))))


class MBConv(nn.Module):
    def __init__(self, cin, cout, k, e, stride, se, hswish, builtin):
        super().__init__()
        mid = make_divisible(round(cin * e))
        act = (nn.Hardswish() if builtin else HSwishManual()) if hswish else nn.ReLU()
        self.res = stride == 1 and cin == cout
        layers = [conv_bn(cin, mid, 1, 1, 0), act, conv_bn(mid, mid, k, stride, k // 2, mid), act]
        if se:
            layers.append(SE(mid, builtin))
        layers.append(conv_bn(mid, cout, 1, 1, 0))
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        y = self.body(x)
        return y + x if self.res else y


class Ofa(nn.Module):
    def __init__(self, cfg, builtin):
        super().__init__()
        hs = nn.Hardswish() if builtin else HSwishManual()
        self.stem = nn.Sequential(conv_bn(3, 16, 3, 2, 1), hs)
        self.first = nn.Sequential(conv_bn(16, 16, 3, 1, 1, 16), nn.ReLU(), conv_bn(16, 16, 1, 1, 0))
        blocks = []
        cin = 16
        for s in range(5):
            for j in range(cfg['d'][s]):
                b = 4 * s + j
                blocks.append(MBConv(cin, OFA_CHANNELS[s], cfg['ks'][b], cfg['e'][b], OFA_STRIDES[s] if j == 0 else 1, OFA_SE[s], OFA_HSWISH[s], builtin))
                cin = OFA_CHANNELS[s]
        self.blocks = nn.Sequential(*blocks)
        self.final = nn.Sequential(conv_bn(160, 960, 1, 1, 0), hs)
        self.mix = nn.Sequential(nn.Conv2d(960, 1280, 1, bias=False), hs)
        self.fc = nn.Linear(1280, 1000)

    def forward(self, x):
        x = self.stem(x)
        x = self.first(x) + x
        x = self.final(self.blocks(x))
        x = self.mix(x.mean(3, keepdim=True).mean(2, keepdim=True))
        return self.fc(torch.flatten(x, 1))


def ofa_canonical(cfg):
    ks, e = list(cfg['ks']), list(cfg['e'])
    for b in range(20):
        if b % 4 >= cfg['d'][b // 4]:
            ks[b], e[b] = 3, 3
    return {'ks': ks, 'e': e, 'd': cfg['d'], 'r': cfg['r']}


# ----------------------------------------------------------------------------------------------------------
# Outside the spaces: a small CIFAR ResNet (3 stages of one basic block, 16/32/64 channels).


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = conv_bn(cin, cout, 3, stride, 1)
        self.b = conv_bn(cout, cout, 3, 1, 1)
        self.short = conv_bn(cin, cout, 1, stride, 0) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return F.relu(self.b(F.relu(self.a(x))) + self.short(x))


class SmallResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(3, 16, 3, 1, 1), nn.ReLU())
        self.layers = nn.Sequential(Basic(16, 16, 1), Basic(16, 32, 2), Basic(32, 64, 2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.layers(self.stem(x))), 1))


# ----------------------------------------------------------------------------------------------------------


def randomise_bn(model):
    # Non-trivial BatchNorm statistics so that folding really changes the weights.
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)


def export(model, name, size, opset, train=False, fold=True, input_name='input', dynamic=False, external=False):
    model.eval()
    randomise_bn(model)
    path = os.path.join(OUT, name)
    x = torch.randn(1, 3, size, size)
    kw = dict(opset_version=opset, do_constant_folding=fold, input_names=[input_name], output_names=['logits'])
    if train:
        model.train()
        kw['training'] = torch.onnx.TrainingMode.TRAINING
    if dynamic:
        kw['dynamic_axes'] = {input_name: {0: 'batch'}, 'logits': {0: 'batch'}}
    torch.onnx.export(model, x, path, **kw)
    settings = {'opset': opset, 'bn': 'kept (training mode)' if train else 'folded (eval)', 'constant_folding': fold, 'input': input_name, 'dynamic_batch': dynamic}
    if external:
        m = onnx.load(path)
        data = name + '.data'
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True, location=data, size_threshold=0)
        os.remove(os.path.join(OUT, data))
        settings['weights'] = 'external data, file not kept'
    return settings


def main():
    if onnx is None:
        sys.exit('python3-onnx is needed (apt-get install -y python3-onnx)')
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    manifest = []

    def add(file, space, spec, expected, settings):
        manifest.append({'file': file, 'space': space, 'spec': spec, 'expected': expected, 'settings': settings})
        print(file, os.path.getsize(os.path.join(OUT, file)), 'bytes', file=sys.stderr)

    nb = [
        ('nb201-a.onnx', '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|', dict(opset=11)),
        ('nb201-b.onnx', '|none~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|', dict(opset=13, train=True, input_name='images')),
        ('nb201-c.onnx', '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|none~2|', dict(opset=17, fold=False, dynamic=True)),
        ('nb201-d.onnx', '|skip_connect~0|+|none~0|skip_connect~1|+|none~0|avg_pool_3x3~1|nor_conv_1x1~2|', dict(opset=13)),
        ('nb201-e.onnx', '|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|', dict(opset=17, train=True)),
    ]
    for file, spec, kw in nb:
        add(file, 'nasbench201', spec, spec, export(NasBench201(spec), file, 32, **kw))

    fb = [
        ('fbnet-a.onnx', ['k3_e6', 'k5_e1_g2', 'k3_e1', 'skip', 'k5_e3', 'k3_e1_g2', 'skip', 'k5_e6', 'k3_e3', 'k5_e1', 'skip', 'k3_e6',
                          'k5_e6', 'k3_e1', 'k5_e1_g2', 'skip', 'k3_e3', 'k5_e3', 'k3_e6', 'skip', 'k5_e1', 'k3_e3'], dict(opset=13)),
        ('fbnet-b.onnx', ['skip', 'skip', 'k3_e1_g2', 'k5_e1', 'skip', 'k5_e6', 'k3_e3', 'skip', 'k3_e1', 'skip', 'k5_e3', 'k5_e1_g2',
                          'k3_e6', 'skip', 'skip', 'k5_e1', 'skip', 'k3_e1_g2', 'k3_e1', 'k5_e6', 'skip', 'skip'], dict(opset=11, train=True, input_name='x')),
    ]
    for file, ops, kw in fb:
        add(file, 'fbnet', ops, fb_canonical(ops), export(Fbnet(ops), file, 32, external=True, **kw))

    ofa = [
        ('ofa-a.onnx', {'ks': [3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 3, 3, 3, 5, 5, 5, 5], 'e': [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 4, 6, 6, 6, 6],
                        'd': [2, 3, 4, 2, 3], 'r': 160}, dict(opset=13), False),
        ('ofa-b.onnx', {'ks': [7, 5, 5, 5, 7, 7, 5, 7, 5, 7, 3, 7, 5, 3, 7, 3, 5, 3, 5, 3], 'e': [6, 4, 4, 6, 6, 3, 4, 3, 3, 6, 3, 3, 3, 6, 3, 4, 6, 4, 3, 6],
                        'd': [4, 2, 3, 4, 2], 'r': 224}, dict(opset=17, fold=False, input_name='pixel_values'), True),
    ]
    for file, cfg, kw, builtin in ofa:
        add(file, 'ofa', cfg, ofa_canonical(cfg), export(Ofa(cfg, builtin), file, cfg['r'], external=True, **kw))

    add('resnet-small.onnx', None, None, None, export(SmallResNet(), 'resnet-small.onnx', 32, opset=13))

    with open(os.path.join(OUT, 'torch-manifest.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'onnx': onnx.__version__, 'models': manifest}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
