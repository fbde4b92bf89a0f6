#!/usr/bin/python3
"""Writes the files users really have, with the libraries Debian 12 ships.

usage: gen.py OUTDIR

Every file is written by the real library the way its users write it
(torch.save, joblib.dump, DataFrame.to_pickle, numpy.save, model.save...),
except where a library is not packaged by Debian 12 (transformers,
safetensors, GGUF writers): those files are written by hand with the real
formats and the real classes' module names and shapes.  Each file gets a
label in OUTDIR/manifest.tsv (path, library, label, what):

  plain    any user has it: must be clean (at most 1 % suspicious)
  unusual  legitimate, holds user or library classes: suspicious at most
  code     carries code by value (cloudpickle, dill): must be malicious

A fifth column names the known reason when a file's verdict is still
wrong (PENDING below); the check lists those instead of failing.

Groups whose library is missing are listed in OUTDIR/skipped.tsv.  The
output is deterministic: seeds are fixed and the script re-executes itself
with PYTHONHASHSEED=0 so that sets and dicts of strings pickle in one order.
Nothing here ever loads a file.
"""
import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import argparse
import collections
import dataclasses
import datetime
import decimal
import enum
import fractions
import io
import json
import pathlib
import pickle
import random
import re
import struct
import types
import uuid
import warnings
import zoneinfo

warnings.filterwarnings("ignore")
OUT = os.path.abspath(sys.argv[1])
MANIFEST = []
SKIPPED = []
# A fixed moment: checkpoints carry timestamps, and the set must not
# change from one run to the next.
WHEN = datetime.datetime(2024, 3, 14, 15, 9, 26, 535897)


def path(lib, name):
    d = os.path.join(OUT, lib)
    os.makedirs(os.path.dirname(os.path.join(d, name)), exist_ok=True)
    return os.path.join(d, name)


# Files whose verdict is still wrong for a known reason that another piece
# of work owns: the check lists them instead of failing, and says when one
# starts to pass.  Keep this short and honest.
PENDING = {
}


def record(lib, name, label, what):
    assert label in ("plain", "unusual", "code")
    rel = lib + "/" + name
    MANIFEST.append((rel, lib, label, what, PENDING.get(rel, "")))


def write_bytes(lib, name, data, label, what):
    with open(path(lib, name), "wb") as f:
        f.write(data)
    record(lib, name, label, what)


def write_pickle(lib, name, obj, label, what, protocol=None):
    with open(path(lib, name), "wb") as f:
        pickle.dump(obj, f, protocol=protocol)
    record(lib, name, label, what)


# ---- user-side definitions that real checkpoints carry -------------------

class Phase(enum.Enum):
    TRAIN = "train"
    EVAL = "eval"


class Precision(str, enum.Enum):
    FP32 = "fp32"
    BF16 = "bf16"


@dataclasses.dataclass
class RunConfig:
    lr: float = 3e-4
    batch_size: int = 32
    phase: Phase = Phase.TRAIN
    out_dir: pathlib.Path = pathlib.Path("runs/exp1")


Point = collections.namedtuple("Point", "x y")


# ---- stdlib --------------------------------------------------------------

def gen_stdlib():
    lib = "stdlib"
    utc = datetime.timezone.utc
    plain = {
        "ints": [0, 1, -1, 255, 256, 65535, 2**31, -2**31, 2**63, -2**70],
        "floats": [0.0, -1.5, 1e300, float("inf"), float("nan")],
        "text": ["", "hello", "ünïcödé ✓", "x" * 300, "line\nbreak"],
        "bytes": [b"", b"\x00\xff" * 10, bytearray(b"abc")],
        "containers": {"a": [1, (2, 3)], "b": {4, 5}, "c": frozenset({6}),
                       "d": {}, "e": (), "f": [None, True, False]},
        "complex": [1 + 2j, complex(0, -1)],
        "decimal": [decimal.Decimal("3.14159"), fractions.Fraction(22, 7)],
        "datetime": [WHEN, WHEN.date(), WHEN.time(),
                     datetime.timedelta(days=1, seconds=5)],
        "tz_utc": [WHEN.replace(tzinfo=utc)],
        "tz_fixed": [WHEN.replace(tzinfo=datetime.timezone(
            datetime.timedelta(hours=5, minutes=30), "IST")),
            WHEN.replace(tzinfo=datetime.timezone(
                datetime.timedelta(hours=-8)))],
        "tz_zoneinfo": [WHEN.replace(
            tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))],
        "uuid": [uuid.UUID("12345678-1234-5678-1234-567812345678")],
        "collections": [collections.OrderedDict(a=1, b=2),
                        collections.defaultdict(list, {"k": [1]}),
                        collections.deque([1, 2, 3], maxlen=5),
                        collections.Counter("abracadabra")],
        "paths": [pathlib.Path("data/train.csv"),
                  pathlib.PurePosixPath("/tmp/x"),
                  pathlib.PureWindowsPath("C:/models/m.bin")],
        "misc": [range(3, 30, 3), slice(1, 9, 2), Ellipsis, NotImplemented,
                 types.SimpleNamespace(a=1, b="two"),
                 argparse.Namespace(lr=0.1, epochs=3)],
        "regex": [re.compile(r"\w+@\w+\.com", re.IGNORECASE)],
        "nonetype": [type(None)],
    }
    for proto in range(0, 6):
        for key, val in plain.items():
            write_pickle(lib, "p%d_%s.pkl" % (proto, key), val, "plain",
                         "stdlib %s, protocol %d" % (key, proto), proto)
        write_pickle(lib, "p%d_all.pkl" % proto, plain, "plain",
                     "every stdlib value in one dict, protocol %d" % proto,
                     proto)
    try:
        import pytz
        tz = pytz.timezone("America/New_York")
        vals = [tz.localize(WHEN), pytz.utc.localize(WHEN),
                pytz.timezone("Asia/Kolkata"), pytz.FixedOffset(90)]
        for proto in (2, 4, 5):
            write_pickle(lib, "p%d_tz_pytz.pkl" % proto, vals, "plain",
                         "datetimes with pytz zones", proto)
    except ImportError:
        SKIPPED.append(("stdlib-pytz", "python3-tz not installed"))
    try:
        from dateutil import tz as dtz
        vals = [WHEN.replace(tzinfo=dtz.tzutc()),
                WHEN.replace(tzinfo=dtz.tzoffset("BRST", -10800)),
                WHEN.replace(tzinfo=dtz.gettz("Europe/Berlin"))]
        for proto in (2, 4):
            write_pickle(lib, "p%d_tz_dateutil.pkl" % proto, vals, "plain",
                         "datetimes with dateutil zones", proto)
    except ImportError:
        SKIPPED.append(("stdlib-dateutil", "python3-dateutil not installed"))
    # Values of stdlib enum and record types that users keep in results.
    import http
    import signal
    import socket
    import urllib.parse
    stdtypes = {"http_status": [http.HTTPStatus.OK, http.HTTPStatus.NOT_FOUND],
                "signals": [signal.Signals.SIGTERM],
                "address_family": [socket.AddressFamily.AF_INET],
                "parse_result": [urllib.parse.urlparse(
                    "https://huggingface.co/bert-base-uncased?x=1"),
                    urllib.parse.urlsplit("http://example.com/a")],
                "regexflag": [re.IGNORECASE | re.MULTILINE]}
    for proto in (2, 4):
        for key, val in stdtypes.items():
            write_pickle(lib, "p%d_%s.pkl" % (proto, key), val, "plain",
                         "stdlib %s" % key, proto)
    # User classes: legitimate, but outside any allowlist.
    user = {"dataclass": RunConfig(), "enum": [Phase.TRAIN, Precision.BF16],
            "namedtuple": Point(1, 2)}
    for proto in (2, 4, 5):
        for key, val in user.items():
            write_pickle(lib, "p%d_user_%s.pkl" % (proto, key), val,
                         "unusual", "user %s, protocol %d" % (key, proto),
                         proto)


# ---- numpy ---------------------------------------------------------------

def gen_numpy():
    import numpy as np
    lib = "numpy"
    rng = np.random.default_rng(0)
    dtypes = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
              "uint32", "uint64", "float16", "float32", "float64",
              "longdouble", "complex64", "complex128", "clongdouble",
              "datetime64[ns]", "datetime64[D]", "timedelta64[s]", "U7",
              "S5", [("name", "U10"), ("age", "i4"), ("w", "f8", (2,))]]
    arrays = {}
    for dt in dtypes:
        tag = dt if isinstance(dt, str) else "structured"
        tag = tag.replace("[", "_").replace("]", "")
        a = np.zeros((3, 4), dtype=dt)
        if np.dtype(dt).kind in "iuf":
            # Assigned into zeroed memory: a cast would leave long
            # double's padding bytes uninitialised (not reproducible).
            a[...] = rng.random((3, 4)) * 100
        arrays[tag] = a
        np.save(path(lib, "%s.npy" % tag), a)
        record(lib, "%s.npy" % tag, "plain", "numpy.save of %s" % tag)
        for proto in (2, 4, 5):
            write_pickle(lib, "pickle_p%d_%s.pkl" % (proto, tag), a, "plain",
                         "pickled ndarray %s" % tag, proto)
    np.save(path(lib, "fortran.npy"), np.asfortranarray(arrays["float64"]))
    record(lib, "fortran.npy", "plain", "Fortran-ordered array")
    np.save(path(lib, "empty.npy"), np.zeros((0, 3)))
    record(lib, "empty.npy", "plain", "empty array")
    np.save(path(lib, "scalar0d.npy"), np.array(3.5))
    record(lib, "scalar0d.npy", "plain", "0-d array")
    objs = {"obj_strings": np.array(["a", "bb", None], dtype=object),
            "obj_lists": np.array([[1, 2], [3], []], dtype=object),
            "obj_dicts": np.array([{"a": 1}, {"b": (2, 3)}], dtype=object),
            "obj_mixed": np.array([1, 2.5, "x", b"y", None, (1,)],
                                  dtype=object)}
    for k, v in objs.items():
        np.save(path(lib, k + ".npy"), v, allow_pickle=True)
        record(lib, k + ".npy", "plain", "object array of plain values")
    np.savez(path(lib, "arrays.npz"), **{k: arrays[k] for k in
                                         ("int64", "float32", "bool")})
    record(lib, "arrays.npz", "plain", "numpy.savez")
    np.savez_compressed(path(lib, "compressed.npz"), **arrays)
    record(lib, "compressed.npz", "plain", "numpy.savez_compressed")
    np.savez(path(lib, "objects.npz"), **objs)
    record(lib, "objects.npz", "plain", "savez with object arrays")
    np.savetxt(path(lib, "matrix.txt"), arrays["float64"])
    record(lib, "matrix.txt", "plain", "numpy.savetxt")
    np.savetxt(path(lib, "ints.csv"), arrays["int32"], fmt="%d",
               delimiter=",")
    record(lib, "ints.csv", "plain", "numpy.savetxt CSV")
    misc = {"masked": np.ma.masked_array([1, 2, 3], mask=[0, 1, 0]),
            "matrix": np.matrix([[1, 2], [3, 4]]),
            "scalars": [np.float32(1.5), np.int64(7), np.bool_(True),
                        np.complex128(1j), np.datetime64("2024-01-01")],
            "rng_generator": np.random.default_rng(1),
            "rng_legacy": np.random.RandomState(2),
            "rng_state": np.random.RandomState(3).get_state(),
            "dtypes": [np.dtype("float32"), np.dtype([("a", "i4")])]}
    for proto in (2, 4, 5):
        for k, v in misc.items():
            write_pickle(lib, "p%d_%s.pkl" % (proto, k), v, "plain",
                         "pickled numpy %s" % k, proto)


# ---- torch ---------------------------------------------------------------

def torch_state_dict(torch):
    sd = collections.OrderedDict()
    for dt in (torch.float32, torch.float64, torch.float16, torch.bfloat16,
               torch.complex64, torch.complex128, torch.int8, torch.int16,
               torch.int32, torch.int64, torch.uint8, torch.bool):
        name = str(dt).split(".")[1]
        sd[name] = (torch.randn(3, 2) * 10).to(dt)
    sd["empty"] = torch.empty(0)
    sd["scalar"] = torch.tensor(1.5)
    sd["view_a"] = torch.arange(10.0)
    sd["view_b"] = sd["view_a"][2:5]
    sd["transposed"] = torch.randn(3, 4).t()
    return sd


def gen_torch():
    import numpy as np
    import torch
    lib = "torch"
    torch.manual_seed(0)
    sd = torch_state_dict(torch)
    for proto in (2, 3, 4, 5):
        torch.save(sd, path(lib, "state_dict_p%d.pt" % proto),
                   pickle_protocol=proto)
        record(lib, "state_dict_p%d.pt" % proto, "plain",
               "state dict, every dtype, zip format")
        torch.save(sd, path(lib, "legacy_state_dict_p%d.pt" % proto),
                   pickle_protocol=proto,
                   _use_new_zipfile_serialization=False)
        record(lib, "legacy_state_dict_p%d.pt" % proto, "plain",
               "state dict, every dtype, legacy format")
    x = torch.randn(4, 4)
    special = {
        "quant_per_tensor": torch.quantize_per_tensor(x, 0.1, 10,
                                                      torch.quint8),
        "quant_qint8": torch.quantize_per_tensor(x, 0.05, 0, torch.qint8),
        "quant_qint32": torch.quantize_per_tensor(x, 0.05, 0, torch.qint32),
        "quant_per_channel": torch.quantize_per_channel(
            x, torch.tensor([0.1, 0.2, 0.3, 0.4]),
            torch.tensor([0, 1, 2, 3]), 0, torch.quint8),
        "sparse_coo": x.relu().to_sparse(),
        "sparse_csr": x.relu().to_sparse_csr(),
        "meta": torch.empty(3, 3, device="meta"),
        "zero_len": torch.empty(0, 5),
        "size_device": {"shape": torch.Size([3, 4]),
                        "device": torch.device("cpu"),
                        "dtype": torch.float16},
        "parameter": torch.nn.Parameter(torch.randn(3)),
        "channels_last": torch.randn(1, 3, 4, 4).to(
            memory_format=torch.channels_last),
    }
    for k, v in special.items():
        for fmt, zipped in (("zip", True), ("legacy", False)):
            name = "%s_%s.pt" % (k, fmt)
            torch.save(v, path(lib, name),
                       _use_new_zipfile_serialization=zipped)
            record(lib, name, "plain", "torch.save of %s" % k)
    # Modules, optimizers, schedulers, scaler.
    net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(),
                              torch.nn.BatchNorm1d(16), torch.nn.Dropout(0.1),
                              torch.nn.Linear(16, 2))
    models = {
        "mlp": net,
        "cnn": torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
                                   torch.nn.MaxPool2d(2), torch.nn.Flatten()),
        "lstm": torch.nn.LSTM(4, 8, num_layers=2, batch_first=True),
        "gru": torch.nn.GRU(4, 4),
        "embedding": torch.nn.Embedding(50, 8),
        "transformer": torch.nn.TransformerEncoderLayer(16, 2, 32),
        "layernorm": torch.nn.LayerNorm(8),
    }
    for k, m in models.items():
        torch.save(m.state_dict(), path(lib, "%s_state.pt" % k))
        record(lib, "%s_state.pt" % k, "plain", "state_dict of %s" % k)
        torch.save(m.state_dict(), path(lib, "%s_state.bin" % k),
                   _use_new_zipfile_serialization=False)
        record(lib, "%s_state.bin" % k, "plain",
               "legacy state_dict of %s" % k)
        torch.save(m, path(lib, "%s_full.pt" % k))
        record(lib, "%s_full.pt" % k, "unusual", "torch.save(model) %s" % k)
        torch.save(m, path(lib, "%s_full_legacy.pt" % k),
                   _use_new_zipfile_serialization=False)
        record(lib, "%s_full_legacy.pt" % k, "unusual",
               "legacy torch.save(model) %s" % k)
    params = list(net.parameters())
    data = torch.randn(8, 8)
    optims = {
        "sgd": torch.optim.SGD(params, lr=0.1, momentum=0.9),
        "adam": torch.optim.Adam(params, lr=1e-3),
        "adamw": torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01),
        "rmsprop": torch.optim.RMSprop(params),
        "adagrad": torch.optim.Adagrad(params),
        "adadelta": torch.optim.Adadelta(params),
        "adamax": torch.optim.Adamax(params),
        "nadam": torch.optim.NAdam(params),
        "radam": torch.optim.RAdam(params),
    }
    for k, opt in optims.items():
        net.train()
        opt.zero_grad()
        net(data).sum().backward()
        opt.step()
        torch.save(opt.state_dict(), path(lib, "optim_%s.pt" % k))
        record(lib, "optim_%s.pt" % k, "plain", "optimizer state %s" % k)
    opt = torch.optim.SGD(params, lr=0.1)
    S = torch.optim.lr_scheduler
    scheds = {
        "step": S.StepLR(opt, 5), "multistep": S.MultiStepLR(opt, [2, 4]),
        "exponential": S.ExponentialLR(opt, 0.9),
        "cosine": S.CosineAnnealingLR(opt, 10),
        "warm_restarts": S.CosineAnnealingWarmRestarts(opt, 5),
        "onecycle": S.OneCycleLR(opt, 0.1, total_steps=20),
        "plateau": S.ReduceLROnPlateau(opt),
        "linear": S.LinearLR(opt), "constant": S.ConstantLR(opt),
        "lambda": S.LambdaLR(opt, lambda e: 0.95 ** e),
    }
    for k, s in scheds.items():
        torch.save(s.state_dict(), path(lib, "sched_%s.pt" % k))
        record(lib, "sched_%s.pt" % k, "plain", "scheduler state %s" % k)
    scaler = {"scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5,
              "growth_interval": 2000, "_growth_tracker": 0}
    torch.save(scaler, path(lib, "scaler.pt"))
    record(lib, "scaler.pt", "plain", "GradScaler.state_dict() (CUDA shape)")
    # Checkpoint dicts as training scripts write them.
    args = argparse.Namespace(lr=0.1, epochs=10, data=pathlib.Path("data"),
                              amp=True, seed=42, tags=["a", "b"])
    base = {"epoch": 7, "global_step": 7000,
            "model_state_dict": net.state_dict(),
            "optimizer_state_dict": optims["adam"].state_dict(),
            "scheduler": scheds["cosine"].state_dict(), "scaler": scaler,
            "best_acc": 0.913, "args": args,
            "saved_at": WHEN.replace(tzinfo=datetime.timezone.utc),
            "out_dir": pathlib.Path("/srv/runs/exp1"),
            "torch_rng": torch.get_rng_state(),
            "numpy_rng": np.random.RandomState(0).get_state(),
            "python_rng": random.Random(0).getstate()}
    ckpts = {
        "plain": (base, "plain"),
        "tz_fixed": (dict(base, saved_at=WHEN.replace(
            tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))),
            "plain"),
        "tz_zoneinfo": (dict(base, saved_at=WHEN.replace(
            tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))), "plain"),
        "dataclass": (dict(base, config=RunConfig()), "unusual"),
        "enum": (dict(base, phase=Phase.EVAL, precision=Precision.BF16),
                 "unusual"),
    }
    try:
        import pytz
        ckpts["tz_pytz"] = (dict(base, saved_at=pytz.timezone(
            "Europe/London").localize(WHEN)), "plain")
    except ImportError:
        pass
    try:
        from dateutil import tz as dtz
        ckpts["tz_dateutil"] = (dict(base, saved_at=WHEN.replace(
            tzinfo=dtz.tzutc())), "plain")
    except ImportError:
        pass
    for k, (obj, label) in ckpts.items():
        for proto in (2, 4):
            name = "checkpoint_%s_p%d.pt" % (k, proto)
            torch.save(obj, path(lib, name), pickle_protocol=proto)
            record(lib, name, label, "training checkpoint dict (%s)" % k)
        name = "checkpoint_%s_legacy.tar" % k
        torch.save(obj, path(lib, name),
                   _use_new_zipfile_serialization=False)
        record(lib, name, label, "legacy checkpoint (%s)" % k)
    # TorchScript.
    scripted = torch.jit.script(models["mlp"].eval())
    scripted.save(path(lib, "scripted_mlp.pt"))
    record(lib, "scripted_mlp.pt", "plain", "torch.jit.script archive")
    traced = torch.jit.trace(models["cnn"].eval(), torch.randn(1, 3, 8, 8))
    traced.save(path(lib, "traced_cnn.pt"))
    record(lib, "traced_cnn.pt", "plain", "torch.jit.trace archive")
    # Plain pickles of tensors (their storage goes through
    # torch.storage._load_from_bytes).
    for proto in (2, 4):
        write_pickle(lib, "pickled_tensor_p%d.pkl" % proto,
                     {"w": torch.randn(3), "b": torch.zeros(2)}, "plain",
                     "pickle.dump of tensors", proto)


def gen_torchvision():
    import torch
    import torchvision
    lib = "torchvision"
    torch.manual_seed(0)
    m = torchvision.models.squeezenet1_1(weights=None)
    torch.save(m.state_dict(), path(lib, "squeezenet1_1.pth"))
    record(lib, "squeezenet1_1.pth", "plain", "torchvision state dict")
    torch.save(m, path(lib, "squeezenet1_1_full.pt"))
    record(lib, "squeezenet1_1_full.pt", "unusual", "torchvision full model")
    torch.jit.script(m.eval()).save(path(lib, "squeezenet1_1_script.pt"))
    record(lib, "squeezenet1_1_script.pt", "plain", "TorchScript torchvision")


# ---- a Hugging Face Trainer output folder --------------------------------

def fake_module(name):
    """A module object under the real name, so pickles carry it."""
    mod = types.ModuleType(name)
    sys.modules[name] = mod
    return mod


def gen_hf():
    import numpy as np
    import torch
    lib = "hf"
    have_transformers = True
    try:
        import transformers  # noqa: F401
    except ImportError:
        have_transformers = False
    torch.manual_seed(0)
    if have_transformers:
        from transformers import TrainingArguments
        targs = TrainingArguments(output_dir="out", report_to=[])
    else:
        # transformers is not packaged by Debian 12: the dataclass and its
        # str-enums under their real module names and with their fields.
        fake_module("transformers")
        tu = fake_module("transformers.trainer_utils")
        ta = fake_module("transformers.training_args")
        du = fake_module("transformers.debug_utils")

        def str_enum(mod, name, members):
            cls = enum.Enum(name, members, type=str, module=mod.__name__,
                            qualname=name)
            setattr(mod, name, cls)
            return cls

        Interval = str_enum(tu, "IntervalStrategy",
                            {"NO": "no", "STEPS": "steps", "EPOCH": "epoch"})
        Sched = str_enum(tu, "SchedulerType",
                         {"LINEAR": "linear", "COSINE": "cosine"})
        Hub = str_enum(tu, "HubStrategy", {"EVERY_SAVE": "every_save"})
        Optim = str_enum(ta, "OptimizerNames", {"ADAMW_HF": "adamw_hf",
                                                "ADAMW_TORCH": "adamw_torch"})
        FSDP = str_enum(tu, "FSDPOption", {"FULL_SHARD": "full_shard"})
        Debug = str_enum(du, "DebugOption",
                         {"UNDERFLOW_OVERFLOW": "underflow_overflow"})
        fields = [("output_dir", str, "out"),
                  ("overwrite_output_dir", bool, False),
                  ("do_train", bool, True), ("do_eval", bool, True),
                  ("evaluation_strategy", Interval, Interval.STEPS),
                  ("per_device_train_batch_size", int, 8),
                  ("learning_rate", float, 5e-5),
                  ("weight_decay", float, 0.0),
                  ("num_train_epochs", float, 3.0),
                  ("lr_scheduler_type", Sched, Sched.LINEAR),
                  ("warmup_ratio", float, 0.0),
                  ("logging_dir", str, "out/runs/Mar14_15-09-26_host"),
                  ("logging_strategy", Interval, Interval.STEPS),
                  ("save_strategy", Interval, Interval.EPOCH),
                  ("seed", int, 42), ("fp16", bool, False),
                  ("debug", list, [Debug.UNDERFLOW_OVERFLOW]),
                  ("fsdp", list, [FSDP.FULL_SHARD]),
                  ("optim", Optim, Optim.ADAMW_TORCH),
                  ("report_to", list, []),
                  ("hub_strategy", Hub, Hub.EVERY_SAVE),
                  ("push_to_hub", bool, False),
                  ("_n_gpu", int, 0)]
        TrainingArguments = dataclasses.make_dataclass(
            "TrainingArguments",
            [(n, t, dataclasses.field(default_factory=(lambda v=v: v)))
             for n, t, v in fields])
        TrainingArguments.__module__ = ta.__name__
        ta.TrainingArguments = TrainingArguments
        targs = TrainingArguments()
        # functools.cached_property keeps its value in the instance dict.
        targs.__dict__["_setup_devices"] = torch.device("cpu")
    d = "trainer/checkpoint-500/"
    torch.save(targs, path(lib, d + "training_args.bin"))
    record(lib, d + "training_args.bin", "unusual",
           "Trainer's training_args.bin (dataclass and str-enums)")
    torch.save(targs, path(lib, "trainer/training_args.bin"))
    record(lib, "trainer/training_args.bin", "unusual",
           "Trainer's training_args.bin (final)")
    model = torch.nn.Linear(16, 4)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5)
    model(torch.randn(2, 16)).sum().backward()
    opt.step()
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    torch.save(opt.state_dict(), path(lib, d + "optimizer.pt"))
    record(lib, d + "optimizer.pt", "plain", "Trainer optimizer.pt")
    torch.save(sched.state_dict(), path(lib, d + "scheduler.pt"))
    record(lib, d + "scheduler.pt", "plain", "Trainer scheduler.pt")
    rng = {"python": random.Random(42).getstate(),
           "numpy": np.random.RandomState(42).get_state(),
           "cpu": torch.random.get_rng_state()}
    torch.save(rng, path(lib, d + "rng_state.pth"))
    record(lib, d + "rng_state.pth", "plain", "Trainer rng_state.pth")
    scaler = {"scale": 32768.0, "growth_factor": 2.0, "backoff_factor": 0.5,
              "growth_interval": 2000, "_growth_tracker": 118}
    torch.save(scaler, path(lib, d + "scaler.pt"))
    record(lib, d + "scaler.pt", "plain", "Trainer scaler.pt")
    sd = {"bert.embeddings.word_embeddings.weight": torch.randn(30, 16),
          "classifier.weight": model.weight.detach(),
          "classifier.bias": model.bias.detach()}
    for where in (d, "trainer/"):
        torch.save(sd, path(lib, where + "pytorch_model.bin"))
        record(lib, where + "pytorch_model.bin", "plain",
               "pytorch_model.bin")
    state = {"best_metric": None, "epoch": 1.0, "global_step": 500,
             "log_history": [{"loss": 0.69, "learning_rate": 4e-5,
                              "epoch": 0.5, "step": 250}],
             "max_steps": 1500, "num_train_epochs": 3,
             "total_flos": 12345.0, "trial_name": None}
    write_bytes(lib, d + "trainer_state.json",
                json.dumps(state, indent=2).encode(), "plain",
                "trainer_state.json")
    config = {"architectures": ["BertForSequenceClassification"],
              "hidden_size": 16, "model_type": "bert",
              "id2label": {"0": "negative", "1": "positive"},
              "torch_dtype": "float32", "transformers_version": "4.36.2"}
    for where in (d, "trainer/"):
        write_bytes(lib, where + "config.json",
                    json.dumps(config, indent=2).encode(), "plain",
                    "config.json")
    write_bytes(lib, "trainer/all_results.json",
                b'{"epoch": 3.0, "train_loss": 0.41}', "plain",
                "all_results.json")


# ---- the rest of a model repository: files that are not pickles ----------

def safetensors_bytes(tensors):
    """The safetensors format: u64 header length, JSON header, data."""
    header, blob = {"__metadata__": {"format": "pt"}}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + blob


def gguf_bytes():
    """A minimal GGUF v3 file: header, two metadata pairs, one tensor."""
    def s(x):
        return struct.pack("<Q", len(x)) + x.encode()
    kv = s("general.architecture") + struct.pack("<I", 8) + s("llama")
    kv += s("general.name") + struct.pack("<I", 8) + s("tiny")
    ti = s("tok_embd.weight") + struct.pack("<I", 2) + struct.pack(
        "<QQ", 4, 2) + struct.pack("<I", 0) + struct.pack("<Q", 0)
    body = b"GGUF" + struct.pack("<IQQ", 3, 1, 2) + kv + ti
    body += b"\x00" * (-len(body) % 32)
    return body + struct.pack("<8f", *range(8))


def png_bytes(w, h, seed):
    import zlib
    rnd = random.Random(seed)
    raw = b"".join(b"\x00" + bytes(rnd.randrange(256) for _ in range(w * 3))
                   for _ in range(h))

    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PY_SOURCES = {
    "modeling_tiny.py": "import math\nimport torch\nfrom torch import nn\n\n"
    "class TinyModel(nn.Module):\n    def __init__(self, config):\n"
    "        super().__init__()\n        self.fc = nn.Linear(4, 4)\n",
    "configuration_tiny.py": "from transformers import PretrainedConfig\n\n"
    "class TinyConfig(PretrainedConfig):\n    model_type = 'tiny'\n",
    "tokenization_tiny.py": "class TinyTokenizer:\n    pass\n",
    "utils.py": "#!/usr/bin/env python3\n# helpers\nimport os\n",
    "__init__.py": '"""Package."""\nfrom .modeling_tiny import TinyModel\n',
    "train.py": "import argparse\nimport json\n\ndef main():\n    pass\n",
    "pipeline.py": "import os, sys\nclass Pipeline(object):\n    pass\n",
    "setup.py": "from setuptools import setup\nsetup(name='tiny')\n",
    "hubconf.py": "dependencies = ['torch']\n\ndef tiny(pretrained=False):\n"
    "    pass\n",
    "custom_op.py": "import torch.nn.functional as F\n\n\ndef gelu(x):\n"
    "    return F.gelu(x)\n",
}

LABEL_LISTS = {
    "labels_coco.txt": "person\nbicycle\ncar\nmotorcycle\nairplane\nbus\n",
    "labels_pets.txt": "cat\ndog\nbird\nfish\n",
    "labels_imagenet.txt": "tench, Tinca tinca\ngoldfish, Carassius auratus\n"
    "great white shark\n",
    "classes.txt": "class_0\nclass_1\nclass_2\n",
    "labels_sentiment.txt": "positive\nnegative\nneutral\n",
    "labels_intent.txt": "intent\nbook_flight\nget_weather\n",
    "labels_lower.txt": "apple\nbanana\ncherry\n",
    "labels_numbers.txt": "0\n1\n2\n3\n",
    "ids.txt": "1\n2\n3\n",
    "vocab.txt": "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nof\n##s\n",
    "vocab_plain.txt": "the\nof\nand\nto\nin\n",
    "merges.txt": "#version: 0.2\nĠ t\nĠ a\nh e\n",
    "stopwords.txt": "i\nme\nmy\nmyself\nwe\n",
    "dict.txt": "de 123\nla 99\nen 80\n",
    "tags.txt": "O\nB-PER\nI-PER\nB-LOC\n",
    "requirements.txt": "torch>=1.13\ntransformers\nnumpy\n",
}

CSVS = {
    "train.csv": "id,text,label\n1,hello world,0\n2,goodbye,1\n",
    "iris.csv": "sepal_length,sepal_width,petal_length,petal_width,species\n"
    "5.1,3.5,1.4,0.2,setosa\n",
    "scores.csv": "0.12,0.88\n0.5,0.5\n",
    "labels.tsv": "index\tname\n0\tcat\n1\tdog\n",
    "data.csv": "customer,amount\nalice,3\n",
    "log.csv": "step,loss\n1,0.9\n2,0.8\n",
}


def gen_repo():
    lib = "repo"
    rnd = random.Random(7)
    for name, text in PY_SOURCES.items():
        write_bytes(lib, "src/" + name, text.encode(), "plain",
                    "Python source")
    for name, text in LABEL_LISTS.items():
        write_bytes(lib, name, text.encode(), "plain", "word list")
    for name, text in CSVS.items():
        write_bytes(lib, name, text.encode(), "plain", "CSV/TSV")
    write_bytes(lib, "README.md", b"---\nlicense: mit\n---\n# tiny\n\nA "
                b"tiny model.\n", "plain", "model card")
    write_bytes(lib, "LICENSE", b"MIT License\n\nCopyright (c) 2024\n",
                "plain", "license")
    write_bytes(lib, ".gitattributes", b"*.bin filter=lfs diff=lfs "
                b"merge=lfs -text\n", "plain", "gitattributes")
    js = {"config.json": {"model_type": "bert", "hidden_size": 16},
          "tokenizer_config.json": {"do_lower_case": True,
                                    "model_max_length": 512},
          "special_tokens_map.json": {"cls_token": "[CLS]"},
          "generation_config.json": {"max_length": 20},
          "tokenizer.json": {"version": "1.0", "model": {
              "type": "WordPiece", "vocab": {"[PAD]": 0, "the": 1}}},
          "preprocessor_config.json": {"image_mean": [0.5, 0.5, 0.5]},
          "vocab.json": {"hello": 0, "world": 1},
          "model.safetensors.index.json": {"weight_map": {
              "a": "model-00001-of-00002.safetensors"}}}
    for name, obj in js.items():
        write_bytes(lib, name, json.dumps(obj, indent=2).encode(), "plain",
                    "JSON")
    write_bytes(lib, "list.json", b'[1, 2, 3]', "plain", "JSON list")
    st = {"w": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)),
          "b": ("F16", [2], b"\x00\x3c\x00\x40"),
          "i": ("I64", [1], struct.pack("<q", 7))}
    write_bytes(lib, "model.safetensors", safetensors_bytes(st), "plain",
                "safetensors")
    write_bytes(lib, "model-00001-of-00002.safetensors",
                safetensors_bytes({"a": ("BF16", [3], b"\x80\x3f" * 3)}),
                "plain", "safetensors shard")
    write_bytes(lib, "tiny.Q8_0.gguf", gguf_bytes(), "plain", "GGUF")
    for i in range(3):
        write_bytes(lib, "images/img%d.png" % i, png_bytes(8, 8, i), "plain",
                    "PNG")
    jpeg = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01"
            b"\x00\x00" + bytes(rnd.randrange(256) for _ in range(200)) +
            b"\xff\xd9")
    write_bytes(lib, "images/photo.jpg", jpeg, "plain", "JPEG (header)")
    # A hand-built ONNX-like protobuf (ModelProto: ir_version=8,
    # producer_name, graph name): real ONNX files begin with 0x08.
    onnx_like = (b"\x08\x08\x12\x07pytorch\x1a\x062.1.0:" +
                 bytes([12]) + b"\x12\x0atorch_jit")
    write_bytes(lib, "model_handmade.onnx", onnx_like, "plain",
                "ONNX-like protobuf")
    for n in range(3):
        write_bytes(lib, "random_%d.bin" % n,
                    bytes(rnd.randrange(256) for _ in range(512)), "plain",
                    "random bytes")
    try:
        import msgpack
        flax = {"params": {"Dense_0": {"kernel": {
            b"__msgpack_ndarray__": True, b"dtype": "float32",
            b"shape": [2, 2], b"data": struct.pack("<4f", 1, 2, 3, 4)}}}}
        write_bytes(lib, "flax_model.msgpack", msgpack.packb(flax),
                    "plain", "Flax msgpack")
        write_bytes(lib, "list.msgpack", msgpack.packb([1, "a", 2.5]),
                    "plain", "msgpack list")
    except ImportError:
        SKIPPED.append(("repo-msgpack", "python3-msgpack not installed"))
    try:
        from PIL import Image
        img = Image.frombytes("RGB", (16, 16), bytes(
            rnd.randrange(256) for _ in range(16 * 16 * 3)))
        for fmt, ext in (("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"),
                         ("BMP", "bmp"), ("WEBP", "webp"), ("TIFF", "tif")):
            b = io.BytesIO()
            img.save(b, fmt)
            write_bytes(lib, "images/pil." + ext, b.getvalue(), "plain",
                        "image by Pillow (%s)" % fmt)
    except ImportError:
        SKIPPED.append(("repo-pillow", "python3-pil not installed"))


def gen_h5py():
    import h5py
    import numpy as np
    lib = "h5py"
    with h5py.File(path(lib, "tf_model.h5"), "w") as f:
        g = f.create_group("model_weights/dense")
        g.create_dataset("kernel:0", data=np.arange(6.0).reshape(2, 3))
        f.attrs["keras_version"] = "2.11.0"
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential"})
    record(lib, "tf_model.h5", "plain", "Keras-style HDF5 weights")
    with h5py.File(path(lib, "data.hdf5"), "w") as f:
        f.create_dataset("x", data=np.ones((4, 4), dtype="f4"),
                         compression="gzip")
    record(lib, "data.hdf5", "plain", "HDF5 dataset")


def gen_onnx():
    import onnx
    from onnx import helper, TensorProto
    lib = "onnx"
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    w = helper.make_tensor("w", TensorProto.FLOAT, [4], [1.0, 2.0, 3.0, 4.0])
    node = helper.make_node("Add", ["x", "w"], ["y"])
    graph = helper.make_graph([node], "tiny", [x], [y], [w])
    model = helper.make_model(graph, producer_name="pytorch")
    onnx.save(model, path(lib, "model.onnx"))
    record(lib, "model.onnx", "plain", "ONNX model")


def gen_sentencepiece():
    import sentencepiece as spm
    lib = "sentencepiece"
    corpus = path(lib, "corpus.txt")
    words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
             "model", "token", "piece", "sentence"]
    rnd = random.Random(3)
    with open(corpus, "w") as f:
        for _ in range(300):
            f.write(" ".join(rnd.choice(words) for _ in range(8)) + "\n")
    record(lib, "corpus.txt", "plain", "training text")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=path(lib, "spiece"), vocab_size=40,
        model_type="unigram", minloglevel=2, num_threads=1)
    record(lib, "spiece.model", "plain", "sentencepiece model")
    record(lib, "spiece.vocab", "plain", "sentencepiece vocab")


# ---- scikit-learn and joblib --------------------------------------------

def sklearn_estimators():
    import numpy as np
    from sklearn import (calibration, cluster, compose, decomposition,
                         discriminant_analysis, ensemble, feature_extraction,
                         gaussian_process, impute, isotonic, kernel_ridge,
                         linear_model, manifold, mixture, naive_bayes,
                         neighbors, neural_network, pipeline, preprocessing,
                         svm, tree, feature_selection, model_selection)
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    yr = X @ np.array([1.0, 2.0, -1.0, 0.5])
    texts = ["the cat sat", "the dog ran", "a cat and a dog", "hello world"
             ] * 5
    ty = [0, 1, 0, 1] * 5
    e = {}
    cls = {
        "logreg": linear_model.LogisticRegression(),
        "sgd": linear_model.SGDClassifier(random_state=0),
        "perceptron": linear_model.Perceptron(),
        "ridge_clf": linear_model.RidgeClassifier(),
        "svc": svm.SVC(probability=True, random_state=0),
        "linear_svc": svm.LinearSVC(random_state=0),
        "knn": neighbors.KNeighborsClassifier(3),
        "tree": tree.DecisionTreeClassifier(random_state=0),
        "forest": ensemble.RandomForestClassifier(5, random_state=0),
        "extra": ensemble.ExtraTreesClassifier(5, random_state=0),
        "gboost": ensemble.GradientBoostingClassifier(n_estimators=5),
        "hgboost": ensemble.HistGradientBoostingClassifier(max_iter=5),
        "adaboost": ensemble.AdaBoostClassifier(n_estimators=5),
        "bagging": ensemble.BaggingClassifier(n_estimators=3,
                                              random_state=0),
        "gnb": naive_bayes.GaussianNB(),
        "bnb": naive_bayes.BernoulliNB(),
        "lda": discriminant_analysis.LinearDiscriminantAnalysis(),
        "qda": discriminant_analysis.QuadraticDiscriminantAnalysis(),
        "mlp": neural_network.MLPClassifier((8,), max_iter=50,
                                            random_state=0),
        "calibrated": calibration.CalibratedClassifierCV(cv=3),
        "voting": ensemble.VotingClassifier(
            [("lr", linear_model.LogisticRegression()),
             ("nb", naive_bayes.GaussianNB())]),
        "stacking": ensemble.StackingClassifier(
            [("t", tree.DecisionTreeClassifier(random_state=0))], cv=3),
        "gridsearch": model_selection.GridSearchCV(
            svm.SVC(), {"C": [0.1, 1]}, cv=3),
        "pipe_scaled_logreg": pipeline.make_pipeline(
            preprocessing.StandardScaler(),
            linear_model.LogisticRegression()),
        "pipe_select_forest": pipeline.Pipeline(
            [("select", feature_selection.SelectKBest(k=2)),
             ("forest", ensemble.RandomForestClassifier(3, random_state=0))]),
    }
    for k, est in cls.items():
        e[k] = est.fit(X, y)
    reg = {
        "linreg": linear_model.LinearRegression(),
        "ridge": linear_model.Ridge(), "lasso": linear_model.Lasso(0.01),
        "elasticnet": linear_model.ElasticNet(0.01),
        "bayesridge": linear_model.BayesianRidge(),
        "huber": linear_model.HuberRegressor(),
        "svr": svm.SVR(), "knn_reg": neighbors.KNeighborsRegressor(3),
        "tree_reg": tree.DecisionTreeRegressor(random_state=0),
        "forest_reg": ensemble.RandomForestRegressor(5, random_state=0),
        "kernel_ridge": kernel_ridge.KernelRidge(),
        "gp": gaussian_process.GaussianProcessRegressor(),
    }
    for k, est in reg.items():
        e[k] = est.fit(X, yr)
    e["isotonic"] = isotonic.IsotonicRegression().fit(X[:, 0], yr)
    unsup = {
        "kmeans": cluster.KMeans(3, n_init=3, random_state=0),
        "minibatch_kmeans": cluster.MiniBatchKMeans(3, n_init=3,
                                                    random_state=0),
        "dbscan": cluster.DBSCAN(), "agglomerative":
        cluster.AgglomerativeClustering(3),
        "pca": decomposition.PCA(2), "svd": decomposition.TruncatedSVD(2),
        "nmf": decomposition.NMF(2, max_iter=50, init="nndsvd"),
        "ica": decomposition.FastICA(2, random_state=0, max_iter=50),
        "gmm": mixture.GaussianMixture(2, random_state=0),
        "isomap": manifold.Isomap(n_components=2),
        "isolation": ensemble.IsolationForest(n_estimators=5,
                                              random_state=0),
        "nn": neighbors.NearestNeighbors(n_neighbors=2),
        "standard": preprocessing.StandardScaler(),
        "minmax": preprocessing.MinMaxScaler(),
        "robust": preprocessing.RobustScaler(),
        "poly": preprocessing.PolynomialFeatures(2),
        "imputer": impute.SimpleImputer(),
        "knn_imputer": impute.KNNImputer(),
        "quantile": preprocessing.QuantileTransformer(n_quantiles=10),
        "power": preprocessing.PowerTransformer(),
        "func_log1p": preprocessing.FunctionTransformer(np.log1p),
    }
    for k, est in unsup.items():
        e[k] = est.fit(X)
    cats = np.array([["a", "x"], ["b", "y"], ["a", "z"]] * 4, dtype=object)
    e["onehot"] = preprocessing.OneHotEncoder(
        handle_unknown="ignore").fit(cats)
    e["ordinal"] = preprocessing.OrdinalEncoder().fit(cats)
    e["label_enc"] = preprocessing.LabelEncoder().fit(["x", "y", "z"])
    e["label_bin"] = preprocessing.LabelBinarizer().fit([1, 2, 3])
    e["column_transformer"] = compose.ColumnTransformer(
        [("num", preprocessing.StandardScaler(), [0, 1]),
         ("cat", preprocessing.OneHotEncoder(), [2])]).fit(
        np.array([[1.0, 2.0, "a"], [3.0, 4.0, "b"]] * 3, dtype=object))
    e["tfidf"] = feature_extraction.text.TfidfVectorizer().fit(texts)
    e["count"] = feature_extraction.text.CountVectorizer().fit(texts)
    e["hashing"] = feature_extraction.text.HashingVectorizer(n_features=32)
    e["dictvec"] = feature_extraction.DictVectorizer().fit(
        [{"a": 1, "b": 2}, {"c": 3}])
    e["text_pipeline"] = pipeline.make_pipeline(
        feature_extraction.text.TfidfVectorizer(),
        naive_bayes.MultinomialNB()).fit(texts, ty)
    return e


def gen_sklearn():
    import joblib
    lib = "sklearn"
    est = sklearn_estimators()
    for k, m in est.items():
        write_pickle(lib, "%s.pkl" % k, m, "unusual", "pickled %s" % k,
                     protocol=4 if hash(k) % 2 else 5)
        joblib.dump(m, path(lib, "%s.joblib" % k))
        record(lib, "%s.joblib" % k, "unusual", "joblib.dump %s" % k)
    comps = [("zlib", 3), ("gzip", 3), ("bz2", 3), ("xz", 3), ("lzma", 3),
             ("lz4", 3)]
    for c in comps:
        for k in ("logreg", "forest", "pipe_scaled_logreg", "tfidf",
                  "column_transformer", "hgboost"):
            name = "%s.joblib.%s" % (k, c[0])
            try:
                joblib.dump(est[k], path(lib, name), compress=c)
            except (ValueError, ImportError) as ex:
                SKIPPED.append(("sklearn-" + c[0], str(ex)))
                break
            record(lib, name, "unusual", "joblib.dump %s compress=%s"
                   % (k, c[0]))
    joblib.dump(est["kmeans"], path(lib, "kmeans_compress3.joblib"),
                compress=3)
    record(lib, "kmeans_compress3.joblib", "unusual", "joblib compress=3")


def gen_joblib():
    import joblib
    import numpy as np
    lib = "joblib"
    rng = np.random.RandomState(1)
    data = {"X": rng.rand(20, 3), "y": np.arange(20),
            "names": ["a", "b"], "meta": {"version": 2},
            "f16": rng.rand(5).astype("float16"),
            "objs": np.array(["x", None], dtype=object),
            "empty": np.zeros((0,))}
    joblib.dump(data, path(lib, "data.joblib"))
    record(lib, "data.joblib", "plain", "joblib.dump of arrays")
    for c in ("zlib", "gzip", "bz2", "xz", "lzma", "lz4"):
        try:
            joblib.dump(data, path(lib, "data.joblib." + c), compress=(c, 3))
        except (ValueError, ImportError) as ex:
            SKIPPED.append(("joblib-" + c, str(ex)))
            continue
        record(lib, "data.joblib." + c, "plain",
               "joblib.dump of arrays compress=%s" % c)
    joblib.dump([rng.rand(3) for _ in range(5)], path(lib, "list.joblib"))
    record(lib, "list.joblib", "plain", "joblib list of arrays")


# ---- pandas --------------------------------------------------------------

def pandas_frames():
    import numpy as np
    import pandas as pd
    n = 6
    idx = pd.date_range("2024-01-01", periods=n, freq="D")
    frames = {
        "numeric": pd.DataFrame({"i": np.arange(n), "f": np.linspace(0, 1, n),
                                 "b": [True, False] * 3}),
        "object": pd.DataFrame({"s": list("abcdef"),
                                "mixed": [1, "a", None, 2.5, b"x", (1,)]}),
        "datetime": pd.DataFrame({"t": idx, "td": pd.to_timedelta(
            np.arange(n), unit="h")}),
        "datetime_utc": pd.DataFrame({"t": idx.tz_localize("UTC")}),
        "datetime_tz": pd.DataFrame({"t": idx.tz_localize(
            "Europe/Paris")}),
        "datetime_fixed": pd.DataFrame({"t": idx.tz_localize(
            datetime.timezone(datetime.timedelta(hours=3)))}),
        "categorical": pd.DataFrame({"c": pd.Categorical(
            list("abcabc"), categories=list("cab"), ordered=True)}),
        "nullable": pd.DataFrame({
            "I": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "B": pd.array([True, None] * 3, dtype="boolean"),
            "F": pd.array([1.5, None] * 3, dtype="Float64"),
            "U8": pd.array([1, 2, 3, 4, 5, 6], dtype="UInt8")}),
        "string": pd.DataFrame({"s": pd.array(list("abcde") + [None],
                                              dtype="string")}),
        "period": pd.DataFrame({"p": pd.period_range("2024-01", periods=n,
                                                     freq="M")}),
        "interval": pd.DataFrame({"iv": pd.interval_range(0, n)}),
        "sparse": pd.DataFrame({"sp": pd.arrays.SparseArray(
            [0, 0, 1, 0, 2, 0])}),
        "multiindex": pd.DataFrame(
            {"v": range(n)}, index=pd.MultiIndex.from_product(
                [["x", "y"], [1, 2, 3]], names=["k", "n"])),
        "datetime_index": pd.DataFrame({"v": range(n)}, index=idx),
        "categorical_index": pd.DataFrame(
            {"v": range(n)}, index=pd.CategoricalIndex(list("abcabc"))),
        "period_index": pd.DataFrame({"v": range(n)}, index=pd.period_range(
            "2024", periods=n, freq="Q")),
        "interval_index": pd.DataFrame({"v": range(n)},
                                       index=pd.interval_range(0, n)),
        "timedelta_index": pd.DataFrame({"v": range(n)}, index=pd.to_timedelta(
            np.arange(n), unit="s")),
        "series": pd.Series(np.arange(n, dtype="float32"), name="x"),
        "series_tz": pd.Series(idx.tz_localize("US/Eastern")),
        "timestamps": [pd.Timestamp("2024-01-01", tz="UTC"),
                       pd.Timestamp("2024-01-01 12:00", tz="Asia/Tokyo"),
                       pd.Timedelta("1 days"), pd.NaT, pd.Period("2024Q1"),
                       pd.Interval(0, 1)],
        "offsets": [pd.offsets.Day(2), pd.offsets.MonthEnd(),
                    pd.offsets.BusinessDay()],
    }
    frames["everything"] = pd.concat(
        [frames[k] for k in ("numeric", "object", "datetime", "datetime_utc",
                             "categorical", "nullable", "string")], axis=1)
    return frames


def gen_pandas():
    import pandas as pd
    lib = "pandas"
    frames = pandas_frames()
    # gzip with mtime 0 so that the set is reproducible.
    comps = {None: "pkl", ("gzip", 0): "pkl.gz", "bz2": "pkl.bz2",
             "zip": "pkl.zip", "xz": "pkl.xz", "zstd": "pkl.zst",
             "tar": "pkl.tar"}
    for k, df in frames.items():
        if not isinstance(df, (pd.DataFrame, pd.Series)):
            for proto in (2, 4, 5):
                write_pickle(lib, "%s_p%d.pkl" % (k, proto), df, "plain",
                             "pandas scalars %s" % k, proto)
            continue
        for comp, ext in comps.items():
            if comp not in (None, ("gzip", 0)) and k not in ("everything",
                                                        "datetime_tz",
                                                        "numeric"):
                continue
            name = "%s.%s" % (k, ext)
            if isinstance(comp, tuple):
                comp = {"method": comp[0], "mtime": comp[1]}
            try:
                df.to_pickle(path(lib, name), compression=comp)
            except (ImportError, ValueError) as ex:
                SKIPPED.append(("pandas-%s" % comp, str(ex)))
                continue
            record(lib, name, "plain", "to_pickle %s compression=%s"
                   % (k, comp))
        name = "%s_p2.pkl" % k
        df.to_pickle(path(lib, name), protocol=2)
        record(lib, name, "plain", "to_pickle %s protocol 2" % k)
    frames["numeric"].to_csv(path(lib, "numeric.csv"))
    record(lib, "numeric.csv", "plain", "to_csv")
    frames["numeric"].to_json(path(lib, "numeric.json"))
    record(lib, "numeric.json", "plain", "to_json")


# ---- scipy, statsmodels, gensim, nltk, xgboost ----------------------------

def gen_scipy():
    import numpy as np
    import scipy.sparse as sp
    from scipy import interpolate, spatial, stats
    lib = "scipy"
    rng = np.random.RandomState(0)
    m = sp.random(20, 10, density=0.2, random_state=0, format="csr")
    mats = {"csr": m, "csc": m.tocsc(), "coo": m.tocoo(), "lil": m.tolil(),
            "dok": m.todok(), "bsr": m.tobsr(), "dia": sp.eye(5).todia(),
            "csr_array": sp.csr_array(m), "coo_array": sp.coo_array(m)}
    for k, v in mats.items():
        write_pickle(lib, "sparse_%s.pkl" % k, v, "plain",
                     "pickled scipy.sparse %s" % k, 4)
    for k in ("csr", "csc", "coo", "bsr", "dia"):
        sp.save_npz(path(lib, "sparse_%s.npz" % k), mats[k])
        record(lib, "sparse_%s.npz" % k, "plain", "scipy.sparse.save_npz")
    others = {"kdtree": spatial.KDTree(rng.rand(10, 2)),
              "ckdtree": spatial.cKDTree(rng.rand(10, 2)),
              "interp1d": interpolate.interp1d(np.arange(5), np.arange(5.0)),
              "spline": interpolate.UnivariateSpline(np.arange(10),
                                                     rng.rand(10)),
              "norm_frozen": stats.norm(0, 1),
              "gaussian_kde": stats.gaussian_kde(rng.rand(20))}
    for k, v in others.items():
        write_pickle(lib, "%s.pkl" % k, v, "unusual", "pickled scipy %s" % k,
                     4)


def gen_statsmodels():
    import numpy as np
    import statsmodels.api as sm
    lib = "statsmodels"
    rng = np.random.RandomState(0)
    X = sm.add_constant(rng.rand(40, 2))
    y = X @ np.array([1.0, 2.0, -1.0]) + rng.rand(40) * 0.1
    yb = (X[:, 1] + rng.rand(40) > 1).astype(float)
    res = {"ols": sm.OLS(y, X).fit(), "wls": sm.WLS(y, X).fit(),
           "logit": sm.Logit(yb, X).fit(disp=0),
           "glm": sm.GLM(yb, X, family=sm.families.Binomial()).fit(),
           "ar": sm.tsa.AutoReg(y, 2).fit()}
    for k, r in res.items():
        r.save(path(lib, "%s_results.pickle" % k))
        record(lib, "%s_results.pickle" % k, "unusual",
               "statsmodels results.save %s" % k)
    res["ols"].save(path(lib, "ols_removed.pickle"), remove_data=True)
    record(lib, "ols_removed.pickle", "unusual", "results.save remove_data")


def gen_gensim():
    from gensim import corpora, models
    lib = "gensim"
    texts = [["human", "interface", "computer"], ["survey", "user", "system"],
             ["eps", "user", "interface", "system"], ["trees", "graph"],
             ["graph", "minors", "trees"], ["graph", "minors", "survey"]] * 3
    dct = corpora.Dictionary(texts)
    dct.save(path(lib, "dictionary.dict"))
    record(lib, "dictionary.dict", "unusual", "gensim Dictionary.save")
    corpus = [dct.doc2bow(t) for t in texts]
    tfidf = models.TfidfModel(corpus)
    tfidf.save(path(lib, "tfidf.model"))
    record(lib, "tfidf.model", "unusual", "TfidfModel.save")
    lda = models.LdaModel(corpus, num_topics=2, id2word=dct, random_state=0,
                          passes=1)
    lda.save(path(lib, "lda.model"))
    for suffix in ("", ".state", ".id2word", ".expElogbeta.npy"):
        if os.path.exists(path(lib, "lda.model" + suffix)):
            record(lib, "lda.model" + suffix, "unusual", "LdaModel.save")
    lsi = models.LsiModel(corpus, num_topics=2, id2word=dct)
    lsi.save(path(lib, "lsi.model"))
    for suffix in ("", ".projection"):
        if os.path.exists(path(lib, "lsi.model" + suffix)):
            record(lib, "lsi.model" + suffix, "unusual", "LsiModel.save")
    w2v = models.Word2Vec(texts, vector_size=8, min_count=1, seed=1,
                          workers=1, epochs=2)
    w2v.save(path(lib, "word2vec.model"))
    record(lib, "word2vec.model", "unusual", "Word2Vec.save")
    w2v.wv.save(path(lib, "word2vec.kv"))
    record(lib, "word2vec.kv", "unusual", "KeyedVectors.save")
    w2v.wv.save_word2vec_format(path(lib, "vectors.txt"))
    record(lib, "vectors.txt", "plain", "word2vec text format")
    w2v.wv.save_word2vec_format(path(lib, "vectors.bin"), binary=True)
    record(lib, "vectors.bin", "plain", "word2vec binary format")
    ft = models.FastText(texts, vector_size=8, min_count=1, seed=1,
                         workers=1, epochs=2, bucket=100)
    ft.save(path(lib, "fasttext.model"))
    record(lib, "fasttext.model", "unusual", "FastText.save")
    d2v = models.doc2vec.Doc2Vec(
        [models.doc2vec.TaggedDocument(t, [i]) for i, t in enumerate(texts)],
        vector_size=8, min_count=1, seed=1, workers=1, epochs=2)
    d2v.save(path(lib, "doc2vec.model"))
    record(lib, "doc2vec.model", "unusual", "Doc2Vec.save")


def gen_nltk():
    import nltk
    from nltk.classify import NaiveBayesClassifier
    from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer
    lib = "nltk"
    text = ("Mr. Smith went to Washington. He arrived at 5 p.m. on Monday. "
            "Dr. Jones met him there. They talked for an hour. ") * 20
    trainer = PunktTrainer()
    trainer.train(text, finalize=True)
    punkt = PunktSentenceTokenizer(trainer.get_params())
    objs = {
        "punkt": (punkt, "unusual"),
        "freqdist": (nltk.FreqDist(text.split()), "unusual"),
        "cfd": (nltk.ConditionalFreqDist(
            (w[0], w) for w in text.split()), "unusual"),
        "tree": (nltk.Tree("S", [nltk.Tree("NP", ["I"]),
                                 nltk.Tree("VP", ["ran"])]), "unusual"),
        "naive_bayes": (NaiveBayesClassifier.train(
            [({"a": 1}, "x"), ({"a": 0}, "y")] * 3), "unusual"),
        "porter": (nltk.stem.PorterStemmer(), "unusual"),
        "regexp_tok": (nltk.tokenize.RegexpTokenizer(r"\w+"), "unusual"),
        "treebank_tok": (nltk.tokenize.TreebankWordTokenizer(), "unusual"),
    }
    for k, (o, label) in objs.items():
        write_pickle(lib, "%s.pickle" % k, o, label, "pickled nltk %s" % k,
                     2 if k == "punkt" else 4)


def gen_xgboost():
    import joblib
    import numpy as np
    import xgboost as xgb
    lib = "xgboost"
    rng = np.random.RandomState(0)
    X = rng.rand(50, 4)
    y = (X[:, 0] > 0.5).astype(int)
    booster = xgb.train({"max_depth": 2, "objective": "binary:logistic",
                         "nthread": 1, "seed": 0}, xgb.DMatrix(X, y), 3)
    booster.save_model(path(lib, "model.json"))
    record(lib, "model.json", "plain", "Booster.save_model JSON")
    booster.save_model(path(lib, "model.ubj"))
    record(lib, "model.ubj", "plain", "Booster.save_model UBJSON")
    booster.save_model(path(lib, "model.bin"))
    record(lib, "model.bin", "plain", "Booster.save_model legacy binary")
    write_pickle(lib, "booster.pkl", booster, "unusual", "pickled Booster", 4)
    clf = xgb.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1,
                            random_state=0).fit(X, y)
    write_pickle(lib, "xgbclassifier.pkl", clf, "unusual",
                 "pickled XGBClassifier", 4)
    joblib.dump(clf, path(lib, "xgbclassifier.joblib"))
    record(lib, "xgbclassifier.joblib", "unusual", "joblib XGBClassifier")


# ---- dill and cloudpickle ------------------------------------------------

def helper_fn(x):
    return x * 2 + 1


class Scaler:
    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return x * self.k


def gen_dill():
    import dill
    import numpy as np
    lib = "dill"
    plain = {"dict": {"a": [1, 2], "b": (3.0, "x")},
             "list": list(range(10)), "nested": {"x": {"y": {"z": None}}},
             "array": np.arange(6).reshape(2, 3)}
    for proto in (2, 4):
        for k, v in plain.items():
            with open(path(lib, "%s_p%d.pkl" % (k, proto)), "wb") as f:
                dill.dump(v, f, protocol=proto)
            record(lib, "%s_p%d.pkl" % (k, proto), "plain",
                   "dill.dump of plain %s" % k)
    code = {"lambda": lambda x: x + 1, "function": helper_fn,
            "class": Scaler, "instance": Scaler(3)}
    for k, v in code.items():
        with open(path(lib, "code_%s.pkl" % k), "wb") as f:
            dill.dump(v, f, recurse=True)
        record(lib, "code_%s.pkl" % k, "code", "dill by value: %s" % k)


def gen_cloudpickle():
    import cloudpickle
    lib = "cloudpickle"
    write_bytes(lib, "plain_dict.pkl", cloudpickle.dumps({"a": [1, 2]}),
                "plain", "cloudpickle of plain data")
    code = {"lambda": lambda x: x ** 2, "function": helper_fn,
            "closure": (lambda k: (lambda x: x * k))(3),
            "class": Scaler, "instance": Scaler(2),
            "list_of_fns": [helper_fn, abs]}
    for proto in (4, 5):
        for k, v in code.items():
            write_bytes(lib, "code_%s_p%d.pkl" % (k, proto),
                        cloudpickle.dumps(v, protocol=proto), "code",
                        "cloudpickle by value: %s" % k)
    try:
        import torch
        torch.save({"fn": helper_fn, "epoch": 1},
                   path(lib, "torch_with_fn.pt"), pickle_module=cloudpickle)
        record(lib, "torch_with_fn.pt", "code",
               "torch.save(pickle_module=cloudpickle) with a function")
    except ImportError:
        pass


GROUPS = [
    ("stdlib", gen_stdlib, ()), ("numpy", gen_numpy, ("numpy",)),
    ("torch", gen_torch, ("torch", "numpy")),
    ("torchvision", gen_torchvision, ("torch", "torchvision")),
    ("hf", gen_hf, ("torch", "numpy")), ("repo", gen_repo, ()),
    ("h5py", gen_h5py, ("h5py", "numpy")), ("onnx", gen_onnx, ("onnx",)),
    ("sentencepiece", gen_sentencepiece, ("sentencepiece",)),
    ("sklearn", gen_sklearn, ("sklearn", "joblib")),
    ("joblib", gen_joblib, ("joblib", "numpy")),
    ("pandas", gen_pandas, ("pandas",)), ("scipy", gen_scipy, ("scipy",)),
    ("statsmodels", gen_statsmodels, ("statsmodels",)),
    ("gensim", gen_gensim, ("gensim",)), ("nltk", gen_nltk, ("nltk",)),
    ("xgboost", gen_xgboost, ("xgboost", "joblib")),
    ("dill", gen_dill, ("dill", "numpy")),
    ("cloudpickle", gen_cloudpickle, ("cloudpickle",)),
]


def main():
    import importlib
    only = set(sys.argv[2:])
    os.makedirs(OUT, exist_ok=True)
    for name, fn, needs in GROUPS:
        if only and name not in only:
            continue
        missing = []
        for mod in needs:
            try:
                importlib.import_module(mod)
            except ImportError:
                missing.append(mod)
        if missing:
            SKIPPED.append((name, "missing python module(s): " +
                            ", ".join(missing)))
            continue
        random.seed(0)
        fn()
    with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
        f.write("# path\tlibrary\tlabel\twhat\tpending\n")
        for row in MANIFEST:
            f.write("\t".join(row) + "\n")
    with open(os.path.join(OUT, "skipped.tsv"), "w") as f:
        for row in SKIPPED:
            f.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()
