#!/usr/bin/env python3
"""Differential test: picklewarden's imports versus CPython's unpicklers.

For every fixture and for seeded random mutations of them, this records the
(module, name) pairs that CPython's own unpicklers pass to find_class, and
compares them with the raw module/name of the "import" findings that
`picklewarden scan --json --all` reports for the same file.

    differential.py --fixtures DIR --picklewarden PATH [--mutants N]
                    [--seed S] [--keep DIR] [--jobs J]

Unpicklers ("impls"), each reading the file through a file object and
looping load() until end of file or an error, the way loaders read
concatenated pickles:
  c         _pickle.Unpickler over open(path, 'rb') (a peekable reader),
            a fresh one per pickle, as torch.load does
  c-nopeek  the same over a reader without peek()
  py        pickle._Unpickler over open(path, 'rb'), fresh per pickle
  c-shared  one _pickle.Unpickler for every pickle (its memo persists)
  py-shared one pickle._Unpickler for every pickle
  c-nopl    _pickle.Unpickler, fresh per pickle, without persistent_load
            (pickle.load defines none: BINPERSID/PERSID then raise, and
            what ran before still ran)
  py-nopl   the same with pickle._Unpickler
find_class is overridden to record the call and return a fresh, permissive
stand-in class (accepts any arguments, state, items, and calls; for
_codecs.encode a function that returns the bytes, as the real one does), and
persistent_load (where defined, as torch.load does) returns a stand-in: no module is ever imported and nothing
from the file ever runs.  Loads still run in worker subprocesses with
RLIMIT_AS (2 GB), a CPU-time limit and a per-file alarm, because a mutant
can make an unpickler allocate or loop.

Checks (each failure is listed with a reproducer file):
  MISSING   an import that _pickle.Unpickler or pickle._Unpickler performs
            over a regular file (fresh or shared memo) and picklewarden
            does not report (our set must be a superset of their union);
  NOPEEK    an import only _pickle over a reader without peek() performs
            (it reads text lines differently at frame ends), missed while
            the verdict is not malicious;
  DISAGREE  the unpicklers import different sets but picklewarden says
            "clean" (a stream they read differently is hostile);
  CRASH     picklewarden exits with a status other than 0/1/2, prints
            invalid JSON, or leaves a file out of its report.
Reported, not failed: files where picklewarden reports more imports than
any unpickler performs (EXTRA), and exact-equality statistics.
Exit status: 0 when every check held, 1 otherwise, 2 on usage errors.
"""

import argparse
import json
import os
import random
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

IMPLS = ('c', 'c-nopeek', 'py', 'c-shared', 'py-shared', 'c-nopl', 'py-nopl')
# Every reader a caller can ask for (run_workers(impls=...); fuzz.py uses
# more): name -> (unpickler, reader without peek(), one unpickler for all
# pickles, persistent_load defined, only the first pickle).  c-one and
# py-one read as torch.load reads a zip's data.pkl: one load() from an
# io.BytesIO (no peek()) with persistent_load.
READERS = {
    'c': ('c', False, False, True, False),
    'c-nopeek': ('c', True, False, True, False),
    'py': ('py', False, False, True, False),
    'c-shared': ('c', False, True, True, False),
    'py-shared': ('py', False, True, True, False),
    'c-nopl': ('c', False, False, False, False),
    'py-nopl': ('py', False, False, False, False),
    'c-nopeek-nopl': ('c', True, False, False, False),
    'c-shared-nopl': ('c', False, True, False, False),
    'py-shared-nopl': ('py', False, True, False, False),
    'c-one': ('c', True, False, True, True),
    'c-one-peek': ('c', False, False, True, True),
    'py-one': ('py', False, False, True, True),
}
PER_FILE_SECONDS = 5
MAX_LOADS = 256

# --------------------------------------------------------------------------
# Worker: runs the unpicklers.  Nothing here imports a module named in a
# file: find_class never calls the real one.


def _standin_class():
    class StandIn:
        def __new__(cls, *args, **kwargs):
            return object.__new__(cls)

        def __init__(self, *args, **kwargs):
            pass

        def __call__(self, *args, **kwargs):
            return _standin_class()()

        def __setstate__(self, state):
            pass

        def __setitem__(self, key, value):
            pass

        def append(self, item):
            pass

        def extend(self, items):
            for _ in items:
                pass

        def add(self, item):
            pass

        def __reduce__(self):
            raise TypeError('stand-in')
    return StandIn


class _NoPeek:
    """A reader with read/readline/readinto but no peek: the C unpickler
    then reads exactly what it needs instead of reading ahead."""

    def __init__(self, f):
        self._f = f

    def read(self, n=-1):
        return self._f.read(n)

    def readline(self, n=-1):
        return self._f.readline(n)

    def readinto(self, b):
        return self._f.readinto(b)


def _codecs_encode(obj, encoding='utf-8', errors='strict'):
    """_codecs.encode as protocol 2 uses it (bytes from a str): its result
    is bytes, which nothing can call (picklewarden models it so too).  Only
    these encodings: a codec lookup by a name from the file could import a
    module."""
    if not isinstance(obj, str) or not isinstance(encoding, str) or \
            not isinstance(errors, str):
        raise TypeError('stand-in: _codecs.encode(str, str)')
    if encoding.lower().replace('-', '').replace('_', '') not in (
            'latin1', 'utf8', 'ascii', 'iso88591'):
        raise LookupError('stand-in: encoding not modelled')
    return obj.encode(encoding, errors)


# Stand-ins that return what the real callable returns (a value, never
# something callable), for the callables picklewarden models that way.
_VALUE_STANDINS = {('_codecs', 'encode'): _codecs_encode}


def _unpickler_classes():
    import pickle
    import _pickle

    def make(base, with_persistent_load):
        class Recorder(base):
            def find_class(self, module, name):
                self.calls.append((module, name))
                return _VALUE_STANDINS.get((module, name)) or _standin_class()
        if with_persistent_load:
            def persistent_load(self, pid):
                # Every persistent_load a loader defines looks into its
                # id first (torch.load's zip reader asserts a tuple, its
                # legacy one indexes it, torch.package's indexes it): a
                # number or None raises there, before anything loads.
                if pid is None or isinstance(pid, (bool, int, float)):
                    raise TypeError('stand-in: a persistent id that is a '
                                    'number')
                return _standin_class()()
            Recorder.persistent_load = persistent_load
        return Recorder
    bases = {'c': _pickle.Unpickler, 'py': pickle._Unpickler}
    return {(b, pl): make(bases[b], pl) for b in bases for pl in (True, False)}


class _Alarm(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Alarm()


def record(path, impl, classes):
    """Runs one unpickler over the file; returns (calls, loads, error)."""
    calls = []
    loads = 0
    error = None
    base, nopeek, shared, pl, one = READERS[impl]
    with open(path, 'rb') as raw:
        f = _NoPeek(raw) if nopeek else raw
        up = None
        while loads < (1 if one else MAX_LOADS):
            here = raw.tell()
            if raw.read(1) == b'':
                break
            raw.seek(here)
            if up is None or not shared:
                up = classes[base, pl](f, encoding='latin1')
            up.calls = calls
            try:
                up.load()
            except _Alarm:
                error = 'timeout'
                break
            except RecursionError:
                error = 'RecursionError'
                break
            except MemoryError:
                error = 'MemoryError'
                break
            except BaseException as e:  # any failure ends the loader
                if isinstance(e, (KeyboardInterrupt, SystemExit)):
                    raise
                error = type(e).__name__
                break
            finally:
                up.calls = None
            loads += 1
    return calls, loads, error


def importable_prefix(calls):
    """The (module, name) imports up to the first that cannot import."""
    out = set()
    for m, nm in calls:
        m = m.split('\0', 1)[0]
        if not m or not all(p.isidentifier() for p in m.split('.')):
            break
        out.add((m, nm.split('\0', 1)[0]))
    return frozenset(out)


def worker_main(listfile):
    classes = _unpickler_classes()
    impls = os.environ.get('PW_DIFF_IMPLS', ','.join(IMPLS)).split(',')
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.setrecursionlimit(20000)
    with open(listfile, encoding='utf-8') as f:
        todo = f.read().splitlines()
    for line in todo:
        path = line.rstrip('\n')
        if not path:
            continue
        out = {'path': path}
        for impl in impls:
            signal.alarm(PER_FILE_SECONDS)
            try:
                calls, loads, error = record(path, impl, classes)
            except _Alarm:
                calls, loads, error = [], 0, 'timeout'
            finally:
                try:
                    signal.alarm(0)
                except _Alarm:  # it went off on the way out
                    pass
            out[impl] = {'calls': calls, 'loads': loads, 'error': error}
        sys.stdout.write(json.dumps(out) + '\n')
        sys.stdout.flush()


def _limit_worker():
    two_gb = 2 << 30
    resource.setrlimit(resource.RLIMIT_AS, (two_gb, two_gb))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_workers(paths, jobs, stall_seconds=60, impls=IMPLS):
    """Feeds paths to worker subprocesses running the readers impls; a
    worker that goes silent for stall_seconds is killed, its current file
    recorded as a timeout, and a fresh worker takes the rest."""
    results = {}
    env = dict(os.environ, PW_DIFF_IMPLS=','.join(impls))
    chunks = [paths[i::jobs] for i in range(jobs)]
    active = []

    listdir = tempfile.mkdtemp(prefix='pw-differential-lists-')
    serial = [0]

    def start(queue):
        # The list goes through a file: writing it to the worker's stdin
        # while the worker fills its stdout would deadlock.
        serial[0] += 1
        lf = os.path.join(listdir, 'list%d' % serial[0])
        with open(lf, 'w', encoding='utf-8') as f:
            f.write(''.join(q + '\n' for q in queue))
        # stderr goes to a file: CPython prints some internal errors of
        # mutants straight to stderr (PyErr_Print); shown if a worker dies
        err = open(lf + '.err', 'wb')
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                              '--worker', lf], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=err,
                             preexec_fn=_limit_worker, env=env)
        err.close()
        return {'proc': p, 'queue': list(queue), 'last': time.time(),
                'buf': b'', 'err': lf + '.err'}

    for c in chunks:
        if c:
            active.append(start(c))
    while active:
        fds = {w['proc'].stdout.fileno(): w for w in active}
        ready, _, _ = select.select(list(fds), [], [], 1.0)
        for fd in ready:
            w = fds[fd]
            chunk = os.read(fd, 1 << 16)
            if chunk:
                # our own line buffer: a buffered readline() could hold
                # lines that select() no longer reports
                w['buf'] += chunk
                *lines, w['buf'] = w['buf'].split(b'\n')
                for line in lines:
                    r = json.loads(line)
                    results[r['path']] = r
                    w['queue'].remove(r['path'])
                w['last'] = time.time()
                continue
            # the worker ended: crashed (a C-level crash, a hard limit)
            # or done
            w['proc'].wait()
            w['proc'].stdout.close()
            active.remove(w)
            if w['queue']:
                bad = w['queue'][0]
                with open(w['err'], 'rb') as f:
                    tail = f.read()[-2000:].decode(errors='replace')
                print('differential: a worker died (%d) on %s:\n%s'
                      % (w['proc'].returncode, bad, tail))
                results[bad] = {'path': bad, **{
                    i: {'calls': [], 'loads': 0,
                        'error': 'worker died (%d)' % w['proc'].returncode}
                    for i in impls}}
                if w['queue'][1:]:
                    active.append(start(w['queue'][1:]))
        now = time.time()
        for w in list(active):
            if now - w['last'] > stall_seconds:
                w['proc'].kill()
                w['proc'].wait()
                w['proc'].stdout.close()
                active.remove(w)
                bad = w['queue'][0]
                results[bad] = {'path': bad, **{
                    i: {'calls': [], 'loads': 0, 'error': 'stalled'}
                    for i in impls}}
                if w['queue'][1:]:
                    active.append(start(w['queue'][1:]))
    shutil.rmtree(listdir, ignore_errors=True)
    return results


# --------------------------------------------------------------------------
# Mutations (seeded, reproducible).

OPCODE_BYTES = b'(.012FIJKLMNPQRSTUVXabcdeghijlopqrstu}])G' + \
    bytes(range(0x80, 0x99))


def op_boundaries(data):
    """Offsets where opcodes start, from pickletools (a disassembler: it
    never executes anything); falls back to nothing on a parse error."""
    import pickletools
    out = []
    try:
        for _op, _arg, pos in pickletools.genops(data):
            out.append(pos)
    except Exception:
        pass
    return out


def mutate(data, rnd, pool):
    data = bytearray(data)
    for _ in range(rnd.choice((1, 1, 1, 2, 3))):
        kind = rnd.choice(('flip', 'flip_op', 'insert', 'delete', 'splice',
                           'dup_op', 'del_op', 'swap_op', 'truncate'))
        n = len(data)
        if n == 0:
            kind = 'insert'
        if kind == 'flip':
            i = rnd.randrange(n)
            data[i] = rnd.randrange(256)
        elif kind == 'flip_op':
            i = rnd.randrange(n)
            data[i] = rnd.choice(OPCODE_BYTES)
        elif kind == 'insert':
            i = rnd.randrange(n + 1)
            ins = bytes([rnd.choice(OPCODE_BYTES)])
            if rnd.random() < 0.5:
                ins += bytes(rnd.randrange(256)
                             for _ in range(rnd.randrange(1, 9)))
            data[i:i] = ins
        elif kind == 'delete':
            i = rnd.randrange(n)
            del data[i:i + rnd.randrange(1, 9)]
        elif kind == 'truncate':
            del data[rnd.randrange(n):]
        elif kind == 'splice':
            other = rnd.choice(pool)
            if not other:
                continue
            j = rnd.randrange(len(other))
            k = min(len(other), j + rnd.randrange(1, 64))
            i = rnd.randrange(n + 1)
            m = min(n, i + rnd.randrange(0, 16))
            data[i:m] = other[j:k]
        else:
            bounds = op_boundaries(bytes(data))
            if len(bounds) < 2:
                continue
            ends = bounds[1:] + [n]
            t = rnd.randrange(len(bounds))
            a, b = bounds[t], ends[t]
            if kind == 'dup_op':
                data[a:a] = data[a:b]
            elif kind == 'del_op':
                del data[a:b]
            elif kind == 'swap_op' and t + 1 < len(bounds):
                c = ends[t + 1]
                data[a:c] = data[b:c] + data[a:b]
    return bytes(data)


def read_manifest(fixdir):
    rows = []
    with open(os.path.join(fixdir, 'manifest.tsv'), encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            cols = line.rstrip('\n').split('\t')
            rows.append(cols)
    return rows


# --------------------------------------------------------------------------
# picklewarden side.

def scan_dir(picklewarden, d):
    """One invocation over the whole directory; returns ({basename:
    file-report}, exit status, problems)."""
    p = subprocess.run([picklewarden, 'scan', '--json', '--all', d],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    problems = []
    if p.returncode not in (0, 1, 2):
        problems.append('picklewarden exited with %d: %s'
                        % (p.returncode, p.stderr.decode(errors='replace')[-2000:]))
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        problems.append('picklewarden printed invalid JSON: %s' % e)
        return {}, p.returncode, problems
    files = {}
    for fr in doc.get('files', []):
        files[os.path.basename(fr.get('path', ''))] = fr
    return files, p.returncode, problems


def pw_imports(fr):
    pairs = set()
    unresolved = 0
    for f in fr.get('findings', []):
        if f.get('kind') != 'import':
            continue
        m, n = f.get('module'), f.get('name')
        if isinstance(m, str) and isinstance(n, str):
            pairs.add((m, n))
        else:
            unresolved += 1
    return pairs, unresolved


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--worker', help=argparse.SUPPRESS)
    ap.add_argument('--fixtures')
    ap.add_argument('--picklewarden')
    ap.add_argument('--mutants', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=20240501)
    ap.add_argument('--jobs', type=int, default=max(1, os.cpu_count() or 1))
    ap.add_argument('--keep', help='directory for reproducers '
                    '(default: a new temporary directory)')
    ap.add_argument('--max-base-size', type=int, default=64 * 1024,
                    help='fixtures larger than this are scanned but not '
                    'mutated')
    ap.add_argument('--list-limit', type=int, default=60)
    args = ap.parse_args()
    if args.worker:
        worker_main(args.worker)
        return 0
    if not args.fixtures or not args.picklewarden:
        ap.error('--fixtures and --picklewarden are required')
    t0 = time.time()
    rows = read_manifest(args.fixtures)
    if not rows:
        print('FAIL: no fixtures in %s' % args.fixtures)
        return 1
    work = tempfile.mkdtemp(prefix='pw-differential-')
    files = os.path.join(work, 'files')
    os.mkdir(files)
    origin = {}
    bases = []
    for cols in rows:
        name = cols[0]
        with open(os.path.join(args.fixtures, name), 'rb') as f:
            data = f.read()
        dst = 'f_' + name
        with open(os.path.join(files, dst), 'wb') as f:
            f.write(data)
        origin[dst] = (name, 'original')
        if len(data) <= args.max_base_size:
            bases.append((name, data))
    rnd = random.Random(args.seed)
    pool = [d for _, d in bases]
    for i in range(args.mutants):
        name, data = rnd.choice(bases)
        mdata = mutate(data, rnd, pool)
        dst = 'm%05d_%s' % (i, name)
        with open(os.path.join(files, dst), 'wb') as f:
            f.write(mdata)
        origin[dst] = (name, 'mutant %d (seed %d)' % (i, args.seed))
    names = sorted(origin)
    print('differential: %d files (%d fixtures, %d mutants, seed %d) in %s'
          % (len(names), len(rows), args.mutants, args.seed, work))

    cpy = run_workers([os.path.join(files, n) for n in names], args.jobs)
    t1 = time.time()
    pw, status, problems = scan_dir(args.picklewarden, files)
    t2 = time.time()

    keep = args.keep or tempfile.mkdtemp(prefix='pw-differential-repro-')
    os.makedirs(keep, exist_ok=True)
    stats = {'files': len(names), 'equal': 0, 'superset': 0, 'missing': 0,
             'extra_only': 0, 'disagree': 0, 'disagree_flagged': 0,
             'disagree_clean': 0, 'cpython_imports': 0, 'unpickler_errors': 0,
             'timeouts': 0, 'nopeek_missing': 0, 'nul_names': 0}
    failures = []
    extras = []

    def save(n):
        src = os.path.join(files, n)
        dst = os.path.join(keep, n)
        shutil.copyfile(src, dst)
        return dst

    for n in names:
        r = cpy.get(os.path.join(files, n))
        if r is None:
            failures.append(('CRASH', n, 'no CPython result'))
            continue
        # picklewarden's strings are NUL-terminated (picklewarden.h), and a
        # module or attribute name with a NUL byte can never be imported
        # or resolved: compare such names up to their first NUL.
        sets = {i: {(m.split('\0', 1)[0], nm.split('\0', 1)[0])
                    for m, nm in r[i]['calls']} for i in IMPLS}
        if any('\0' in m or '\0' in nm for i in IMPLS
               for m, nm in r[i]['calls']):
            stats['nul_names'] += 1
        union = set().union(*sets.values())
        stats['cpython_imports'] += len(union)
        if any(r[i]['error'] in ('timeout', 'stalled') or
               (r[i]['error'] or '').startswith('worker died') for i in IMPLS):
            stats['timeouts'] += 1
        if any(r[i]['error'] for i in IMPLS):
            stats['unpickler_errors'] += 1
        fr = pw.get(n)
        if fr is None:
            failures.append(('CRASH', n, 'missing from picklewarden\'s report'))
            continue
        ours, unresolved = pw_imports(fr)
        # The brief's contract: a superset of what _pickle.Unpickler and
        # pickle._Unpickler import when reading a regular (peekable) file.
        core = (sets['c'] | sets['py'] | sets['c-shared'] |
                sets['py-shared'] | sets['c-nopl'] | sets['py-nopl'])
        missing = core - ours
        # _pickle without peek() reads differently at frame ends; a name
        # only it imports is a failure unless the file is malicious anyway.
        nopeek_only = sets['c-nopeek'] - core - ours
        extra = ours - union
        if missing:
            stats['missing'] += 1
            failures.append(('MISSING', n, 'picklewarden misses %s (C: %s; '
                             'C no-peek: %s; Python: %s; C shared memo: %s; '
                             'Python shared memo: %s; C without '
                             'persistent_load: %s; Python without: %s; '
                             'ours: %s; '
                             'unresolved imports reported: %d; verdict %s)'
                             % (sorted(missing), sorted(sets['c']),
                                sorted(sets['c-nopeek']), sorted(sets['py']),
                                sorted(sets['c-shared']),
                                sorted(sets['py-shared']),
                                sorted(sets['c-nopl']),
                                sorted(sets['py-nopl']),
                                sorted(ours), unresolved,
                                fr.get('verdict'))))
        else:
            stats['superset'] += 1
            if not extra and not nopeek_only:
                stats['equal'] += 1
            elif extra:
                stats['extra_only'] += 1
                extras.append((n, sorted(extra), sorted(union)))
        if nopeek_only:
            stats['nopeek_missing'] += 1
            if fr.get('verdict') != 'malicious':
                failures.append(('NOPEEK', n, 'picklewarden misses %s that '
                                 '_pickle imports from a file without '
                                 'peek() (ours: %s; verdict %s)'
                                 % (sorted(nopeek_only), sorted(ours),
                                    fr.get('verdict'))))
        # A parser differential: the unpicklers read the same way of
        # loading differently (fresh per pickle, or one shared memo).
        # What each really imports: a real loader stops at the first
        # find_class whose module is not a dotted identifier (the import
        # raises; our recorder goes on).  Text files read as INST/GLOBAL
        # ("import torch" is INST "mport torch") differ only there.
        runs = {i: importable_prefix(r[i]['calls']) for i in IMPLS}
        if (len({runs[i] for i in ('c', 'c-nopeek', 'py')}) > 1 or
                runs['c-shared'] != runs['py-shared']):
            stats['disagree'] += 1
            if fr.get('verdict') == 'clean':
                stats['disagree_clean'] += 1
                failures.append(('DISAGREE', n, 'unpicklers disagree (C: %s; '
                                 'C no-peek: %s; Python: %s; C shared memo: '
                                 '%s; Python shared memo: %s) but verdict is '
                                 'clean' % (sorted(sets['c']),
                                            sorted(sets['c-nopeek']),
                                            sorted(sets['py']),
                                            sorted(sets['c-shared']),
                                            sorted(sets['py-shared']))))
            else:
                stats['disagree_flagged'] += 1
    for p in problems:
        failures.append(('CRASH', '-', p))

    print('differential: CPython %.1fs, picklewarden %.1fs (exit %d)'
          % (t1 - t0, t2 - t1, status))
    print('differential: %(files)d files; our imports a superset of '
          'CPython\'s: %(superset)d; exactly equal: %(equal)d; '
          'more than CPython: %(extra_only)d; missing some: %(missing)d; '
          'missing a no-peek-only import: %(nopeek_missing)d' % stats)
    print('differential: unpicklers disagree on %(disagree)d files '
          '(%(disagree_flagged)d flagged, %(disagree_clean)d clean); '
          'files where an unpickler failed: %(unpickler_errors)d; '
          'timeouts: %(timeouts)d; CPython imports in all: '
          '%(cpython_imports)d; files with a NUL in an imported name '
          '(compared up to the NUL): %(nul_names)d' % stats)
    if extras:
        print('differential: EXTRA (reported, not a failure): %d files, '
              'first %d:' % (len(extras), min(len(extras), args.list_limit)))
        for n, extra, union in extras[:args.list_limit]:
            print('  EXTRA %s: ours also %s (CPython: %s) [%s] -> %s'
                  % (n, extra, union, '; '.join(origin[n]), save(n)))
    if failures:
        print('differential: %d FAILURES, first %d:'
              % (len(failures), min(len(failures), args.list_limit)))
        for what, n, msg in failures[:args.list_limit]:
            where = '' if n == '-' else ' [%s] -> %s' % (
                '; '.join(origin.get(n, ('?',))), save(n))
            print('  %s %s: %s%s' % (what, n, msg, where))
        by = {}
        for what, _, _ in failures:
            by[what] = by.get(what, 0) + 1
        print('differential: failures by kind: %s' % by)
        print('differential: reproducers kept in %s' % keep)
    else:
        if not args.keep and not extras:
            shutil.rmtree(keep, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    print('differential: %s in %.1fs' % ('FAIL' if failures else 'PASS',
                                         time.time() - t0))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
