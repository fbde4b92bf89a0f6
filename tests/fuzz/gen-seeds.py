#!/usr/bin/python3
"""gen-seeds.py - (re)builds the small committed seed corpora of the
fuzzing campaign, tests/fuzz/seeds/NAME/, from the repository's fixtures.

    python3 tests/fuzz/gen-seeds.py SRCDIR [GENDIR]

SRCDIR is the source tree; GENDIR (optional) the build's
tests/containers/gen with the generated container fixtures.  Harnesses
built from fuzz_wrap.c read a mode byte first: even = the rest is a file
of the format, odd = the rest is a payload the harness wraps (the byte's
other bits pick a variant), so seeds carry that byte.  Seeds are capped
at 10 KiB each: the campaign is about mutations, not big files.
"""
import glob
import os
import shutil
import struct
import sys

MAX = 10 * 1024
src = sys.argv[1]
gen = sys.argv[2] if len(sys.argv) > 2 else None
out = os.path.join(src, "tests", "fuzz", "seeds")
fx = os.path.join(src, "tests", "containers", "fixtures")
corpus = os.path.join(src, "tests", "fuzz", "corpus")

# Payload pickles for the wrapped mode: a few benign, a few hostile.
PAYLOADS = ["torch_state_dict_p4.pkl", "gadget_cmd_os_system_global_p0.pkl",
            "gadget_cmd_os_system_stackglobal_p4.pkl",
            "py2___builtin___eval_p0.pkl"]
# Real files per harness (the smallest first): enough to show the fuzzer
# each framing, few enough to keep the tree small.
PER_HARNESS = 12
CODE = [b"def forward(self, x):\n    return torch.add(x, 1)\n",
        b"import os\nos.system('id')\n",
        b"class M(torch.nn.Module):\n    def __setstate__(self, s):\n"
        b"        __import__('os').system('id')\n"]


def files(*patterns):
    seen = []
    for p in patterns:
        for f in sorted(glob.glob(p)):
            if os.path.isfile(f) and os.path.getsize(f) <= MAX:
                seen.append(f)
    return seen


def put(name, label, data):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, label), "wb") as f:
        f.write(data)


def as_is(name, paths):
    paths = sorted(paths, key=lambda p: (os.path.getsize(p), p))
    for p in paths[:PER_HARNESS]:
        with open(p, "rb") as f:
            put(name, "file-" + os.path.basename(p), b"\x00" + f.read())


def wrapped(name, variants, payloads=None):
    pl = payloads
    if pl is None:
        pl = []
        for p in PAYLOADS:
            with open(os.path.join(corpus, p), "rb") as f:
                pl.append((p, f.read()))
    for v in variants:
        for label, data in pl:
            put(name, "wrap%d-%s" % (v, label), bytes([2 * v + 1]) + data)


def g(*names):
    if gen is None:
        return []
    return files(*[os.path.join(gen, n) for n in names])


shutil.rmtree(out, ignore_errors=True)
as_is("zip", files(fx + "/real/*.pt") + g("zip_*.pt", "zip_*.zip",
                                          "polyglot_*"))
wrapped("zip", [0, 1, 2])
as_is("legacy", files(fx + "/real/legacy_*.pt") + g("legacy_*"))
wrapped("legacy", [0, 1])
as_is("numpy", files(fx + "/real/*.npy", fx + "/real/*.npz") +
      g("npy_*", "npz_*"))
wrapped("numpy", [0, 1, 3])
as_is("joblib", files(fx + "/real/*.joblib") + g("mal_joblib_zf.pkl"))
wrapped("joblib", range(8))
for name, pats in [("gzip", ["*.gz"]), ("bzip2", ["*.bz2"]),
                   ("xz", ["*.xz"]), ("lzma", ["*.lzma"]),
                   ("zlib", ["*.zlib"])]:
    as_is(name, g(*pats))
    wrapped(name, [0])
as_is("lz4", files(fx + "/*.lz4", fx + "/real/joblib_lz4.joblib"))
wrapped("lz4", [0])
as_is("zstd", files(fx + "/*.zst"))
wrapped("zstd", [0])
as_is("archive", files(fx + "/*.7z") + g("tar_*", "legacy_tar_*"))
wrapped("archive", range(4))
as_is("torchscript", files(fx + "/real/torchscript.pt") +
      g("torchscript_*"))
wrapped("torchscript", [0, 1], [("code%d" % i, c) for i, c in
                                enumerate(CODE)])

# The INI reader: the shipped example and a few shapes.
with open(os.path.join(src, "etc", "picklewarden.ini"), "rb") as f:
    put("policy", "shipped.ini", f.read())
put("policy", "agent.ini",
    b"[agent]\nworkers = 4\nsandbox = yes\nworker_memory = 512\n"
    b"worker_cpu_seconds = 30\nworker_scans = 100\nscan_deadline = 10\n"
    b"worker_user = nobody\n")
put("policy", "lists.ini",
    b"[watch]\nroots = ~/a, /b\nexclude = *.tmp\n[globals]\n"
    b"allow = my.mod.*\ndeny = evil.x\n[actions]\nerror = quarantine\n"
    b"[limits]\nmax_depth = 4\nmax_decompressed = 1G\n[trusted]\n"
    b"x = " + b"ab" * 32 + b"\n[log]\nfacility = local3\n")

# The quarantine record reader: a real record.
rec = (b'{\n  "record_version": 1,\n  "method": "rename",\n'
       b'  "original_path": "/tmp/files/evil.pkl",\n'
       b'  "original_path_hex": "2f746d702f66696c65732f6576696c2e706b6c",\n'
       b'  "size": 25,\n  "mode": "0644",\n  "uid": 0,\n  "gid": 0,\n'
       b'  "device": 65024,\n  "inode": 10960926,\n'
       b'  "atime_sec": 1796299725,\n  "atime_nsec": 622782553,\n'
       b'  "mtime_sec": 1796299725,\n  "mtime_nsec": 622782553,\n'
       b'  "ctime_sec": 1796299725,\n  "ctime_nsec": 622782553,\n'
       b'  "sha256": "7050e1b6b207b35cbdd72b8f4c76342db51534f869f62c5a3d6'
       b'5f2082362ef6b",\n  "verdict": "malicious",\n'
       b'  "format": "pickle",\n'
       b'  "quarantined_at": "2026-12-03T12:08:45Z",\n'
       b'  "quarantined_at_unix": 1796299725,\n'
       b'  "picklewarden_version": "0.1.0",\n  "findings_total": 1,\n'
       b'  "findings": [\n    {"severity": "malicious", "kind": "import", '
       b'"global": "os.system", "opcode": "GLOBAL", "offset": 0, '
       b'"location": "", "reason": "command runner \\u00e9 \\"x\\""}\n'
       b'  ]\n}\n')
put("qrecord", "record.json", rec)
# Today's layout (quarantine_record.c): parent, stage and txn, a signer,
# the members finishing a move appends, \u escapes the writer makes
# (a control character, an invalid byte, a tag character as a pair).
put("qrecord", "record-current.json",
    b'{\n  "record_version": 1,\n'
    b'  "original_path": "/h/.cache/m\\u00ff.bin",\n'
    b'  "original_path_hex": "2f682f2e63616368652f6dff2e62696e",\n'
    b'  "size": 25,\n  "mode": "0600",\n  "uid": 1000,\n  "gid": 1000,\n'
    b'  "device": 65024,\n  "inode": 10960926,\n'
    b'  "parent_device": 65024,\n  "parent_inode": 10960920,\n'
    b'  "atime_sec": -1,\n  "atime_nsec": 0,\n'
    b'  "mtime_sec": 1796299725,\n  "mtime_nsec": 999999999,\n'
    b'  "ctime_sec": 1796299725,\n  "ctime_nsec": 1,\n'
    b'  "stage_dir_hex": "2f682f2e7069636b6c6577617264656e2d7374616765",\n'
    b'  "txn": "0123456789abcdef",\n  "verdict": "malicious",\n'
    b'  "format": "zip",\n'
    b'  "signature": "unsigned (require_signature=warn): no model.sig",\n'
    b'  "quarantined_at": "2026-12-03T12:08:45Z",\n'
    b'  "quarantined_at_unix": 1796299725,\n'
    b'  "picklewarden_version": "0.1.0",\n  "findings_total": 2,\n'
    b'  "findings": [\n    {"severity": "malicious", "kind": "call", '
    b'"global": "os.system", "opcode": "REDUCE", "offset": 81, '
    b'"location": "archive/data.pkl", "reason": "tab\\t\\u0001 '
    b'\\udb40\\udc01"}, {"severity": "error", "kind": "limit", '
    b'"global": null, "opcode": null, "offset": 0, "location": "", '
    b'"reason": ""}\n  ], "method": "frozen-copy", "sha256": '
    b'"7050e1b6b207b35cbdd72b8f4c76342db51534f869f62c5a3d65f2082362ef6b", '
    b'"captured_size": 20, "captured_while_writing": true}\n')
put("qrecord", "nested.json", b'{"a": [1, -2.5e3, true, null, {"b": ""}]}')


# The worker result parser: well-formed messages (wire.h).
def wstr(s):
    return struct.pack("<I", len(s)) + s


def finding(sev, kind, offset, glob_=None, opcode=None, loc=b"",
            reason=b"why"):
    present = (1 if glob_ else 0) | (8 if opcode else 0)
    b = struct.pack("<BIBQ", sev, kind, present, offset)
    if glob_:
        b += wstr(glob_)
    if opcode:
        b += wstr(opcode)
    return b + wstr(loc) + wstr(reason)


def msg(body):
    return b"PWSR" + struct.pack("<HHI", 1, 0, len(body)) + body


body = (struct.pack("<I", 0) + bytes([3]) + wstr(b"pickle") +
        struct.pack("<QQQI", 25, 25, 7, 2) +
        finding(3, 0, 2, b"os.system", b"GLOBAL", b"", b"command runner") +
        finding(0, 0, 40, b"collections.OrderedDict", b"STACK_GLOBAL",
                b"archive/data.pkl", b"allowlisted"))
put("wire", "malicious.bin", msg(body))
put("wire", "clean.bin", msg(struct.pack("<I", 0) + bytes([0]) +
                             wstr(b"safetensors") +
                             struct.pack("<QQQI", 8, 100, 0, 0)))
put("wire", "status.bin", msg(struct.pack("<I", 4)))
