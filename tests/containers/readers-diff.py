#!/usr/bin/env python3
"""Container differential (issue 9): what Python's readers hand to the
unpickler versus what picklewarden analyses, on random mutants of small
container fixtures.

usage: readers-diff.py PICKLEWARDEN WORKDIR [MUTANTS_PER_BASE] [SEED]

Every member of every base container is a small pickle whose first opcode
after PROTO is a GLOBAL of collections.OrderedDict, so "the unpickler got
this member" shows up as an import finding at the member's location in
`picklewarden scan --json --all`.  For each mutant (byte flips, truncation,
inserted bytes), Python's view is computed with the readers loaders use:
zipfile (by central directory, as torch.load/numpy.load), tarfile (as
torch.load's legacy tar and pandas), gzip/lzma/bz2 (as joblib and pandas:
the bytes delivered before any error).  A member Python hands over whose
bytes begin with that import, and that we did not analyse, fails the test
unless the mutant fails closed: `error` on a file we report executable (the
agent quarantines it by default; such cases are counted and printed - a
truncated member whose prefix Python still delivers is one).
Analysing more than Python (a member zipfile refuses for a bad CRC, which
PyTorch still loads) is not a failure: it is counted and printed.

Standard library only; nothing is unpickled.
"""
import bz2
import gzip
import io
import json
import lzma
import os
import random
import subprocess
import sys
import tarfile
import zipfile

GLOBAL = b'ccollections\nOrderedDict\n'


def member_pickle(i):
    # PROTO 2, GLOBAL, EMPTY_TUPLE, REDUCE, then a marker int, POP, STOP.
    return b'\x80\x02' + GLOBAL + b')R' + b'K' + bytes([i & 0xff]) + b'0.'


def imports_first(data):
    """True when data starts like our member pickle up to its GLOBAL:
    the unpickler then imports it, whatever follows."""
    return data is not None and data.startswith(b'\x80\x02' + GLOBAL)


def base_zip():
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', member_pickle(0))
        z.writestr('archive/extra.pkl', member_pickle(1),
                   compress_type=zipfile.ZIP_DEFLATED)
        z.writestr('other/m2', member_pickle(2))
        z.writestr('archive/version', b'3\n')
    return b.getvalue()


def base_tar(fmt):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode='w', format=fmt) as t:
        for i, name in enumerate(('sys_info', 'pickle', 'm2')):
            data = member_pickle(i)
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return b.getvalue()


def py_zip(data):
    """Members zipfile hands over (by central directory)."""
    got = set()
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except Exception:
        return got
    for info in z.infolist():
        try:
            with z.open(info) as f:
                head = f.read(64)
        except Exception:
            continue
        if imports_first(head):
            got.add(info.filename)
    return got


def py_tar(data):
    got = set()
    if data[:4] == b'PK\x03\x04':
        return got      # torch.load takes it as a zip
    try:
        t = tarfile.open(fileobj=io.BytesIO(data), mode='r:')
    except Exception:
        return got
    try:
        for m in t:
            if not m.isreg():
                continue
            try:
                head = t.extractfile(m).read(64)
            except Exception:
                break
            if imports_first(head):
                got.add(m.name)
    except Exception:
        pass
    return got


def py_stream(opener, data, label):
    """The bytes a decompressing reader delivers before it fails."""
    out = bytearray()
    try:
        with opener(io.BytesIO(data)) as f:
            while len(out) < 4096:
                c = f.read(1)
                if not c:
                    break
                out += c
    except Exception:
        pass
    return {label} if imports_first(bytes(out)) else set()


def mutate(rng, data):
    d = bytearray(data)
    kind = rng.randrange(4)
    if kind == 0:
        for _ in range(rng.randint(1, 4)):
            d[rng.randrange(len(d))] = rng.randrange(256)
    elif kind == 1:
        del d[rng.randrange(1, len(d)):]
    elif kind == 2:
        at = rng.randrange(len(d))
        d[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    else:
        at = rng.randrange(len(d))
        d[at] ^= 1 << rng.randrange(8)
    return bytes(d)


def ours(pw, paths):
    r = subprocess.run([pw, 'scan', '--json', '--all', '--no-config'] + paths,
                       stdout=subprocess.PIPE, check=False)
    if r.returncode > 2:
        sys.exit('FAIL: picklewarden scan exited %d' % r.returncode)
    res = {}
    for f in json.loads(r.stdout)['files']:
        # Failing closed: malicious, or an error the agent quarantines
        # (on a file a loader would execute).
        closed = f['verdict'] == 'malicious' or (
            f['verdict'] == 'error' and f.get('executable', False))
        locs = {'<error>'} if closed else set()
        for x in f['findings']:
            if x['kind'] in ('import', 'call') and x['location'] is not None:
                locs.add(x['location'])
        res[f['path']] = locs
    return res


def main(argv):
    pw, work = argv[1], argv[2]
    n = int(argv[3]) if len(argv) > 3 else 60
    seed = int(argv[4]) if len(argv) > 4 else 9
    rng = random.Random(seed)
    pk = member_pickle(0)
    gz_two = gzip.compress(pk[:9]) + b'\0' * 4 + gzip.compress(pk[9:])
    bases = {
        'zip': (base_zip(), py_zip),
        'tar-ustar': (base_tar(tarfile.USTAR_FORMAT), py_tar),
        'tar-gnu': (base_tar(tarfile.GNU_FORMAT), py_tar),
        'gzip': (gz_two, lambda d: py_stream(
            lambda f: gzip.GzipFile(fileobj=f), d, '[gzip]')),
        'xz': (lzma.compress(pk[:7]) + lzma.compress(pk[7:]), lambda d:
               py_stream(lambda f: lzma.LZMAFile(f), d, '[xz]')),
        'bz2': (bz2.compress(pk), lambda d:
                py_stream(lambda f: bz2.BZ2File(f), d, '[bzip2]')),
    }
    os.makedirs(work, exist_ok=True)
    cases = []
    for name, (data, view) in sorted(bases.items()):
        for i in range(n + 1):
            m = data if i == 0 else mutate(rng, data)
            path = os.path.join(work, '%s-%03d' % (name, i))
            with open(path, 'wb') as f:
                f.write(m)
            cases.append((path, m, view))
    seen = ours(pw, [c[0] for c in cases])
    misses, extra, closed = [], 0, 0
    for path, m, view in cases:
        py = view(m)
        we = seen.get(path, set())
        # Our locations for a tar member may carry the legacy layout's
        # record suffixes; compare the member name part.
        we_names = {loc.split('!')[0] for loc in we}
        lost = py - we_names
        if lost and '<error>' in we:
            closed += 1     # not analysed, but not passed either
        elif lost:
            misses.append((os.path.basename(path), sorted(lost),
                           sorted(we)))
        extra += len(we_names - py - {'<error>'})
    print('%d mutants: %d with a member Python unpickles that we did not '
          'analyse and did not fail closed on; %d failed closed (error) '
          'instead; %d member readings only we make' %
          (len(cases), len(misses), closed, extra))
    for m in misses[:20]:
        print('MISS %s: python hands over %s, we analysed %s' % m)
    return 1 if misses else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
