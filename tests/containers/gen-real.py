#!/usr/bin/python3
"""Writes small real model files with PyTorch, NumPy, scikit-learn and joblib.

Run once by a developer (Debian: python3-torch python3-numpy python3-sklearn
python3-joblib python3-lz4); the outputs are committed under
tests/containers/fixtures/real/ so CI needs none of these packages.
Every file here is benign: the tests expect clean, or suspicious for the
ones listed in EXPECT (a pickled nn.Module, a scikit-learn estimator).
Nothing is ever loaded from an untrusted source.

usage: gen-real.py OUTDIR
"""
import os
import sys

import numpy as np
import torch
import joblib
from sklearn.linear_model import LogisticRegression

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
rng = np.random.default_rng(0)


def p(name):
    return os.path.join(out, name)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 3)
        self.bn = torch.nn.BatchNorm1d(3)

    def forward(self, x):
        return self.bn(self.fc(x))


# Raw tensor/array bytes that read like a malicious pickle: a scanner that
# parses raw storage as opcodes flags these, one that skips them does not.
EVIL = b"cos\nsystem\n(S'echo pwned'\ntR."

net = Net()
sd = net.state_dict()
sd["bf16"] = torch.randn(5).to(torch.bfloat16)
sd["half"] = torch.randn(5).half()
sd["cplx"] = torch.randn(3, dtype=torch.complex64)
sd["cdouble"] = torch.randn(2, dtype=torch.complex128)
sd["ints"] = torch.arange(6, dtype=torch.int64).reshape(2, 3)
sd["bools"] = torch.tensor([True, False])
sd["u8"] = torch.arange(4, dtype=torch.uint8)
sd["evil_bytes"] = torch.frombuffer(bytearray(EVIL), dtype=torch.uint8)
sd["view"] = sd["ints"][:, 1]
sd["q"] = torch.quantize_per_tensor(torch.randn(4), 0.1, 10, torch.quint8)
sd["qc"] = torch.quantize_per_channel(torch.randn(2, 3), torch.tensor([0.1, 0.2]),
                                      torch.tensor([0, 1]), 0, torch.qint8)

torch.save(sd, p("state_dict.pt"))
for proto in (2, 3, 4, 5):
    torch.save({"w": torch.randn(3), "epoch": 3, "name": "run"},
               p(f"ckpt_proto{proto}.pt"), pickle_protocol=proto)
torch.save(sd, p("legacy_state_dict.pt"), _use_new_zipfile_serialization=False)
torch.save({"w": torch.randn(3), "b": torch.zeros(2, dtype=torch.bfloat16)},
           p("legacy_proto4.pt"), _use_new_zipfile_serialization=False,
           pickle_protocol=4)

opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
net(torch.randn(2, 4)).sum().backward()
opt.step()
torch.save({"model": net.state_dict(), "optimizer": opt.state_dict(),
            "epoch": 1}, p("optimizer.pt"))
adam = torch.optim.Adam(net.parameters())
net(torch.randn(2, 4)).sum().backward()
adam.step()
torch.save(adam.state_dict(), p("adam.pt"))

# A whole module pickled: legitimate but outside the allowlist.
torch.save(torch.nn.Linear(2, 2), p("module_full.pt"))

scripted = torch.jit.script(net.eval())
torch.jit.save(scripted, p("torchscript.pt"))

np.save(p("numeric.npy"), rng.standard_normal((4, 3)))
np.save(p("evil_bytes.npy"), np.frombuffer(EVIL, dtype=np.uint8))
np.save(p("ints_fortran.npy"), np.asfortranarray(np.arange(12).reshape(3, 4)))
np.save(p("structured.npy"), np.zeros(3, dtype=[("a", "<i4"), ("b", "<f8", (2,))]))
np.save(p("unicode.npy"), np.array(["ab", "cde"]))
np.save(p("object_plain.npy"), np.array([1, "two", [3.0], {"k": 4}], dtype=object),
        allow_pickle=True)
np.savez(p("arrays.npz"), a=np.arange(5), b=rng.standard_normal(3))
np.savez_compressed(p("arrays_compressed.npz"), a=np.arange(100), b=np.ones((4, 4)))

data = {"weights": rng.standard_normal((8, 4)), "bias": np.zeros(4, dtype=np.float32),
        "labels": np.array(["x", "y"]), "meta": {"n": 3},
        "evil_bytes": np.frombuffer(EVIL, dtype=np.uint8),
        "objects": np.array([1, "a"], dtype=object)}
joblib.dump(data, p("joblib_plain.joblib"))
for comp in ("zlib", "gzip", "bz2", "xz", "lzma", "lz4"):
    joblib.dump(data, p(f"joblib_{comp}.joblib"), compress=(comp, 3))

X = rng.standard_normal((20, 3))
y = (X[:, 0] > 0).astype(int)
clf = LogisticRegression().fit(X, y)
joblib.dump(clf, p("sklearn_logreg.joblib"))
