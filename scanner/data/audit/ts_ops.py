#!/usr/bin/python3
"""Learns the operators real TorchScript code calls.

  ts_ops.py OUT     write scanner/data/torchscript-ops.txt

Scripts and traces common models (torchvision's classification models and
torch.nn's layers) with python3-torch, saves each as torch.jit.save does,
and lists every torch.* / ops.* call in the code/ sources of the archives,
with the first model that uses it.  The scanner reports a call outside this
list as suspicious (code.c); file, library-loading and save/load operators
are malicious whatever this list says.
"""
import io
import re
import sys
import warnings
import zipfile

CALL = re.compile(r'\b((?:torch|ops)(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\(')
STR = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
DENIED = {'from_file', 'save', 'load', 'load_library'}


def models():
    import torch
    import torch.nn as nn
    out = []
    try:
        import torchvision.models as tvm
        for name in ('resnet18', 'mobilenet_v2', 'mobilenet_v3_small',
                     'squeezenet1_1', 'alexnet', 'vgg11', 'densenet121',
                     'shufflenet_v2_x0_5', 'mnasnet0_5', 'efficientnet_b0',
                     'regnet_y_400mf', 'convnext_tiny', 'googlenet',
                     'vit_b_16', 'resnext50_32x4d', 'wide_resnet50_2'):
            fn = getattr(tvm, name, None)
            if fn is None:
                continue
            try:
                m = fn(weights=None)
            except TypeError:
                m = fn()
            m.eval()
            out.append(('torchvision.' + name, m, torch.randn(1, 3, 224, 224)))
    except ImportError:
        pass
    layers = [
        ('nn.LSTM', nn.LSTM(8, 8, batch_first=True), torch.randn(2, 3, 8)),
        ('nn.GRU', nn.GRU(8, 8), torch.randn(3, 2, 8)),
        ('nn.TransformerEncoder', nn.TransformerEncoder(
            nn.TransformerEncoderLayer(8, 2, 16), 2), torch.randn(3, 2, 8)),
        ('nn.Embedding', nn.Embedding(10, 4), torch.tensor([[1, 2]])),
        ('nn.Sequential', nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4),
                                        nn.GELU(), nn.Dropout(0.1),
                                        nn.Linear(4, 2), nn.Softmax(-1)),
         torch.randn(2, 4)),
        ('nn.Conv1d', nn.Sequential(nn.Conv1d(2, 2, 3), nn.BatchNorm1d(2),
                                    nn.ReLU(), nn.MaxPool1d(2)),
         torch.randn(1, 2, 10)),
    ]
    out.extend(layers)
    return out


def code_of(m):
    buf = io.BytesIO()
    import torch
    torch.jit.save(m, buf)
    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    for n in z.namelist():
        if '/code/' in n and n.endswith('.py'):
            yield z.read(n).decode('utf-8', 'replace')


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    import torch
    warnings.simplefilter('ignore')
    seen = {}
    for name, m, x in models():
        for how in ('script', 'trace'):
            try:
                sm = torch.jit.script(m) if how == 'script' else \
                    torch.jit.trace(m, x, check_trace=False)
            except Exception:
                continue
            for text in code_of(sm):
                for mo in CALL.finditer(STR.sub('', text)):
                    op = mo.group(1)
                    if op.rsplit('.', 1)[1] not in DENIED:
                        seen.setdefault(op, '%s (%s)' % (name, how))
    with open(argv[1], 'w') as f:
        f.write('# Operators real TorchScript code calls, learned by ts_ops.py from\n'
                '# models scripted and traced with torch %s; a call outside this\n'
                '# list in an archive\'s code/ is suspicious.  One a line: OP  FIRST SEEN IN\n'
                % torch.__version__)
        for op in sorted(seen):
            f.write('%s  %s\n' % (op, seen[op]))
    print('%d operators' % len(seen))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
