#!/usr/bin/env python3
"""Benchmark inputs for tests/bench/containers.sh (python3 stdlib only).

usage: containers-gen.py OUTDIR [CHECKPOINT_MB]
  OUTDIR/big.pt        a PyTorch-zip checkpoint of ~CHECKPOINT_MB (default
                       1024) MB: archive/data.pkl exactly as torch.save
                       writes it (an OrderedDict of _rebuild_tensor_v2 calls
                       with storage persistent ids) plus stored random
                       archive/data/<key> storages, archive/version,
                       archive/.data/serialization_id
  OUTDIR/many.pt       100,000 one-byte stored members (archive/t<i>) before
                       archive/data.pkl (issue 9: the member torch.load
                       opens is judged first, whatever the member count)
  OUTDIR/bomb-*        decompression bombs around pickles: gzip, zlib
                       (joblib), bzip2, xz, a deflated zip member, and a zip
                       of 16 such members; each declares a 4 GiB BINBYTES8
                       so a scanner has to decompress everything to reach
                       the rest of the pickle.
Nothing here is executed or unpickled; no torch needed.
"""
import bz2
import collections
import lzma
import os
import pickle
import struct
import sys
import types
import zipfile
import zlib

out = sys.argv[1]
size_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
os.makedirs(out, exist_ok=True)

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
        stride = (self.shape[1], 1)
        return (_rebuild_tensor_v2, (self.storage, 0, self.shape, stride,
                                     False, collections.OrderedDict()))


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", FloatStorage, obj.key, "cpu", obj.numel)
        return None


TENSOR_MB = 4
n_tensors = max(1, size_mb // TENSOR_MB)
rows = TENSOR_MB * 1024 * 1024 // 4 // 1024
sd = collections.OrderedDict()
for i in range(n_tensors):
    sd[f"layers.{i}.weight"] = Tensor(Storage(str(i), rows * 1024), (rows, 1024))

import io
buf = io.BytesIO()
TorchPickler(buf, protocol=2).dump(sd)
with zipfile.ZipFile(os.path.join(out, "big.pt"), "w", zipfile.ZIP_STORED,
                     allowZip64=True) as z:
    z.writestr("archive/data.pkl", buf.getvalue())
    z.writestr("archive/byteorder", b"little")
    chunk = TENSOR_MB * 1024 * 1024
    for i in range(n_tensors):
        with z.open(f"archive/data/{i}", "w", force_zip64=True) as f:
            f.write(os.urandom(chunk))
    z.writestr("archive/version", b"3\n")
    z.writestr("archive/.data/serialization_id", b"1234567890\n")

# Bombs: PROTO 4, BINBYTES8 of 4 GiB of zeros, then POP and STOP.
ZEROS = 4 << 30
head = b"\x80\x04\x8e" + struct.pack("<Q", ZEROS)
tail = b"0."


def stream(comp, flush, zeros=ZEROS):
    """The bomb pickle through a compressor.  bzip2 and xz get only 256 MiB
    of the declared zeros (they compress them slowly, and their ratio trips
    the ratio cap within the first MiB anyway)."""
    block = bytes(1 << 20)
    parts = [comp(head)]
    for _ in range(zeros >> 20):
        parts.append(comp(block))
    parts.append(comp(tail))
    parts.append(flush())
    return b"".join(parts)


def deflater(wbits):
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return stream(c.compress, c.flush)


# One raw deflate stream (the slow part), wrapped as gzip and as zlib.
raw = deflater(-15)
crc = adler = None
crc = zlib.crc32(head)
adler = zlib.adler32(head)
block = bytes(1 << 20)
for _ in range(ZEROS >> 20):
    crc = zlib.crc32(block, crc)
    adler = zlib.adler32(block, adler)
crc = zlib.crc32(tail, crc)
adler = zlib.adler32(tail, adler)
total = len(head) + ZEROS + len(tail)
with open(os.path.join(out, "bomb-gzip.pkl.gz"), "wb") as f:
    f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + raw +
            struct.pack("<II", crc, total & 0xFFFFFFFF))
with open(os.path.join(out, "bomb-zlib.joblib"), "wb") as f:
    f.write(b"\x78\xda" + raw + struct.pack(">I", adler))
c = bz2.BZ2Compressor(9)
with open(os.path.join(out, "bomb-bzip2.pkl.bz2"), "wb") as f:
    f.write(stream(c.compress, c.flush, 256 << 20))
c = lzma.LZMACompressor()
with open(os.path.join(out, "bomb-xz.pkl.xz"), "wb") as f:
    f.write(stream(c.compress, c.flush, 256 << 20))


def zip_with(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
        for name, data in members:
            z.writestr(name, data)
    return b.getvalue()


def deflated_member_zip(name, n=1):
    """A zip whose deflated members are the raw-deflate bomb (written by
    hand: zipfile would recompress)."""
    data = bytearray()
    cd = bytearray()
    for i in range(n):
        nm = (name if n == 1 else f"{i}/{name}").encode()
        off = len(data)
        hdr = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, 0,
                          len(raw), (ZEROS + 13) & 0xFFFFFFFF, len(nm), 0)
        data += hdr + nm + raw
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0,
                          0x21, 0, len(raw), (ZEROS + 13) & 0xFFFFFFFF, len(nm), 0, 0, 0, 0,
                          0, off) + nm
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), len(data), 0)
    return bytes(data + cd + eocd)


with open(os.path.join(out, "bomb-zip.pt"), "wb") as f:
    f.write(deflated_member_zip("archive/data.pkl"))
with open(os.path.join(out, "bomb-zip16.zip"), "wb") as f:
    f.write(deflated_member_zip("data.pkl", 16))


def many_members_zip(count, pickle_bytes):
    """count one-byte stored members, then archive/data.pkl (by hand: fast)."""
    data = bytearray()
    cd = bytearray()
    members = [(f"archive/t{i}".encode(), b"x") for i in range(count)]
    members.append((b"archive/data.pkl", pickle_bytes))
    for nm, body in members:
        off = len(data)
        crc = zlib.crc32(body)
        data += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21,
                            crc, len(body), len(body), len(nm), 0) + nm + body
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0,
                          0x21, crc, len(body), len(body), len(nm), 0, 0, 0,
                          0, 0, off) + nm
    n = len(members)
    end = bytearray()
    z64 = len(data) + len(cd)
    end += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n,
                       len(cd), len(data))
    end += struct.pack("<IIQI", 0x07064B50, 0, z64, 1)
    end += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF,
                       0xFFFFFFFF, 0xFFFFFFFF, 0)
    return bytes(data + cd + end)


with open(os.path.join(out, "many.pt"), "wb") as f:
    # A state dict's pickle: the verdict comes from it (clean here).
    f.write(many_members_zip(100000, pickle.dumps(
        collections.OrderedDict(a=1), protocol=2)))
