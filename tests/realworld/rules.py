#!/usr/bin/python3
"""The rules the real-world set needed, pinned both ways (stdlib only).

usage: rules.py OUTDIR

Writes small hand-assembled files and OUTDIR/expect.tsv (file, verdicts
allowed, why).  Each rule that let a real file through has its hostile
neighbours here: what must stay malicious next to what became clean.
Nothing is ever unpickled.
"""
import io
import os
import pickle
import struct
import sys
import zipfile

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
EXPECT = []


def case(name, data, verdicts, why):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    EXPECT.append((name, verdicts, why))


def g2(module, name):
    """GLOBAL, protocol 2 style."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def u(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


P2 = b"\x80\x02"
GETATTR = g2("__builtin__", "getattr")

# ---- getattr(<global>, '<constant>') is the dotted name it resolves to ----
# Enum members as CPython 3.11.2 writes them: judged as Class.MEMBER.
case("getattr_user_enum.pkl",
     P2 + GETATTR + g2("mylib.enums", "Color") + u("RED") + b"\x86R.",
     "suspicious", "enum member of a class outside the allowlist")
case("getattr_zoneinfo.pkl",
     P2 + GETATTR + g2("zoneinfo", "ZoneInfo") + u("_unpickle") + b"\x86R" +
     u("Europe/Paris") + b"\x88\x86R.", "clean",
     "ZoneInfo._unpickle(key, True), how zoneinfo pickles")
case("getattr_regexflag.pkl",
     P2 + GETATTR + b"q\x00" + g2("re", "RegexFlag") + b"q\x01" +
     u("IGNORECASE") + b"\x86R" + b"h\x00h\x01" + u("MULTILINE") +
     b"\x86R\x86.", "clean", "members of an allowlisted stdlib enum")
case("getattr_http_status.pkl",
     P2 + GETATTR + g2("http", "HTTPStatus") + u("NOT_FOUND") + b"\x86R.",
     "clean", "HTTPStatus member: an exact allowlist entry and its members")
# What must stay malicious.
case("getattr_os_system.pkl",
     P2 + GETATTR + g2("posixpath", "os") + u("system") + b"\x86R" +
     u("echo pwned") + b"\x85R.", "malicious", "getattr(os, 'system')")
case("getattr_module_escape.pkl",
     P2 + GETATTR + g2("collections", "OrderedDict") + u("__init__") +
     b"\x86R.", "malicious", "dunder attribute through getattr")
case("getattr_dunder_globals.pkl",
     P2 + GETATTR + g2("mylib", "helper") + u("__globals__") + b"\x86R.",
     "malicious", "getattr(f, '__globals__')")
case("getattr_danger_name.pkl",
     P2 + GETATTR + g2("mylib.models", "Model") + u("load") + b"\x86R" +
     u("x.bin") + b"\x85R.", "malicious",
     "getattr on a class outside the allowlist, a loader-shaped name")
case("getattr_computed_name.pkl",
     P2 + GETATTR + g2("collections", "OrderedDict") +
     g2("__builtin__", "str") + u("fromkeys") + b"\x85R" + b"\x86R.",
     "malicious", "the attribute name is computed at load time")
case("getattr_of_instance.pkl",
     P2 + GETATTR + g2("collections", "OrderedDict") + b")\x81" +
     u("update") + b"\x86R.", "malicious",
     "getattr on an object built by the pickle (its attributes are data)")
case("getattr_dotted_name.pkl",
     P2 + GETATTR + g2("pathlib", "Path") + u("os.system") + b"\x86R.",
     "malicious", "a dotted name is not one attribute")
case("getattr_three_args.pkl",
     P2 + GETATTR + g2("re", "RegexFlag") + u("X") + b"N\x87R.",
     "malicious", "getattr with a default")
case("getattr_as_value.pkl",
     P2 + b"]" + GETATTR + b"a.", "malicious",
     "getattr handed around as a value")
case("getattr_by_obj.pkl",
     P2 + b"(" + GETATTR + g2("re", "RegexFlag") + u("X") + b"o.",
     "malicious", "getattr called by OBJ")
case("getattr_inst.pkl",
     b"(" + g2("re", "RegexFlag") + b"S'X'\n" + b"i__builtin__\ngetattr\n.",
     "malicious", "getattr called by INST")
case("getattr_result_called.pkl",
     P2 + GETATTR + g2("builtins", "object") + u("mro") + b"\x86R)R.",
     "malicious", "a builtin's attribute is a builtin")
# Pinned in a first pickle, misused in a second one that GETs it back from
# the memo (a loader that reuses one Unpickler keeps the memo).
first = P2 + GETATTR + b"q\x00" + g2("re", "RegexFlag") + u("X") + \
    b"\x86R."
second = P2 + b"]h\x00a."
case("getattr_misused_later.pkl", first + second, "malicious",
     "getattr from the memo used as a value by a later pickle")

# ---- legacy torch.save(model): ('module', cls, file, source) persistent ids
def legacy_torch(data_pickle):
    """magic, protocol, sys_info, the data pickle, no storages."""
    head = (pickle.dumps(0x1950a86a20f9469cfc6c, 2) + pickle.dumps(1001, 2) +
            pickle.dumps({"protocol_version": 1001, "little_endian": True,
                          "type_sizes": {"short": 2, "int": 4, "long": 4}},
                         2))
    return head + data_pickle + pickle.dumps([], 2)


def module_pid(cls):
    return b"(" + u("module") + cls + u("net.py") + u("class Net: pass") + \
        b"tQ"


case("legacy_module.pt",
     legacy_torch(P2 + module_pid(g2("mylib.nets", "Net")) + b")\x81}b."),
     "suspicious", "legacy torch.save(model): the class comes back from "
     "the persistent load")
case("legacy_module_denied.pt",
     legacy_torch(P2 + module_pid(g2("posix", "system")) + u("id") +
                  b"\x85R."), "malicious",
     "a 'module' record naming a denied callable")
case("legacy_module_computed.pt",
     legacy_torch(P2 + b"(" + u("module") + g2("mylib", "f") + b")R" +
                  u("f.py") + u("src") + b"tQ)R."), "malicious",
     "a 'module' record whose class is computed")
case("legacy_storage_called.pt",
     legacy_torch(P2 + b"(" + u("storage") + g2("torch", "FloatStorage") +
                  u("0") + u("cpu") + b"K\x01NtQ)R."), "malicious",
     "a storage record is not callable")
case("plain_module_persid.pkl",
     P2 + module_pid(g2("mylib.nets", "Net")) + b")\x81.", "malicious",
     "outside legacy torch.load nothing returns the class")

# ---- type(None), as pickle's save_type writes it --------------------------
TYPE = g2("__builtin__", "type")
case("type_none.pkl", P2 + TYPE + b"N\x85R.", "clean", "type(None)")
case("type_none_p4.pkl", b"\x80\x04\x95\x17\x00\x00\x00\x00\x00\x00\x00"
     b"\x8c\x08builtins\x94\x8c\x04type\x94\x93\x94N\x85\x94R\x94.",
     "clean", "type(None), protocol 4")
case("type_three_args.pkl", P2 + TYPE + u("X") + g2("__builtin__", "object") +
     b"\x85}\x87R.", "malicious", "type(name, bases, dict) creates a class")
case("type_of_value.pkl", P2 + TYPE + u("x") + b"\x85R.", "malicious",
     "type of anything but None")
case("type_as_value.pkl", P2 + b"]" + TYPE + b"a.", "malicious",
     "type kept as a value")

# ---- builtins.hash as a value (gensim's hashfxn) --------------------------
case("hash_value.pkl", P2 + b"}" + u("hashfxn") + g2("__builtin__", "hash") +
     b"s.", "clean", "gensim keeps hash as a value")

# ---- text is not a broken pickle ------------------------------------------
texts = {
    "text_import.py": (b"import torch\nimport os\n", "clean"),
    "text_class.py": (b"class Model(nn.Module):\n    pass\n", "clean"),
    "text_labels.txt": (b"cat\ndog\nbird\nfish\n", "clean"),
    "text_labels2.txt": (b"person\nbicycle\ncar\n", "clean"),
    # Python's INST imports "ntent.book_flight" before it finds no MARK,
    # C fails first: the readers disagree on an importable name.
    "text_intent.txt": (b"intent\nbook_flight\nget_weather\n",
                        "suspicious"),
    "text_stop.txt": (b"i\nme\nmy\nmyself\n", "clean"),
    "text_csv.csv": (b"id,text,label\n1,hello,0\n", "clean"),
    "text_tsv.tsv": (b"index\tname\n0\tcat\n", "clean"),
    "text_customer.csv": (b"customer,amount\nalice,3\n", "clean"),
    # C fails on the missing name line, Python imports module "lass_2".
    "text_class0.txt": (b"class_0\nclass_1\nclass_2\n", "suspicious"),
    "text_sentiment.txt": (b"positive\nnegative\nneutral\n", "clean"),
}
for name, (data, v) in texts.items():
    case(name, data, v, "text that no loader runs past its first opcodes")
# Real opcodes in text clothing must still be judged.
case("text_global_call.txt", b"cos\nsystem\n(S'id'\ntR.", "malicious",
     "protocol 0 os.system call")
case("text_global_no_stop.txt", b"cos\nsystem\n(S'id'\ntR", "malicious",
     "protocol 0 call without STOP")
case("text_inst_call.txt", b"(S'id'\nios\nsystem\n.", "malicious",
     "INST call")
case("text_global_then_junk.txt", b"cos\nsystem\nnot an opcode line\n",
     "malicious", "a denied import followed by junk still imported os")
case("text_denied_module_no_name.txt", b"cos\nsystem\ncsubprocess\n",
     "malicious", "a denied import, then a denied module with no name")
case("text_denied_module_only.txt", b"(S'x'\ncsubprocess\n",
     "error|malicious", "Python imports subprocess, then fails on the name")
case("text_unknown_global_call.txt",
     b"cmymod\nfunc\n(S'x'\ntR.", "suspicious",
     "an unknown global called: a real pickle")
case("text_unknown_then_junk.txt", b"cmymod\nfunc\n)R\xff",
     "suspicious|error", "an unknown global called, then broken")


# ---- joblib arrays whose dtype is a memo back-reference ------------------
# A numpy scalar memoizes dtype('f8') before the first array (retaining
# values starts only at the first NumpyArrayWrapper); the wrapper's state
# then names it by BINGET.  Its raw bytes read like a pickle: they must be
# skipped, not run.
dtype = (g2("numpy", "dtype") + u("f8") + b"\x89\x88\x87Rq\x01" +
         b"(K\x03" + u("<") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb")
scalar = (g2("numpy.core.multiarray", "scalar") + dtype + b"C\x08" +
          b"\x00" * 8 + b"\x86R0")
wrapper = (g2("joblib.numpy_pickle", "NumpyArrayWrapper") + b")\x81}(" +
           u("subclass") + g2("numpy", "ndarray") + u("shape") +
           b"K\x02\x85" + u("order") + u("C") + u("dtype") + b"h\x01" +
           u("allow_mmap") + b"\x88" + u("numpy_array_alignment_bytes") +
           b"K\x10ub")
raw = b"\x03\xff\xff\xff" + b"cos\nsystem\n(tR.."
case("joblib_dtype_memo.joblib", P2 + scalar + wrapper + raw + b".",
     "clean", "joblib array whose dtype is a memo back-reference")
case("joblib_dtype_memo_then_evil.joblib",
     P2 + scalar + wrapper + raw + b"0" + g2("os", "system") + u("id") +
     b"\x85R.", "malicious", "the stream goes on after the array bytes")

# ---- zero-length zip members (torch.empty(0) in a state dict) -------------
def torch_zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for n, d in members:
            z.writestr(n, d)
    return buf.getvalue()


case("zip_empty_storage.pt",
     torch_zip([("m/data.pkl", P2 + b"}."), ("m/data/0", b""),
                ("m/version", b"3\n")]),
     "clean", "a zero-length storage member")
case("zip_empty_member_evil_sibling.pt",
     torch_zip([("m/data.pkl", P2 + g2("posix", "system") + u("id") +
                 b"\x85R."), ("m/data/0", b"")]),
     "malicious", "an empty member does not hide its siblings")

# ---- dill's ndarray rebuild calls its first argument: judged as that call ----
case("dill_create_array_reconstruct.pkl",
     P2 + g2("dill._dill", "_create_array") + b"(" +
     g2("numpy.core.multiarray", "_reconstruct") + b"(" +
     g2("numpy", "ndarray") + b"K\x00\x85" + u("b") + b"tN}t" + b"R.",
     "clean", "dill._dill._create_array(_reconstruct, (ndarray, (0,), 'b'))"
     " as dill writes an array")
case("dill_create_array_os_system.pkl",
     P2 + g2("dill._dill", "_create_array") + b"(" + g2("posix", "system") +
     u("echo pwned") + b"\x85NNtR.",
     "malicious", "dill._dill._create_array handed os.system")
case("dill_create_array_eval.pkl",
     P2 + g2("dill._dill", "_create_array") + b"(" +
     g2("__builtin__", "eval") + u("1+1") + b"\x85NNtR.",
     "malicious", "dill._dill._create_array handed eval")
case("dill_loads.pkl",
     P2 + g2("dill._dill", "loads") + u("x") + b"\x85R.",
     "malicious", "the rest of dill stays denied (a nested loader)")

with open(os.path.join(OUT, "expect.tsv"), "w") as f:
    for row in EXPECT:
        f.write("\t".join(row) + "\n")
