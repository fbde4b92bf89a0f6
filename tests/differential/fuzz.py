#!/usr/bin/env python3
"""Mutation-based differential fuzzer: picklewarden's imports versus the
find_class calls of CPython's two unpicklers.

    fuzz.py run --picklewarden PATH --seeds DIR [DIR...] [--seconds S]
                [--mutants N] [--seed N] [--batch B] [--jobs J]
                [--regressions DIR] [--zip-share F] [--gz-share F]
                [--no-reduce]
    fuzz.py replay --picklewarden PATH --regressions DIR
    fuzz.py selftest --picklewarden PATH

`run` mutates seed pickles with a structure-aware mutator (below), runs
every mutant through the readers of differential.py (find_class records
the call and returns a harmless stand-in, in memory- and time-limited
subprocesses) the way loaders read it (MODES: a raw pickle, read without
persistent_load by a fresh or a reused C or Python unpickler and by the C
one without peek(); or a torch zip's data.pkl, one load() with
persistent_load; or the raw pickle in a gzip stream, as pandas.read_pickle
reads a .pkl.gz), scans the same bytes (zipped or gzipped for those) with
`picklewarden scan --json --all --no-sandbox --no-config` (one invocation
per batch) and compares:

  MISSING  an unpickler asked find_class for (module, name) and
           picklewarden reports no "import" finding with that raw module
           and name (names compared up to a NUL byte, as differential.py
           does).  A find_class call made before the unpickler raised
           counts: the loader already ran it.  The C unpickler without
           peek() counts only when the verdict is not malicious (it reads
           lines differently at frame ends; see differential.py), and so
           does a name only C readers import when picklewarden reports a
           read across a frame's end as malicious (_pickle's buffer ends
           at the frame's end whenever the frame came by read(): a frame
           larger than what peek() gave, or an unpickler reused after a
           STOP inside a frame).
  COVER    picklewarden reports the import, but the file's verdict is
           below what picklewarden itself says about that name on its own
           (the lowest verdict of minimal pickles that import it, under
           protocol 2 and 4, and call it with nothing, None, b'', the
           bytes of a small pickle or '' or not at all, with and without
           STOP): a name dangerous in every use was seen and then judged
           more leniently.  Names
           picklewarden judges by their use (getattr(<global>, '<name>'),
           type(None)) are counted instead.
  DISAGREE the unpicklers import different names and the verdict is clean.
  CRASH    picklewarden exits with a status other than 0/1/2, prints bad
           JSON or leaves a file out.
Counted, never failed: EXTRA names (picklewarden reports more imports than
any unpickler performs: we are conservative), and the tolerances judge()
documents (names only a persistent_load reader imports from a raw pickle,
names in a full findings list, names judged by their use, harmless names
only pickle.load reads out of joblib array bytes).  A reader's calls end
at the first module no loader can import.

Each failure is reduced (delta debugging over opcodes, then bytes, keeping
the same kind of failure on the same name) and saved as NAME.pkl with
NAME.expect (what CPython imports, the failure kind) in --regressions.
`replay` re-runs every saved fixture through CPython and picklewarden and
fails if any check above fails again; `make check` runs it
(tests/differential/fuzz-check.sh) with a short fixed-seed run.

Exit status: 0 no failure, 1 failures, 2 usage.
"""

import argparse
import hashlib
import gzip
import json
import os
import pickletools
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import differential  # noqa: E402  (the readers and their sandboxing)

RANK = {'clean': 0, 'suspicious': 1, 'error': 2, 'malicious': 3}
OPS = {o.name: o for o in pickletools.opcodes}
BY_CODE = {o.code.encode('latin1'): o for o in pickletools.opcodes}

# --------------------------------------------------------------------------
# Names the mutator plants: gadgets, allowlisted names, resolver paths and
# odd spellings.  Seeds add their own.
NAMES = [
    ('os', 'system'), ('posix', 'system'), ('nt', 'system'),
    ('builtins', 'eval'), ('builtins', 'exec'), ('builtins', 'getattr'),
    ('builtins', '__import__'), ('__builtin__', 'eval'),
    ('__builtin__', 'getattr'), ('builtins', 'object.__getattribute__'),
    ('builtins', 'print'), ('subprocess', 'Popen'),
    ('subprocess', 'check_output'), ('pathlib', 'os.system'),
    ('collections', 'OrderedDict'), ('collections', 'os.system'),
    ('copy_reg', '_reconstructor'), ('copyreg', '_reconstructor'),
    ('_codecs', 'encode'), ('torch._utils', '_rebuild_tensor_v2'),
    ('torch', 'FloatStorage'), ('numpy.core.multiarray', '_reconstruct'),
    ('numpy', 'dtype'), ('numpy', 'ndarray'), ('pickle', 'loads'),
    ('_pickle', 'loads'), ('runpy', '_run_code'), ('operator', 'attrgetter'),
    ('importlib', 'import_module'), ('pkgutil', 'resolve_name'),
    ('torch.serialization', 'load'), ('types', 'FunctionType'),
    ('ctypes', 'CDLL'), ('webbrowser', 'open'), ('shutil', 'rmtree'),
    ('io', 'FileIO'), ('argparse', 'Namespace'), ('datetime', 'datetime'),
    ('enum', 'Enum'), ('__main__', 'Model'), ('os.path', 'join'),
    ('UserDict', 'UserDict'), ('exceptions', 'Exception'),
    ('whichdb', 'whichdb'), ('commands', 'getoutput'),
    ('builtins', '__builtins__'), ('sys', 'modules'),
    ('torch', 'load'), ('numpy', 'load'), ('joblib', 'load'),
]
# Odd spellings: what an unpickler may still resolve or at least import.
DECOR = [
    lambda s: s, lambda s: s, lambda s: s, lambda s: s + ' ',
    lambda s: ' ' + s, lambda s: s + '\r', lambda s: s + '\x00x',
    lambda s: s.upper(), lambda s: '.' + s, lambda s: s + '.',
    lambda s: s.replace('o', '\u043e'), lambda s: s + '\t',
    lambda s: s + '\\', lambda s: s + '\xe9', lambda s: s + '\udcff',
    lambda s: s * 2,
]


def _u(s):
    return s.encode('utf-8', 'surrogatepass')

# --------------------------------------------------------------------------
# Opcode encoding: every argument type of pickletools' table.


def enc_arg(argname, rnd, text=None):
    """Returns argument bytes for one argument descriptor; text (a str) is
    the payload for string arguments when given."""
    if text is None:
        text = rnd.choice(('', 'a', 'os', 'system', 'x' * rnd.randrange(300),
                           rnd.choice(NAMES)[rnd.randrange(2)]))
    b = _u(text)
    if argname == 'uint1':
        return bytes([rnd.choice((0, 1, 2, 3, 4, 5, 255, rnd.randrange(256)))])
    if argname == 'uint2':
        return struct.pack('<H', rnd.choice((0, 1, 2, 0xffff, rnd.randrange(1 << 16))))
    if argname in ('int4', 'uint4'):
        return struct.pack('<I', rnd.choice((0, 1, 2, 0x7fffffff, 0x80000000,
                                             0xffffffff, rnd.randrange(1 << 32))))
    if argname == 'uint8':
        return struct.pack('<Q', rnd.choice((0, 1, 2, 8, 1 << 63, rnd.randrange(1 << 64))))
    if argname == 'long1':
        n = rnd.randrange(9)
        return bytes([n]) + bytes(rnd.randrange(256) for _ in range(n))
    if argname == 'long4':
        n = rnd.randrange(9)
        return struct.pack('<i', n) + bytes(rnd.randrange(256) for _ in range(n))
    if argname in ('decimalnl_short', 'decimalnl_long'):
        t = rnd.choice(('0', '1', '01', '00', '0x10', ' 7', '7 ', '1_0',
                        '-0', '+3', '99999999999999999999', '1\x00', 'L',
                        str(rnd.randrange(-1000, 1000))))
        if argname == 'decimalnl_long' and rnd.random() < 0.5:
            t += 'L'
        return t.encode('latin1') + b'\n'
    if argname == 'floatnl':
        return rnd.choice((b'1.5', b'nan', b'inf', b'1e999', b'0x1', b'1_0')) + b'\n'
    if argname == 'float8':
        return struct.pack('>d', rnd.random())
    if argname == 'stringnl':
        return rnd.choice((repr(text).encode('utf-8', 'surrogatepass'),
                           b"'" + b + b"'", b'"' + b + b'"', b"'" + b,
                           b + b"'")) + b'\n'
    if argname == 'stringnl_noescape':
        return b + b'\n'
    if argname == 'stringnl_noescape_pair':
        m, n = rnd.choice(NAMES)
        return _u(m) + b'\n' + _u(n) + b'\n'
    if argname in ('string1', 'bytes1'):
        b = b[:255]
        return bytes([len(b)]) + b
    if argname in ('string4', 'unicodestring4', 'bytes4'):
        return struct.pack('<I', len(b)) + b
    if argname in ('bytes8', 'unicodestring8', 'bytearray8'):
        return struct.pack('<Q', len(b)) + b
    if argname == 'unicodestring1':
        b = b[:255]
        return bytes([len(b)]) + b
    if argname == 'unicodestringnl':
        return text.encode('raw_unicode_escape', 'surrogatepass') + b'\n'
    raise ValueError(argname)


def gen_op(rnd, name=None):
    if name is None:
        name = rnd.choice(list(OPS))
    op = OPS[name]
    arg = enc_arg(op.arg.name, rnd) if op.arg else b''
    return op.code.encode('latin1') + arg


STR_OPS = ('STRING', 'BINSTRING', 'SHORT_BINSTRING', 'UNICODE', 'BINUNICODE',
           'SHORT_BINUNICODE', 'BINUNICODE8', 'SHORT_BINBYTES', 'BINBYTES',
           'BINBYTES8', 'BYTEARRAY8')


def str_op(rnd, text, kind=None):
    kind = kind or rnd.choice(STR_OPS + ('SHORT_BINUNICODE',) * 4)
    op = OPS[kind]
    if kind == 'STRING':
        return b'S' + rnd.choice((repr(text).encode('utf-8', 'surrogatepass'),
                                  b"'" + _u(text) + b"'",
                                  b'"' + _u(text) + b'"')) + b'\n'
    return op.code.encode('latin1') + enc_arg(op.arg.name, rnd, text)


def memo_put(rnd, idx):
    k = rnd.choice(('PUT', 'BINPUT', 'LONG_BINPUT', 'MEMOIZE'))
    if k == 'PUT':
        return b'p' + str(idx).encode() + b'\n'
    if k == 'BINPUT':
        return b'q' + bytes([idx & 0xff])
    if k == 'LONG_BINPUT':
        return b'r' + struct.pack('<I', idx)
    return b'\x94'


def memo_get(rnd, idx):
    k = rnd.choice(('GET', 'BINGET', 'LONG_BINGET'))
    if k == 'GET':
        return b'g' + str(idx).encode() + b'\n'
    if k == 'BINGET':
        return b'h' + bytes([idx & 0xff])
    return b'j' + struct.pack('<I', idx)


def name_pair(rnd, pool):
    m, n = rnd.choice(pool) if pool and rnd.random() < 0.3 else rnd.choice(NAMES)
    if rnd.random() < 0.3:
        m = rnd.choice(DECOR)(m)
    if rnd.random() < 0.2:
        n = rnd.choice(DECOR)(n)
    return m, n


def gen_import(rnd, pool):
    """A whole import (optionally called), in one of the forms the
    unpicklers accept."""
    m, n = name_pair(rnd, pool)
    form = rnd.choice(('GLOBAL', 'STACK_GLOBAL', 'STACK_GLOBAL', 'INST',
                       'memo', 'OBJ'))
    call = rnd.choice((b'', b')R', b'(S\'id\'\ntR', b'N\x85R', b'}b', b')\x81'))
    if form == 'GLOBAL':
        return b'c' + _u(m) + b'\n' + _u(n) + b'\n' + call
    if form == 'INST':
        return b'(i' + _u(m) + b'\n' + _u(n) + b'\n'
    if form == 'OBJ':
        return b'(c' + _u(m) + b'\n' + _u(n) + b'\no'
    if form == 'STACK_GLOBAL':
        return str_op(rnd, m) + str_op(rnd, n) + b'\x93' + call
    i, j = rnd.randrange(300), rnd.randrange(300)
    return (str_op(rnd, m) + memo_put(rnd, i) + b'0' + str_op(rnd, n) +
            memo_put(rnd, j) + b'0' + memo_get(rnd, i) + memo_get(rnd, j) +
            b'\x93' + call)

# --------------------------------------------------------------------------
# Structure: a pickle as a list of byte segments, one per opcode, with
# whatever pickletools could not parse kept as one tail segment.


def segments(data):
    """[(opname or None, bytes)] covering data exactly."""
    starts = []
    names = []
    try:
        for op, _arg, pos in pickletools.genops(data):
            starts.append(pos)
            names.append(op.name)
            if op.name == 'STOP':
                break
    except Exception:
        pass
    if not starts or starts[0] != 0:
        return [(None, data)] if data else []
    out = []
    for k, s in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else None
        if e is None:
            # the last parsed opcode ends where its argument ends: re-read it
            op = OPS[names[k]]
            try:
                import io
                f = io.BytesIO(data)
                f.seek(s + 1)
                if op.arg:
                    op.arg.reader(f)
                e = f.tell()
            except Exception:
                e = len(data)
        out.append((names[k], data[s:e]))
    end = sum(len(b) for _, b in out)
    if end < len(data):
        out.append((None, data[end:]))
    return out


def join(segs):
    return b''.join(b for _, b in segs)


def reframe(segs, rnd):
    """Wraps a run of opcodes in a FRAME whose length is right, short or
    long, or removes the frames."""
    if rnd.random() < 0.3:
        return [s for s in segs if s[0] != 'FRAME']
    i = rnd.randrange(len(segs) + 1)
    j = rnd.randrange(i, len(segs) + 1)
    body = join(segs[i:j])
    n = len(body) + rnd.choice((0, 0, 0, -1, 1, -3, 5, 1 << 20))
    n = max(0, n)
    return segs[:i] + [('FRAME', b'\x95' + struct.pack('<Q', n))] + segs[i:]


def recode_string(seg, rnd):
    """The same string operand under another string opcode."""
    name, b = seg
    try:
        import io
        op = OPS[name]
        val = op.arg.reader(io.BytesIO(b[1:]))
    except Exception:
        return seg
    if isinstance(val, (bytes, bytearray)):
        val = bytes(val).decode('latin1')
    if not isinstance(val, str):
        return seg
    if rnd.random() < 0.3:
        val = rnd.choice(DECOR)(val)
    k = rnd.choice(STR_OPS)
    return (k, str_op(rnd, val, k))


def tweak_arg(seg, rnd):
    """Changes the argument bytes or the length field of one opcode."""
    name, b = seg
    if len(b) <= 1:
        return (name, b + bytes([rnd.randrange(256)]))
    b = bytearray(b)
    op = OPS.get(name)
    an = op.arg.name if op and op.arg else ''
    width = {'string1': 1, 'bytes1': 1, 'unicodestring1': 1, 'long1': 1,
             'string4': 4, 'bytes4': 4, 'unicodestring4': 4, 'long4': 4,
             'bytes8': 8, 'unicodestring8': 8, 'bytearray8': 8,
             'uint8': 8}.get(an)
    if width and len(b) > width and rnd.random() < 0.6:
        fmt = {1: '<B', 4: '<I', 8: '<Q'}[width]
        (cur,) = struct.unpack(fmt, bytes(b[1:1 + width]))
        new = rnd.choice((0, cur + 1, max(0, cur - 1), cur * 2,
                          (1 << (8 * width)) - 1, rnd.randrange(1 << (8 * width))))
        new &= (1 << (8 * width)) - 1
        b[1:1 + width] = struct.pack(fmt, new)
        return (name, bytes(b))
    k = rnd.randrange(1, len(b))
    what = rnd.randrange(4)
    if what == 0:
        b[k] = rnd.randrange(256)
    elif what == 1:
        b[k:k] = bytes([rnd.choice(b'\n\r\x00 .\\\'"\x80\xff')])
    elif what == 2:
        del b[k]
    else:
        b[k] = rnd.choice(b'0123456789abcdefx._')
    return (name, bytes(b))


def remap_memo(segs, rnd):
    """Points one memo opcode at another index (often one that is used)."""
    idx = [k for k, s in enumerate(segs)
           if s[0] in ('PUT', 'BINPUT', 'LONG_BINPUT', 'GET', 'BINGET',
                       'LONG_BINGET', 'MEMOIZE')]
    if not idx:
        return segs
    k = rnd.choice(idx)
    used = rnd.randrange(8) if rnd.random() < 0.7 else rnd.randrange(1 << 20)
    get = segs[k][0] in ('GET', 'BINGET', 'LONG_BINGET')
    new = memo_get(rnd, used) if get else memo_put(rnd, used)
    return segs[:k] + [('GET' if get else 'PUT', new)] + segs[k + 1:]


def change_proto(segs, rnd):
    p = bytes([rnd.choice((0, 1, 2, 3, 4, 5, 6, 255))])
    if segs and segs[0][0] == 'PROTO':
        if rnd.random() < 0.3:
            return segs[1:]
        return [('PROTO', b'\x80' + p)] + segs[1:]
    k = rnd.randrange(len(segs) + 1) if rnd.random() < 0.3 else 0
    return segs[:k] + [('PROTO', b'\x80' + p)] + segs[k:]


MUTATORS = ('insert_op', 'insert_import', 'delete_op', 'replace_op',
            'dup_op', 'swap_op', 'tweak_arg', 'recode_string', 'splice',
            'concat', 'frame', 'memo', 'proto', 'flip', 'truncate',
            'move_stop')


def mutate(data, rnd, pool, names):
    segs = segments(data)
    for _ in range(rnd.choice((1, 1, 1, 2, 2, 3, 4))):
        kind = rnd.choice(MUTATORS)
        n = len(segs)
        if n == 0:
            kind = 'insert_import'
        k = rnd.randrange(n) if n else 0
        if kind == 'insert_op':
            segs.insert(rnd.randrange(n + 1), (None, gen_op(rnd)))
        elif kind == 'insert_import':
            segs.insert(rnd.randrange(n + 1), (None, gen_import(rnd, names)))
        elif kind == 'delete_op':
            del segs[k:k + rnd.choice((1, 1, 1, 2, 3))]
        elif kind == 'replace_op':
            segs[k] = (None, gen_op(rnd))
        elif kind == 'dup_op':
            j = min(n, k + rnd.choice((1, 1, 2, 3, 5)))
            segs[k:k] = segs[k:j]
        elif kind == 'swap_op' and n > 1:
            j = rnd.randrange(n)
            segs[k], segs[j] = segs[j], segs[k]
        elif kind == 'tweak_arg':
            segs[k] = tweak_arg(segs[k], rnd)
        elif kind == 'recode_string':
            strs = [i for i, s in enumerate(segs) if s[0] in STR_OPS]
            if strs:
                i = rnd.choice(strs)
                segs[i] = recode_string(segs[i], rnd)
        elif kind in ('splice', 'concat'):
            other = segments(rnd.choice(pool))
            if kind == 'concat':
                segs = segs + other
            else:
                a = rnd.randrange(n + 1)
                b = rnd.randrange(len(other) + 1)
                segs = segs[:a] + other[b:]
        elif kind == 'frame':
            segs = reframe(segs, rnd)
        elif kind == 'memo':
            segs = remap_memo(segs, rnd)
        elif kind == 'proto':
            segs = change_proto(segs, rnd)
        elif kind == 'move_stop':
            stops = [i for i, s in enumerate(segs) if s[0] == 'STOP']
            if stops:
                i = rnd.choice(stops)
                s = segs.pop(i)
                if rnd.random() < 0.5:
                    segs.insert(rnd.randrange(len(segs) + 1), s)
        else:
            b = bytearray(join(segs))
            if not b:
                continue
            i = rnd.randrange(len(b))
            if kind == 'flip':
                for _ in range(rnd.choice((1, 1, 2, 4))):
                    i = rnd.randrange(len(b))
                    b[i] ^= 1 << rnd.randrange(8)
            else:
                del b[i:]
            segs = [(None, bytes(b))]
            # re-split so later steps stay structure-aware
            segs = segments(bytes(b)) or segs
    return join(segs)

# --------------------------------------------------------------------------
# The two sides.


def oracle(paths, jobs):
    """{path: {impl: {'calls', 'loads', 'error'}}} from differential.py's
    sandboxed readers."""
    return differential.run_workers(paths, jobs) if paths else {}


def scan(picklewarden, d, extra=()):
    """picklewarden over a directory: ({basename: file report}, problems)."""
    p = subprocess.run([picklewarden, 'scan', '--json', '--all',
                        '--no-sandbox', '--no-config', *extra, d],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    problems = []
    if p.returncode not in (0, 1, 2):
        problems.append('picklewarden exited with %d: %s' % (
            p.returncode, p.stderr.decode(errors='replace')[-2000:]))
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        problems.append('picklewarden printed invalid JSON: %s' % e)
        return {}, problems
    return {os.path.basename(fr.get('path', '')): fr
            for fr in doc.get('files', [])}, problems


def _bytes_as_latin1(e):
    return ''.join(chr(b) for b in e.object[e.start:e.end]), e.end


codecs_registered = False


def cut(s):
    """A name as picklewarden's JSON spells it: up to a NUL (its strings
    are C strings), and every byte that is not valid UTF-8 (CPython's
    BINUNICODE decodes lone surrogates: 'surrogatepass') as U+00HH."""
    global codecs_registered
    if not codecs_registered:
        import codecs
        codecs.register_error('pw-latin1', _bytes_as_latin1)
        codecs_registered = True
    s = s.split('\0', 1)[0]
    try:
        s.encode('utf-8')
        return s
    except UnicodeEncodeError:
        return s.encode('utf-8', 'surrogatepass').decode('utf-8', 'pw-latin1')


# scanner/pw_limits.h: PW_NAME_MAX.  An import whose name is longer is
# reported without module and name ("<over-long name>") and malicious.
NAME_MAX = 1024


# scanner/pw_limits.h: PW_DEFAULT_MAX_FINDINGS.  The findings list is
# for display and keeps the worst ones (result.c); the verdict counts them
# all.  A name missing from a full list is counted, not failed.
MAX_FINDINGS = 1000


def overlong(p):
    m, n = (len(x.encode('utf-8', 'surrogatepass')) for x in p)
    return max(m, n, m + 1 + n) > NAME_MAX


def pw_overlong_import(fr):
    """Whether picklewarden reports an over-long import as malicious."""
    return any(f.get('kind') == 'import' and f.get('module') is None and
               f.get('severity') == 'malicious'
               for f in fr.get('findings', []))


def pw_frame_crossing(fr):
    """Whether picklewarden reports, as malicious, a read across the end
    of a frame (scanner/pickle/readers.c, vm_frame_straddle)."""
    return any(f.get('kind') == 'differential' and
               f.get('severity') == 'malicious' and
               'crosses the end of a frame' in (f.get('reason') or '')
               for f in fr.get('findings', []))


def pw_by_use(fr):
    """Imports picklewarden judges by their use (scanner/pickle/calls.c:
    builtins.getattr used only as getattr(<global>, '<name>') is judged as
    the dotted name it resolves to, reported as an import of its own;
    builtins.type used only as type(None) is NoneType): their own verdict
    is not the name's."""
    return {(f.get('module'), f.get('name'))
            for f in fr.get('findings', [])
            if f.get('kind') == 'import' and
            (f.get('reason') or '').startswith('used only as ')}


def pw_import_severity(fr):
    """{(module, name): highest severity of its import findings}."""
    out = {}
    for f in fr.get('findings', []):
        if f.get('kind') != 'import':
            continue
        m, n = f.get('module'), f.get('name')
        if isinstance(m, str) and isinstance(n, str):
            k = (m, n)
            out[k] = max(out.get(k, 0), RANK.get(f.get('severity'), 0)
                         if f.get('severity') != 'info' else 0)
    return out


class Canon:
    """What picklewarden says about a name on its own: the lowest verdict
    of minimal pickles that import it, by GLOBAL under protocol 2 (Python
    2 names remapped, no dotted lookup) and by STACK_GLOBAL under protocol
    4 (dotted lookup), and use it in one of USES, with and without a STOP
    after it."""

    def __init__(self, picklewarden, work):
        self.pw = picklewarden
        self.work = work
        self.cache = {}

    # What a minimal pickle does with the name: nothing, or call it with
    # no argument, None, empty bytes, the bytes of a small pickle (64 bytes
    # at least: scanner/pickle/nested.c follows shorter ones nowhere) or an
    # empty str.  Some callables are judged by their call (a nested loader
    # on bytes is scanned, not feared): the name's floor is its least
    # severe minimal use.
    _INNER = b'X' + struct.pack('<I', 60) + b'a' * 60 + b'.'
    USES = (b'', b')R', b'N\x85R', b'C\x00\x85R',
            b'C' + bytes([len(_INNER)]) + _INNER + b'\x85R', b'\x8c\x00\x85R')

    @classmethod
    def forms(cls, m, n):
        imports = []
        bm, bn = _u(m), _u(n)
        if b'\n' not in bm and b'\n' not in bn:
            imports.append(b'\x80\x02c' + bm + b'\n' + bn + b'\n')
        imports.append(b'\x80\x04X' + struct.pack('<I', len(bm)) + bm +
                       b'X' + struct.pack('<I', len(bn)) + bn + b'\x93')
        # with STOP, and without: data that breaks after importing a name
        # no list holds is "not a pickle" (text read as INST), by design
        return [i + u + stop for i in imports for u in cls.USES
                for stop in (b'', b'.')]

    def get(self, pairs):
        todo = [p for p in pairs if p not in self.cache]
        if todo:
            d = tempfile.mkdtemp(prefix='canon-', dir=self.work)
            files = {}
            for i, (m, n) in enumerate(todo):
                for j, b in enumerate(self.forms(m, n)):
                    fn = 'c%d_%d.pkl' % (i, j)
                    with open(os.path.join(d, fn), 'wb') as f:
                        f.write(b)
                    files.setdefault((m, n), []).append(fn)
            rep, _ = scan(self.pw, d)
            for p, fns in files.items():
                v = [RANK.get(rep.get(fn, {}).get('verdict'), 0) for fn in fns]
                self.cache[p] = min(v)
            shutil.rmtree(d, ignore_errors=True)
        return {p: self.cache[p] for p in pairs}


# Which readers each way of loading has.  A raw pickle is read by
# pickle.load, joblib, pandas and torch.load's legacy path, none of which
# defines persistent_load for it; a zip's data.pkl is read by torch.load
# with persistent_load, one load() from an io.BytesIO (no peek()).
MODES = {
    'raw': {'core': ('c-nopl', 'py-nopl', 'c-shared-nopl', 'py-shared-nopl'),
            'nopeek': ('c-nopeek-nopl',),
            'agree': (('c-nopl', 'py-nopl', 'c-nopeek-nopl'),
                      ('c-shared-nopl', 'py-shared-nopl')),
            # readers no loader uses on a raw pickle: what only they
            # import is counted, not failed
            'info': ('c', 'py')},
    # torch's reader has no peek(); the C unpickler then reads differently
    # only where an argument crosses a frame's end, which picklewarden
    # judges malicious in itself: as for raw files, what only that
    # reading imports must be reported unless the verdict is malicious.
    'zip': {'core': ('c-one-peek', 'py-one'), 'nopeek': ('c-one',),
            'agree': (('c-one', 'c-one-peek', 'py-one'),), 'info': ()},
}
# A gzip stream of the same pickle (pandas.read_pickle of a .pkl.gz,
# pickle.load(gzip.open(...))): the readers see the decompressed bytes,
# picklewarden must follow every reading through the decompressor.
MODES['gz'] = MODES['raw']
IMPLS = sorted({i for m in MODES.values() for k in ('core', 'nopeek', 'info')
                for i in m[k]})


def until_unimportable(calls):
    """The find_class calls a real loader makes: up to and including the
    first whose module can never be imported (not a dotted path of
    identifiers: '', 'a b', '.x'), where the import raises and the load
    ends.  The recorder's stand-in goes on; no loader does."""
    out = []
    for m, n in calls:
        out.append((m, n))
        mm = m.split('\0', 1)[0]
        if not mm or not all(p.isidentifier() for p in mm.split('.')):
            break
    return out


def judge(r, fr, canon, mode, data=b''):
    """Failures of one file: [(kind, (module, name) or None, message)], and
    counts."""
    spec = MODES[mode]
    sets = {i: {(cut(m), cut(n)) for m, n in until_unimportable(r[i]['calls'])}
            for i in IMPLS}
    core = set().union(*(sets[i] for i in spec['core']))
    nopeek = set().union(set(), *(sets[i] for i in spec['nopeek']))
    union = core | nopeek
    info = set().union(set(), *(sets[i] for i in spec['info']))
    counts = {'calls': sum(len(r[i]['calls']) for i in
                           spec['core'] + spec['nopeek']),
              'names': len(union), 'extra': 0, 'pl_only': 0, 'capped': 0,
              'by_use': 0, 'joblib_plain': 0, 'frame_c_only': 0}
    out = []
    if fr is None:
        return [('CRASH', None, 'missing from the report')], counts
    verdict = fr.get('verdict')
    sev = pw_import_severity(fr)
    ours = set(sev)
    if pw_overlong_import(fr):
        # names too long to report are reported as one malicious import
        ours |= {p for p in union if overlong(p)}
    if len(fr.get('findings', [])) >= MAX_FINDINGS:
        counts['capped'] = len(union - ours)
        ours |= union
    if (fr.get('format') == 'joblib' or
            (mode == 'gz' and b'NumpyArrayWrapper' in data)) and core - ours:
        # picklewarden reads a joblib stream as joblib.load does (array
        # bytes skipped) and reports pickle.load's reading of the array
        # bytes as opcodes only when it reaches something malicious (a
        # real array's bytes import noise): a name harmless on its own
        # that only that reading imports is counted.
        plain = {p for p in core - ours if canon.get([p])[p] < RANK['malicious']}
        counts['joblib_plain'] = len(plain)
        ours |= plain
    if verdict == 'malicious' and pw_frame_crossing(fr):
        # A read across a frame's end: _pickle's buffer then ends at the
        # frame's end whenever the frame came by read() (no peek(), or a
        # frame larger than what peek() gave, or an unpickler reused
        # after a STOP inside a frame), and it reads the rest from the
        # file after the frame; the Python unpickler fails there.  Which
        # C reading a loader gets depends on buffer sizes, so a name only
        # C readers import is covered by that malicious finding.
        py = set().union(set(), *(sets[i] for i in IMPLS
                                  if i.startswith('py')))
        c_only = (core - ours) - py
        counts['frame_c_only'] = len(c_only)
        ours |= c_only
    for p in sorted(core - ours):
        out.append(('MISSING', p, '%s: CPython imports %r, picklewarden does '
                    'not report it (verdict %s)' % (mode, p, verdict)))
    if verdict != 'malicious':
        for p in sorted(nopeek - core - ours):
            out.append(('MISSING', p, '%s: _pickle without peek() imports '
                        '%r, picklewarden does not report it (verdict %s)'
                        % (mode, p, verdict)))
    by_use = pw_by_use(fr)
    counts['by_use'] = len(union & by_use)
    seen = sorted((union & ours) - by_use)
    if seen and verdict != 'malicious':
        want = canon.get(seen)
        for p in seen:
            if RANK.get(verdict, 0) < want[p]:
                out.append(('COVER', p, '%s: verdict %s is below %s, what %r '
                            'alone gets' % (mode, verdict, [
                                k for k, v in RANK.items() if v == want[p]][0],
                                p)))
    runs = {i: differential.importable_prefix(r[i]['calls']) for i in IMPLS}
    if verdict == 'clean' and any(len({runs[i] for i in g}) > 1
                                  for g in spec['agree']):
        out.append(('DISAGREE', None, '%s: the unpicklers disagree (%s) and '
                    'the verdict is clean' % (mode, {
                        i: sorted(sets[i]) for g in spec['agree'] for i in g})))
    counts['extra'] = len(ours - union - info)
    counts['pl_only'] = len(info - union - ours)
    return out, counts


def torch_zip(data):
    """data as the data.pkl of a torch.save zip."""
    import io
    import zipfile
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', data)
        z.writestr('archive/version', '3\n')
    return b.getvalue()


def evaluate(items, picklewarden, canon, jobs, work):
    """Runs both sides on [(bytes, mode)]; returns a list of (failures,
    counts, CPython's calls, picklewarden's report)."""
    d = tempfile.mkdtemp(prefix='batch-', dir=work)
    raw = os.path.join(d, 'raw')
    wrapped = os.path.join(d, 'scan')
    os.mkdir(raw)
    os.mkdir(wrapped)
    names = []
    for i, (b, mode) in enumerate(items):
        fn = 'm%06d' % i
        with open(os.path.join(raw, fn), 'wb') as f:
            f.write(b)
        with open(os.path.join(wrapped, fn), 'wb') as f:
            f.write(torch_zip(b) if mode == 'zip' else
                    gzip.compress(b, mtime=0) if mode == 'gz' else b)
        names.append(fn)
    cpy = differential.run_workers([os.path.join(raw, n) for n in names],
                                   jobs, impls=IMPLS)
    rep, problems = scan(picklewarden, wrapped)
    out = []
    for n, (b, mode) in zip(names, items):
        r = cpy.get(os.path.join(raw, n))
        if r is None:
            out.append(([('CRASH', None, 'no CPython result')], {}, None, None))
            continue
        fails, counts = judge(r, rep.get(n), canon, mode, b)
        if problems:
            fails.append(('CRASH', None, '; '.join(problems)))
        out.append((fails, counts, r, rep.get(n)))
    shutil.rmtree(d, ignore_errors=True)
    return out


# --------------------------------------------------------------------------
# Reduction: delta debugging that keeps the same failure kind on the same
# name.


def reduce(data, mode, key, picklewarden, canon, jobs, work, budget=40):
    def still(results):
        return [any((k, p) == key for k, p, _ in fails)
                for fails, _, _, _ in results]

    best = data
    rounds = 0
    for level in ('ops', 'bytes'):
        chunk = None
        while rounds < budget:
            units = (segments(best) if level == 'ops' else
                     [(None, best[i:i + 1]) for i in range(len(best))])
            if len(units) <= 1:
                break
            if chunk is None:
                chunk = max(1, len(units) // 2)
            cands = []
            for i in range(0, len(units), chunk):
                c = join(units[:i] + units[i + chunk:])
                if c != best:
                    cands.append(c)
            # a batch at most this big per round keeps rounds short
            cands = cands[:400]
            rounds += 1
            ok = [c for c, s in zip(cands, still(evaluate(
                [(c, mode) for c in cands], picklewarden, canon, jobs,
                work))) if s]
            if ok:
                best = min(ok, key=len)
                chunk = max(1, min(chunk, len(units) // 2))
                continue
            if chunk == 1:
                break
            chunk = max(1, chunk // 2)
    return best


def save_regression(regdir, data, mode, key, msg, cpy, report):
    os.makedirs(regdir, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()[:12]
    kind, p = key
    base = '%s-%s-%s' % (kind.lower(), mode, h)
    with open(os.path.join(regdir, base + '.pkl'), 'wb') as f:
        f.write(data)
    expect = {
        'kind': kind,
        'mode': mode,
        'name': list(p) if p else None,
        'found': msg,
        'cpython': {i: cpy[i]['calls'] for i in IMPLS}
        if cpy else None,
        'verdict_when_found': report.get('verdict') if report else None,
        'expect': 'picklewarden reports every import CPython performs '
                  '(one that only _pickle without peek() performs may be '
                  'covered by a malicious verdict instead), and a verdict '
                  'at least as severe as each name alone',
    }
    with open(os.path.join(regdir, base + '.expect'), 'w') as f:
        json.dump(expect, f, indent=1, sort_keys=True)
        f.write('\n')
    return base

# --------------------------------------------------------------------------


def load_seeds(dirs, max_size):
    out = []
    for d in dirs:
        for root, _dirs, files in os.walk(d):
            for fn in sorted(files):
                if fn.endswith(('.tsv', '.expect', 'README', '.py', '.sh')):
                    continue
                p = os.path.join(root, fn)
                if os.path.getsize(p) > max_size:
                    continue
                with open(p, 'rb') as f:
                    out.append(f.read())
    return out


def seed_names(pool):
    names = set()
    for b in pool:
        try:
            for op, arg, _pos in pickletools.genops(b):
                if op.name in ('GLOBAL', 'INST') and isinstance(arg, str):
                    m, _, n = arg.partition(' ')
                    names.add((m, n))
        except Exception:
            pass
    return sorted(names)


def cmd_run(args):
    t0 = time.time()
    pool = load_seeds(args.seeds, args.max_seed_size)
    if not pool:
        print('fuzz: no seeds')
        return 2
    names = seed_names(pool)
    work = tempfile.mkdtemp(prefix='pw-fuzzdiff-')
    canon = Canon(args.picklewarden, work)
    rnd = random.Random(args.seed)
    stats = {'mutants': 0, 'executed': 0, 'find_class': 0, 'names': 0,
             'extra': 0, 'pl_only': 0, 'capped': 0, 'by_use': 0,
             'joblib_plain': 0, 'frame_c_only': 0,
             'batches': 0,
             'failures': 0,
             'distinct': 0}
    seen = {}
    found = []
    deadline = t0 + args.seconds if args.seconds else None
    # SIGTERM ends the run at the next batch, with the counts printed
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    # clean and suspicious seeds are where a miss hides: pick them more
    while not stop:
        if deadline and time.time() >= deadline:
            break
        if args.mutants and stats['mutants'] >= args.mutants:
            break
        n = args.batch
        if args.mutants:
            n = min(n, args.mutants - stats['mutants'])
        datas = []
        for _ in range(n):
            x = rnd.random()
            datas.append((mutate(rnd.choice(pool), rnd, pool, names),
                          'zip' if x < args.zip_share else
                          'gz' if x < args.zip_share + args.gz_share
                          else 'raw'))
        stats['mutants'] += n
        stats['batches'] += 1
        for (data, mode), (fails, counts, cpy, rep) in zip(
                datas, evaluate(datas, args.picklewarden, canon, args.jobs, work)):
            if cpy is not None:
                stats['executed'] += 1
            stats['find_class'] += counts.get('calls', 0)
            stats['names'] += counts.get('names', 0)
            stats['extra'] += counts.get('extra', 0)
            stats['pl_only'] += counts.get('pl_only', 0)
            stats['capped'] += counts.get('capped', 0)
            stats['by_use'] += counts.get('by_use', 0)
            stats['joblib_plain'] += counts.get('joblib_plain', 0)
            stats['frame_c_only'] += counts.get('frame_c_only', 0)
            for kind, p, msg in fails:
                stats['failures'] += 1
                # one per kind and "class": the name with its module's
                # first component stands for many mutants
                key = (kind, p)
                cls = (kind, mode, p[0].split('.')[0] if p else None,
                       p[1] if p else None)
                if cls in seen:
                    seen[cls] += 1
                    continue
                seen[cls] = 1
                stats['distinct'] += 1
                small = data
                if args.reduce and kind != 'CRASH' and \
                        stats['distinct'] <= args.max_reduce:
                    small = reduce(data, mode, key, args.picklewarden, canon,
                                   args.jobs, work)
                res = evaluate([(small, mode)], args.picklewarden, canon,
                               args.jobs, work)[0]
                base = None
                if args.regressions:
                    base = save_regression(args.regressions, small, mode, key,
                                           msg,
                                           res[2], res[3])
                found.append((kind, p, msg, len(data), len(small), base))
                print('fuzz: %s %r: %s (%d -> %d bytes)%s' % (
                    kind, p, msg, len(data), len(small),
                    ' saved as %s' % base if base else ''), flush=True)
        if args.progress and stats['batches'] % args.progress == 0:
            print('fuzz: %.0fs %s' % (time.time() - t0, stats), flush=True)
    shutil.rmtree(work, ignore_errors=True)
    stats['seconds'] = round(time.time() - t0, 1)
    print('fuzz: done: mutants %(mutants)d, executed %(executed)d, '
          'find_class calls %(find_class)d, names compared %(names)d, '
          'failures %(failures)d (%(distinct)d distinct), extra names '
          '%(extra)d, names only a persistent_load reader imports (raw '
          'files: no loader has one) %(pl_only)d, names not listed in a '
          'full findings list %(capped)d, names judged by their use '
          '%(by_use)d, harmless names only pickle.load reads out of joblib '
          'array bytes %(joblib_plain)d, names only a C reader imports '
          'after a frame crossing judged malicious %(frame_c_only)d, '
          '%(seconds)ss' % stats)
    for cls, k in sorted(seen.items(), key=lambda x: -x[1]):
        print('fuzz:   %5d x %s' % (k, cls))
    return 1 if found else 0


def cmd_replay(args):
    t0 = time.time()
    regs = sorted(f for f in os.listdir(args.regressions) if f.endswith('.pkl'))
    work = tempfile.mkdtemp(prefix='pw-fuzzdiff-replay-')
    canon = Canon(args.picklewarden, work)
    items, exps = [], []
    for f in regs:
        with open(os.path.join(args.regressions, f), 'rb') as fh:
            data = fh.read()
        with open(os.path.join(args.regressions, f[:-4] + '.expect')) as fh:
            exps.append(json.load(fh))
        items.append((data, exps[-1].get('mode', 'raw')))
    bad = 0
    calls = 0
    for f, exp, (fails, counts, cpy, rep) in zip(
            regs, exps, evaluate(items, args.picklewarden, canon, args.jobs,
                                 work)):
        calls += counts.get('calls', 0)
        # the fixture must still make CPython import its name, or it no
        # longer tests anything
        if exp.get('name') and cpy is not None:
            p = (cut(exp['name'][0]), cut(exp['name'][1]))
            if not any((cut(m), cut(n)) == p for i in IMPLS
                       for m, n in cpy[i]['calls']):
                print('fuzz-replay: FAIL %s: CPython no longer imports %r'
                      % (f, p))
                bad += 1
        for kind, p, msg in fails:
            print('fuzz-replay: FAIL %s: %s %r: %s' % (f, kind, p, msg))
            bad += 1
    shutil.rmtree(work, ignore_errors=True)
    print('fuzz-replay: %d regression fixtures, %d find_class calls, %d '
          'failures, %.1fs' % (len(regs), calls, bad, time.time() - t0))
    return 1 if bad else 0


FAKE = r"""import json, os, sys
d = sys.argv[-1]
mode = os.environ['PW_FUZZ_FAKE']
files = []
for fn in sorted(os.listdir(d)):
    fi = []
    if mode == 'lenient':
        fi = [{'kind': 'import', 'severity': 'info', 'module': 'os',
               'name': 'system'}]
    files.append({'path': os.path.join(d, fn), 'verdict': 'clean',
                  'findings': fi})
print(json.dumps({'files': files}))
"""


def cmd_selftest(args):
    """The checks can fail: a picklewarden that reports nothing misses
    os.system (raw and zip, and names imported before an unpickler raised),
    one that reports it as clean does not cover it, and the real one does
    both."""
    work = tempfile.mkdtemp(prefix='pw-fuzzdiff-self-')
    fake = os.path.join(work, 'fake-picklewarden')
    with open(fake, 'w') as f:
        f.write('#!%s\n%s' % (sys.executable, FAKE))
    os.chmod(fake, 0o755)
    canon = Canon(args.picklewarden, work)
    items = [(b'cos\nsystem\n.', 'raw'), (b'cos\nsystem\n.', 'zip'),
             (b'cos\nsystem\n.', 'gz'),
             # imported, then the unpicklers raise: still ran
             (b'\x80\x02cos\nsystem\nq\x00\xff', 'raw')]
    bad = 0
    for fake_mode, want in (('empty', 'MISSING'), ('lenient', 'COVER')):
        os.environ['PW_FUZZ_FAKE'] = fake_mode
        for (b, mode), (fails, _c, _r, _p) in zip(
                items, evaluate(items, fake, canon, args.jobs, work)):
            if not any(k == want and p == ('os', 'system')
                       for k, p, _m in fails):
                print('fuzz-selftest: FAIL: %s not flagged on %r (%s) '
                      'against a picklewarden that %s: %s'
                      % (want, b, mode, fake_mode, fails))
                bad += 1
    del os.environ['PW_FUZZ_FAKE']
    for (b, mode), (fails, _c, _r, _p) in zip(
            items, evaluate(items, args.picklewarden, canon, args.jobs, work)):
        if fails:
            print('fuzz-selftest: FAIL: %r (%s): %s' % (b, mode, fails))
            bad += 1
    shutil.rmtree(work, ignore_errors=True)
    print('fuzz-selftest: %s' % ('FAIL' if bad else 'PASS'))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('command', choices=('run', 'replay', 'selftest'))
    ap.add_argument('--picklewarden', required=True)
    ap.add_argument('--seeds', nargs='*', default=[])
    ap.add_argument('--seconds', type=float, default=0)
    ap.add_argument('--mutants', type=int, default=0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--batch', type=int, default=500)
    ap.add_argument('--jobs', type=int, default=max(1, os.cpu_count() or 1))
    ap.add_argument('--regressions')
    ap.add_argument('--no-reduce', dest='reduce', action='store_false')
    ap.add_argument('--max-reduce', type=int, default=30,
                    help='reduce at most this many distinct failures (the '
                    'rest are saved as found)')
    ap.add_argument('--progress', type=int, default=0,
                    help='print the counts every N batches')
    ap.add_argument('--max-seed-size', type=int, default=64 * 1024)
    ap.add_argument('--gz-share', type=float, default=0.15,
                    help='share of mutants scanned as a gzip stream')
    ap.add_argument('--zip-share', type=float, default=0.25,
                    help='share of mutants scanned as a torch zip\'s data.pkl')
    args = ap.parse_args()
    if args.command == 'selftest':
        return cmd_selftest(args)
    if args.command == 'replay':
        if not args.regressions:
            ap.error('replay needs --regressions')
        return cmd_replay(args)
    if not args.seeds or not (args.seconds or args.mutants):
        ap.error('run needs --seeds and --seconds or --mutants')
    return cmd_run(args)


if __name__ == '__main__':
    sys.exit(main())
