#!/usr/bin/env python3
"""Generates the container fixtures for tests/containers/test_containers.

Python 3 standard library only.  Malicious pickles are written as bytes by
hand (they call os.system("id")); nothing is ever unpickled.  Real files
written by PyTorch/NumPy/joblib are read from fixtures/real/ (committed) and
only taken apart with zipfile and pickletools.genops, which do not execute.

usage: gen-fixtures.py SRCDIR OUTDIR
Writes OUTDIR/<fixture> files and OUTDIR/expect.txt, one line per fixture:
    <name> <verdict>[|<verdict>...] [<format>]
"""
import bz2
import gzip
import io
import lzma
import os
import pickle
import pickletools
import random
import struct
import sys
import tarfile
import zipfile
import zlib

SRC, OUT = sys.argv[1], sys.argv[2]
REAL = os.path.join(SRC, "fixtures", "real")
os.makedirs(OUT, exist_ok=True)
expect = []

# os.system("id"), protocol 2 and protocol 0.
MAL = b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R."
MAL0 = b"cos\nsystem\n(S'id'\ntR."
BENIGN = pickle.dumps({"a": 1, "b": [1.5, "x"]}, protocol=2)
# Raw bytes that read like a pickle calling os.system.
EVIL_RAW = b"cos\nsystem\n(S'echo pwned'\ntR." * 4


def put(name, data, verdict, fmt=""):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    expect.append(f"{name} {verdict} {fmt}".rstrip())


def real(name):
    with open(os.path.join(REAL, name), "rb") as f:
        return f.read()


def zip_members(data):
    """(name, bytes) of a benign committed zip, in central-directory order."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def mkzip(entries, prefix=b"", absolute=False):
    """A zip written by hand so every field can lie.

    entries: dicts with name, data, and optionally method (0/8), flags,
    crc (override), local_name (override)."""
    out = bytearray(prefix)
    base = len(prefix) if absolute else 0
    start = len(prefix)
    central = bytearray()
    for e in entries:
        name = e["name"].encode()
        lname = e.get("local_name", e["name"]).encode()
        data = e["data"]
        method = e.get("method", 0)
        if method == 8:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            comp = c.compress(data) + c.flush()
        else:
            comp = data
        crc = e.get("crc", zlib.crc32(data) & 0xFFFFFFFF)
        flags = e.get("flags", 0)
        off = len(out) - start + base
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, 0,
                           0x21, crc, len(comp), len(data), len(lname), 0)
        out += lname + comp
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20,
                               flags, method, 0, 0x21, crc, len(comp),
                               len(data), len(name), 0, 0, 0, 0, 0, off)
        central += name
    cd_off = len(out) - start + base
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries),
                       len(entries), len(central), cd_off, 0)
    return bytes(out)


def stdzip(members, method=zipfile.ZIP_STORED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for n, d in members:
            z.writestr(n, d)
    return b.getvalue()


def split_pickles(data, count):
    """Byte ranges of the first `count` pickles (pickletools parses only)."""
    f = io.BytesIO(data)
    spans = []
    for _ in range(count):
        start = f.tell()
        for op, arg, pos in pickletools.genops(f):
            if op.name == "STOP":
                break
        spans.append((start, f.tell()))
    return spans


def npy(descr, shape, payload, version=1):
    hdr = "{'descr': %s, 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    hb = hdr.encode("latin1")
    if version == 1:
        pad = 64 - (10 + len(hb) + 1) % 64
        hb += b" " * pad + b"\n"
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hb)) + hb + payload
    pad = 64 - (12 + len(hb) + 1) % 64
    hb += b" " * pad + b"\n"
    return (b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(hb)) +
            hb + payload)


# ---------------------------------------------------------------- zip / torch
sd = zip_members(real("ckpt_proto2.pt"))
top = sd[0][0].split("/")[0]


def torch_with(replace=None, extra=(), **kw):
    ents = []
    for n, d in sd:
        e = {"name": n, "data": d}
        if replace and n.endswith("/data.pkl"):
            e.update(replace)
        ents.append(e)
    ents.extend(extra)
    return mkzip(ents, **kw)


put("zip_benign.pt", torch_with(), "clean", "pytorch-zip")
put("zip_benign_deflated.pt", torch_with({"method": 8}), "clean", "pytorch-zip")
put("zip_mal_datapkl.pt", torch_with({"data": MAL}), "malicious", "pytorch-zip")
put("zip_mal_deflated.pt", torch_with({"data": MAL, "method": 8}), "malicious")
put("zip_mal_proto0.pt", torch_with({"data": MAL0}), "malicious")
put("zip_crc_benign.pt", torch_with({"crc": 0x12345678}), "malicious")
put("zip_crc_mal.pt", torch_with({"data": MAL, "crc": 0x12345678, "method": 8}),
    "malicious")
put("zip_crc_text.zip", mkzip([{"name": "notes.txt", "data": b"hello\n",
                                "crc": 1}]), "suspicious")
put("zip_flag_encrypted.pt", torch_with({"flags": 1}), "malicious")
put("zip_flag_patched.pt", torch_with({"data": MAL, "flags": 0x20}), "malicious")
put("zip_local_name.pt",
    torch_with({"local_name": top + "/data.txt"}), "malicious")
# Raw storages: opcode-looking bytes must not be parsed; a real pickle there
# (strong signature) must be.
put("zip_raw_evil_bytes.pt", torch_with(extra=[
    {"name": top + "/data/99", "data": EVIL_RAW},
    {"name": top + "/data/98", "data": EVIL_RAW, "method": 8}]),
    "clean", "pytorch-zip")
put("zip_raw_pickle.pt", torch_with(extra=[
    {"name": top + "/data/99", "data": MAL}]), "malicious")
put("zip_raw_pickle_deflated.pt", torch_with(extra=[
    {"name": top + "/data/99", "data": MAL, "method": 8}]), "malicious")
put("zip_other_member.pt", torch_with(extra=[
    {"name": top + "/extra.bin", "data": MAL}]), "malicious")
put("zip_other_toplevel.pt", torch_with(extra=[
    {"name": "other/data.pkl", "data": MAL}]), "malicious")
put("zip_dup_name.pt", torch_with(extra=[
    {"name": top + "/data.pkl", "data": MAL}]), "malicious")
# TorchScript-like: code/ text starting with opcode letters is not scanned.
put("torchscript_like.pt", mkzip([
    {"name": "m/data.pkl", "data": BENIGN},
    {"name": "m/constants.pkl", "data": pickle.dumps((), protocol=2)},
    {"name": "m/code/__torch__/m.py", "data": b"class M(Module):\n  def forward(self):\n"},
    {"name": "m/version", "data": b"3\n"},
    {"name": "m/byteorder", "data": b"little"}]), "clean", "torchscript")
put("torchscript_mal_constants.pt", mkzip([
    {"name": "m/data.pkl", "data": BENIGN},
    {"name": "m/constants.pkl", "data": MAL},
    {"name": "m/code/__torch__/m.py", "data": b"def f():\n"}]), "malicious",
    "torchscript")
put("zip_plain_text.zip", stdzip([("README", b"hello\n")]), "clean", "zip")
put("zip_nested.zip", stdzip([("inner.zip", stdzip([("model.pt",
    torch_with({"data": MAL}))]))]), "malicious", "zip")
put("zip_nested_deflated.zip", stdzip([("inner.zip", stdzip([("x.pkl", MAL)]))],
                                      zipfile.ZIP_DEFLATED), "malicious", "zip")
deep = mkzip([{"name": "x.pkl", "data": MAL}])
for i in range(12):
    deep = mkzip([{"name": f"l{i}.zip", "data": deep}])
put("zip_deep.zip", deep, "error|malicious")
put("zip_truncated_cd.pt", torch_with()[:-30], "error")
put("zip_empty.zip", mkzip([]), "clean")

# ---------------------------------------------------------------- polyglots
inner = mkzip([{"name": "archive/data.pkl", "data": BENIGN}])
put("polyglot_mal_head.pt", MAL + inner, "malicious")
put("polyglot_mal_head_abs.pt", mkzip([{"name": "archive/data.pkl",
                                        "data": BENIGN}], prefix=MAL,
                                      absolute=True), "malicious")
put("polyglot_mal_zip.pt", BENIGN + mkzip([{"name": "archive/data.pkl",
                                            "data": MAL}]), "malicious")
put("polyglot_text_zip.txt", b"hello world\n" + stdzip([("a.txt", b"x")]),
    "suspicious")

# ---------------------------------------------------------------- numpy
f8 = struct.pack("<4d", 1.0, 2.0, 3.0, 4.0)
put("npy_v1.npy", npy("'<f8'", "(4,)", f8), "clean", "numpy")
put("npy_v2.npy", npy("'<f8'", "(2, 2)", f8, 2), "clean", "numpy")
put("npy_v3.npy", npy("'<f8'", "(4,)", f8, 3), "clean", "numpy")
put("npy_evil_u1.npy", npy("'|u1'", "(%d,)" % len(EVIL_RAW), EVIL_RAW),
    "clean", "numpy")
put("npy_structured.npy", npy("[('a', '<i4'), ('b', '<f8', (2,))]", "(1,)",
                              b"\0" * 20), "clean")
put("npy_object_mal.npy", npy("'|O'", "(1,)", MAL), "malicious", "numpy")
put("npy_object_struct_mal.npy", npy("[('a', '<i4'), ('b', '|O')]", "(1,)",
                                     MAL), "malicious")
put("npy_object_name.npy", npy("'object'", "(1,)", MAL), "error|malicious")
put("npy_concat_str.npy", npy("'|' 'O'", "(1,)", MAL), "error|malicious")
put("npy_bad_header.npy", npy("'<f8'", "(4,", f8), "error")
put("npy_truncated.npy", npy("'<f8'", "(4,)", f8)[:20], "clean|error")
put("npz_numeric.npz", stdzip([("a.npy", npy("'<f8'", "(4,)", f8)),
                               ("b.npy", npy("'|u1'", "(%d,)" % len(EVIL_RAW),
                                             EVIL_RAW))]), "clean", "npz")
put("npz_object_mal.npz", stdzip([("a.npy", npy("'<f8'", "(4,)", f8)),
                                  ("b.npy", npy("'|O'", "(1,)", MAL))],
                                 zipfile.ZIP_DEFLATED), "malicious", "npz")
# Methods PyTorch never writes but numpy.load's zipfile reads: a payload
# behind them must not escape.
for tag, zmethod in (("bzip2", zipfile.ZIP_BZIP2), ("lzma", zipfile.ZIP_LZMA)):
    put("npz_object_mal_%s.npz" % tag,
        stdzip([("b.npy", npy("'|O'", "(1,)", MAL))], zmethod),
        "malicious", "npz")
    put("npz_numeric_%s.npz" % tag,
        stdzip([("a.npy", npy("'<f8'", "(4,)", f8))], zmethod), "clean", "npz")

# ---------------------------------------------------------------- compressed
put("mal.pkl.gz", gzip.compress(MAL), "malicious", "gzip")
put("mal_multimember.pkl.gz", gzip.compress(BENIGN) + gzip.compress(MAL),
    "malicious", "gzip")
put("benign.pkl.gz", gzip.compress(BENIGN), "clean", "gzip")
put("mal.pkl.bz2", bz2.compress(MAL), "malicious", "bzip2")
put("mal.pkl.xz", lzma.compress(MAL), "malicious", "xz")
put("mal.pkl.lzma", lzma.compress(MAL, format=lzma.FORMAT_ALONE), "malicious",
    "lzma")
put("benign.pkl.lzma", lzma.compress(BENIGN, format=lzma.FORMAT_ALONE), "clean",
    "lzma")
put("mal.pkl.zlib", zlib.compress(MAL), "malicious", "zlib")
put("mal_joblib_zf.pkl", b"ZF" + ("0x%x" % len(MAL)).ljust(19).encode() +
    zlib.compress(MAL), "malicious", "joblib-zlib")
put("gz_corrupt.pkl.gz", gzip.compress(BENIGN)[:-12] + b"\xff" * 4, "error|clean")
put("gz_truncated_mal.gz", gzip.compress(MAL + b"\0" * 1000)[:40],
    "malicious|error")


def tar_of(members):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        for n, d in members:
            ti = tarfile.TarInfo(n)
            ti.size = len(d)
            t.addfile(ti, io.BytesIO(d))
    return b.getvalue()


put("tar_mal.tar", tar_of([("readme.txt", b"hi\n"), ("model.pkl", MAL)]),
    "malicious", "tar")
put("tar_benign.tar", tar_of([("a.pkl", BENIGN)]), "clean", "tar")
put("tar_gz_mal.tar.gz", gzip.compress(tar_of([("m.pkl", MAL)])), "malicious",
    "gzip")

# ---------------------------------------------------------------- legacy torch
leg = real("legacy_state_dict.pt")
spans = split_pickles(leg, 5)
parts = [leg[a:b] for a, b in spans]
raw = leg[spans[4][1]:]
put("legacy_benign.pt", leg, "clean", "legacy-torch")
put("legacy_mal_data.pt", b"".join(parts[:3]) + MAL + parts[4] + raw,
    "malicious", "legacy-torch")
put("legacy_mal_sysinfo.pt", b"".join(parts[:2]) + MAL + b"".join(parts[3:]) + raw,
    "malicious")
put("legacy_mal_keys.pt", b"".join(parts[:4]) + MAL + raw, "malicious")
put("legacy_mal_protocol.pt", parts[0] + MAL + b"".join(parts[2:]) + raw,
    "malicious")
put("legacy_mal_trailing.pt", leg + MAL, "malicious")
# Layout torch.load rejects, then a payload a stacked reader still loads.
put("legacy_bad_version_mal.pt", parts[0] + pickle.dumps(999, 2) + MAL,
    "malicious", "legacy-torch")
put("legacy_undeclared_key_mal.pt", b"".join(parts[:4]) +
    pickle.dumps(["nokey"], 2) + MAL, "malicious")
put("legacy_keys_not_list_mal.pt", b"".join(parts[:4]) +
    pickle.dumps({"a": 1}, 2) + MAL, "malicious")
put("legacy_truncated_raw.pt", leg[:-5], "clean|error")

# Very old tar layout: sys_info, pickle, storages, tensors.
sysinfo = pickle.dumps({"protocol_version": 1001, "little_endian": True,
                        "type_sizes": {"short": 2, "int": 4, "long": 4}}, 2)
data_pkl = b"\x80\x02}q\x00X\x01\x00\x00\x00wq\x01X\x01\x00\x00\x000Qs."
st_args = (b"\x80\x02X\x01\x00\x00\x000X\x03\x00\x00\x00cpu"
           b"ctorch\nFloatStorage\n\x87.")
storages = (pickle.dumps(1, 2) + st_args + struct.pack("<q", 8) + EVIL_RAW[:32] +
            pickle.dumps([], 2))
t_args = (b"\x80\x02X\x02\x00\x00\x00t0X\x01\x00\x00\x000"
          b"ctorch\nFloatTensor\n\x87.")
tensors = (pickle.dumps(1, 2) + t_args + struct.pack("<ii", 1, 0) +
           struct.pack("<qqq", 8, 1, 0))
put("legacy_tar_benign.tar", tar_of([("sys_info", sysinfo), ("pickle", data_pkl),
                                     ("storages", storages),
                                     ("tensors", tensors)]), "clean|suspicious")
put("legacy_tar_mal.tar", tar_of([("sys_info", sysinfo), ("pickle", MAL),
                                  ("storages", storages),
                                  ("tensors", tensors)]), "malicious")
put("legacy_tar_mal_storages.tar", tar_of([
    ("sys_info", sysinfo), ("pickle", data_pkl),
    ("storages", pickle.dumps(1, 2) + MAL), ("tensors", tensors)]), "malicious")

# ---------------------------------------------------------------- not pickles
hdr = b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
hdr += b" " * (-len(hdr) % 8)
put("model.safetensors", struct.pack("<Q", len(hdr)) + hdr + EVIL_RAW[:8],
    "clean", "safetensors")
put("bad.safetensors", struct.pack("<Q", 12) + b'{"a": [1, 2}' + b"\0" * 8,
    "clean")
put("model.gguf", b"GGUF" + struct.pack("<IQQ", 3, 0, 0) + EVIL_RAW, "clean",
    "gguf")
put("model.h5", b"\x89HDF\r\n\x1a\n" + EVIL_RAW, "clean")
put("keras_like.keras", stdzip([("config.json", b'{"class_name": "Sequential"}'),
                                ("model.weights.h5", b"\x89HDF\r\n\x1a\n" + EVIL_RAW),
                                ("metadata.json", b"{}")]), "clean", "zip")
put("image.png", b"\x89PNG\r\n\x1a\n" + EVIL_RAW, "clean", "image")
put("empty.bin", b"", "clean")
rnd = random.Random(1)
put("random.bin", b"\x00" + bytes(rnd.getrandbits(8) for _ in range(4096)),
    "clean")

# ------------------------------------- decompressors tried on any bytes (issue 9)
def lzma_known_size(data):
    """.lzma (alone) with the uncompressed size in its header: no magic,
    yet pandas' xz reader (LZMAFile, FORMAT_AUTO) decodes it."""
    c = lzma.LZMACompressor(format=lzma.FORMAT_ALONE)
    z = c.compress(data) + c.flush()
    return z[:5] + struct.pack("<Q", len(data)) + z[13:]


def zstd_skippable_then_raw(data):
    """A zstd skippable frame ('P*M\x18'), then a frame of one raw block."""
    skip = struct.pack("<II", 0x184D2A50, 4) + b"skip"
    frame = struct.pack("<IBB", 0xFD2FB528, 0x20, len(data))
    frame += struct.pack("<I", (len(data) << 3) | 1)[:3] + data
    return skip + frame


put("lzma_known_size_mal.pkl.xz", lzma_known_size(MAL), "malicious")
put("lzma_known_size_benign.pkl.xz", lzma_known_size(pickle.dumps([1, 2], 2)),
    "clean")
put("zstd_skippable_mal.pkl.zst", zstd_skippable_then_raw(MAL), "malicious")
# A plain pickle whose bytes fit the weak .lzma signature stays clean.
put("pickle_lzma_lookalike.pkl", b"\x80\x03C\x10" + b"\0" * 16 + b".", "clean")

# --------------- zips whose headers are all there never give an error (issue 9)
class _Unseekable(io.RawIOBase):
    """zipfile writes data descriptors (flag bit 3) to an unseekable file."""
    def __init__(self):
        self.b = bytearray()

    def writable(self):
        return True

    def write(self, d):
        self.b += d
        return len(d)


for _m, _mn in ((zipfile.ZIP_STORED, "stored"), (zipfile.ZIP_DEFLATED, "deflate"),
                (zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "lzma")):
    _ns = _Unseekable()
    with zipfile.ZipFile(_ns, "w", _m) as _z:
        _z.writestr("archive/data.pkl", pickle.dumps({"a": 1}, 2))
        _z.writestr("archive/version", b"3\n")
        _z.writestr("archive/empty", b"")
        with _z.open("archive/data/0", "w") as _f:
            _f.write(b"\0" * 100)
    put("zip_descriptors_%s.pt" % _mn, bytes(_ns.b), "clean", "pytorch-zip")
    _b = io.BytesIO()
    with zipfile.ZipFile(_b, "w", _m) as _z:
        with _z.open("archive/data.pkl", "w", force_zip64=True) as _f:
            _f.write(pickle.dumps({"a": 1}, 2))
        _z.writestr("archive/empty", b"")
    put("zip_zip64_%s.pt" % _mn, _b.getvalue(), "clean", "pytorch-zip")

# A wrong entry count in the end record: libzip refuses the archive, Python's
# zipfile (and so numpy.load) reads it: the local-header walk still sees it.
_d = stdzip([("archive/data.pkl", MAL), ("archive/version", b"3\n")])
_i = _d.rindex(b"PK\x05\x06")
put("zip_eocd_count_mal.pt", _d[:_i + 8] + b"\x07\x00\x07\x00" + _d[_i + 12:],
    "malicious")

# A tar whose checksums are written "0o..." (Python's int(s, 8) takes the
# prefix, libarchive does not): torch.load reads its members; we cannot, and
# fail closed (an error on an executable file).
def _python_only_checksums(data):
    d = bytearray(data)
    off = 0
    while off + 512 <= len(d) and any(d[off:off + 512]):
        h = d[off:off + 512]
        h[148:156] = b" " * 8
        f = ("0o%o" % (256 + sum(h[:148]) + sum(h[156:]))).encode()
        h[148:156] = f.ljust(8, b"\0")[:8]
        d[off:off + 512] = h
        size = int(bytes(h[124:136]).rstrip(b"\0 ") or b"0", 8)
        off += 512 + (size + 511) // 512 * 512
    return bytes(d)


put("tar_python_only_checksum.tar",
    _python_only_checksums(tar_of([("sys_info", MAL), ("pickle", MAL)])),
    "error|malicious")

with open(os.path.join(OUT, "expect.txt"), "w") as f:
    f.write("\n".join(expect) + "\n")
