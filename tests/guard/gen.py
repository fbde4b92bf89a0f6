#!/usr/bin/python3
"""Inputs of the guard tests (python3 stdlib only; nothing is unpickled).

usage: gen.py OUTDIR [BIG_MB]
  evil.pkl        protocol 0: os.system('echo pwned')
  state.pt        a PyTorch-zip checkpoint as torch.save writes it
  state.pkl       a plain state-dict-like pickle (OrderedDict of floats)
  array.npy       a float32 .npy
  model.safetensors
  notes.txt
  user.pkl        a user's own class (suspicious: not allowlisted, harmless)
  big.pt          (when BIG_MB > 0) a BIG_MB MB PyTorch-zip checkpoint whose
                  storages are zeros (written fast, scanned as clean)
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import types
import zipfile

out = sys.argv[1]
big_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 0
os.makedirs(out, exist_ok=True)


def w(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


w("evil.pkl", b"cos\nsystem\n(S'echo pwned'\ntR.")
w("notes.txt", b"import torch\nlabels: cat, dog\n")
w("user.pkl", b"\x80\x02cmylab.models\nNet\n)\x81}X\x01\x00\x00\x00wK\x01sb.")
w("state.pkl", pickle.dumps(collections.OrderedDict(
    (f"layer{i}.weight", [0.5 * i] * 16) for i in range(8)), protocol=2))
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (16,), }"
hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
w("array.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) +
  hdr.encode() + bytes(64))
meta = json.dumps({"w": {"dtype": "F32", "shape": [4],
                         "data_offsets": [0, 16]}}).encode()
w("model.safetensors", struct.pack("<Q", len(meta)) + meta + bytes(16))

# Stand-ins with torch's names so pickle writes torch's exact globals.
torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")


def _rebuild_tensor_v2(*args):
    raise RuntimeError("never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class FloatStorage:
    pass


FloatStorage.__module__ = "torch"
torch.FloatStorage = FloatStorage
torch._utils = utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = utils


class Storage:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class Tensor:
    def __init__(self, storage, shape):
        self.storage, self.shape = storage, shape

    def __reduce_ex__(self, proto):
        return (_rebuild_tensor_v2, (self.storage, 0, self.shape,
                                     (self.shape[1], 1), False,
                                     collections.OrderedDict()))


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", FloatStorage, obj.key, "cpu", obj.numel)
        return None


def checkpoint(name, n_tensors, tensor_bytes):
    rows = tensor_bytes // 4 // 256
    sd = collections.OrderedDict()
    for i in range(n_tensors):
        sd[f"layers.{i}.weight"] = Tensor(Storage(str(i), rows * 256),
                                          (rows, 256))
    buf = io.BytesIO()
    TorchPickler(buf, protocol=2).dump(sd)
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_STORED,
                         allowZip64=True) as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/byteorder", b"little")
        for i in range(n_tensors):
            with z.open(f"archive/data/{i}", "w", force_zip64=True) as f:
                for _ in range(tensor_bytes >> 20):
                    f.write(zeros)
        z.writestr("archive/version", b"3\n")
        z.writestr("archive/.data/serialization_id", b"1234567890\n")


checkpoint("state.pt", 2, 1 << 20)
if big_mb > 0:
    checkpoint("big.pt", max(1, big_mb // 16), 16 << 20)
