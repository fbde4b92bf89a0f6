"""Loader self-test for the evasion corpus.

For every malicious fixture that names loaders, a marker variant is built
(its payload only creates a file called `marker` in a fresh directory) and
handed to each named loader in a forked child with a time limit.  The test
proves the manifest's claim "this loader executes this file" on this
machine's libraries: a named loader that does not execute its fixture is a
failure (fix the fixture or the manifest), and so is a fixture whose loaders
are all present but none executes it.  Loaders whose Python package is
missing are skipped and reported; with none present at all, exit 77.
"""
import io
import json
import os
import signal
import tempfile
import time

TIMEOUT = 60

# loader name -> python package it needs
NEEDS = {
    'torch.load': 'torch', 'torch.load.weights_only': 'torch',
    'torch.jit.load': 'torch', 'torch.package': 'torch',
    'numpy.load': 'numpy', 'joblib.load': 'joblib',
    'pandas.read_pickle': 'pandas', 'py7zr': 'py7zr',
}


def _need(loader):
    return NEEDS.get(loader.split(':')[0])


def _available(mod):
    import importlib.util
    return mod is None or importlib.util.find_spec(mod) is not None


def _load(loader, path):
    """Run one real loader on path (in the child)."""
    import pickle
    kind, _, arg = loader.partition(':')
    if kind == 'pickle.load':
        with open(path, 'rb') as f:
            pickle.load(f)
    elif kind == 'pickle.loads':
        with open(path, 'rb') as f:
            pickle.loads(f.read())
    elif kind == 'pickle._Unpickler':
        with open(path, 'rb') as f:
            pickle._Unpickler(io.BytesIO(f.read())).load()
    elif kind == 'torch.load':
        import torch
        torch.load(path)
    elif kind == 'torch.load.weights_only':
        import torch
        torch.load(path, weights_only=True)
    elif kind == 'torch.jit.load':
        import torch
        torch.jit.load(path)
    elif kind == 'torch.package':
        from torch.package import PackageImporter
        pkg, res = arg.split(':')
        PackageImporter(path).load_pickle(pkg, res)
    elif kind == 'numpy.load':
        import numpy
        r = numpy.load(path, allow_pickle=True)
        if hasattr(r, 'files'):
            for k in r.files:
                r[k]
    elif kind == 'joblib.load':
        import joblib
        joblib.load(path)
    elif kind == 'pandas.read_pickle':
        import pandas
        pandas.read_pickle(path)
    elif kind in ('gzip+pickle', 'bz2+pickle', 'lzma+pickle'):
        mod = __import__(kind.split('+')[0])
        with mod.open(path, 'rb') as f:
            pickle.load(f)
    elif kind == 'py7zr':
        import py7zr
        with py7zr.SevenZipFile(path, 'r') as z:
            data = z.read([arg])[arg].read()
        pickle.loads(data)
    else:
        raise ValueError('unknown loader ' + loader)


def _child(jobs, status_path):
    """Run jobs [(loader, path, workdir)] one after the other, appending the
    index of each finished job to status_path."""
    import resource
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    # A loader that balloons (joblib on multi-member gzip does) must not
    # take the machine with it.
    resource.setrlimit(resource.RLIMIT_DATA, (4 << 30, 4 << 30))

    def on_alarm(signum, frame):
        raise TimeoutError()
    signal.signal(signal.SIGALRM, on_alarm)
    with open(status_path, 'a') as st:
        for idx, (loader, path, workdir) in jobs:
            try:
                os.chdir(workdir)
                signal.alarm(TIMEOUT)
                _load(loader, path)
            except BaseException:
                pass
            signal.alarm(0)
            st.write('%d\n' % idx)
            st.flush()


def _run_batch(jobs, tmp):
    """Run jobs in forked children, a batch per child (forking a process
    that holds torch costs more than most loads).  A child that stops making
    progress for TIMEOUT seconds is killed and the rest of its batch goes to
    a new child.  Returns the set of job indexes that timed out."""
    timed_out = set()
    pending = list(jobs)
    while pending:
        status = os.path.join(tmp, 'status')
        open(status, 'w').close()
        pid = os.fork()
        if pid == 0:
            try:
                _child(pending, status)
            finally:
                os._exit(0)
        last, t_last = 0, time.time()
        while True:
            done, _ = os.waitpid(pid, os.WNOHANG)
            with open(status) as st:
                finished = [int(x) for x in st.read().split()]
            if len(finished) != last:
                last, t_last = len(finished), time.time()
            if done:
                break
            if time.time() - t_last > TIMEOUT + 10:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(0.05)
        rest = [j for j in pending if j[0] not in set(finished)]
        if rest:
            # The first unfinished job killed or hung the child.
            timed_out.add(rest[0][0])
            rest = rest[1:]
        pending = rest
    return timed_out


def run(fixtures, Ctx, args):
    out_json = None
    if args and args[0].startswith('--json='):
        out_json = args[0][7:]
    jobs = [f for f in fixtures if f['verdict'] == 'malicious' and f['loaders']]
    loaders = sorted({l for f in jobs for l in f['loaders']})
    missing = sorted({_need(l) for l in loaders if not _available(_need(l))})
    if all(not _available(_need(l)) for l in loaders if _need(l)):
        print('SKIP: none of torch, numpy, joblib, pandas is installed')
        return 77
    # Import the libraries once, before forking: every child then starts warm.
    for m in ('numpy', 'torch', 'joblib', 'pandas'):
        if _available(m):
            __import__(m)
    results = {}
    failures = []
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix='pw-evasion-selftest-') as tmp:
        batch, alone, where = [], [], {}
        for i, f in enumerate(jobs):
            results[f['name']] = {'executed': [], 'not_executed': [], 'skipped': []}
            if not all(_available(m) for m in f['needs'] + f['rneeds']):
                results[f['name']]['skipped'] = list(f['loaders'])
                continue
            for j, loader in enumerate(f['loaders']):
                if not _available(_need(loader)):
                    results[f['name']]['skipped'].append(loader)
                    continue
                d = os.path.join(tmp, '%d-%d' % (i, j))
                os.mkdir(d)
                marker = os.path.join(d, 'marker')
                data = f['build'](Ctx(marker=marker))
                if data is None:
                    results[f['name']]['skipped'].append(loader)
                    continue
                path = os.path.join(d, f['name'])
                with open(path, 'wb') as fp:
                    fp.write(data)
                idx = len(batch) + len(alone)
                (alone if f['isolate'] else batch).append((idx, (loader, path, d)))
                where[idx] = (f['name'], loader, marker)
        timed_out = _run_batch(batch, tmp)
        for job in alone:
            timed_out |= _run_batch([job], tmp)
        for idx, (name, loader, marker) in where.items():
            ok = os.path.exists(marker)
            results[name]['executed' if ok else 'not_executed'].append(
                loader + (' (timeout)' if idx in timed_out else ''))
        for name, r in results.items():
            if r['not_executed']:
                failures.append('%s: %s did not execute it' % (name, ','.join(r['not_executed'])))
    n_exec = sum(1 for r in results.values() if r.get('executed'))
    by_cls = {}
    for f in jobs:
        r = results.get(f['name'], {})
        c = by_cls.setdefault(f['cls'], [0, 0])
        c[0] += 1
        c[1] += 1 if r.get('executed') else 0
    for c in sorted(by_cls):
        print('self-test %-22s fixtures with loaders %3d  executed %3d' % (c, *by_cls[c]))
    print('self-test: %d fixtures, %d executed by a real loader, %.1f s%s' % (
        len(jobs), n_exec, time.time() - t0,
        ('; missing packages: ' + ', '.join(missing)) if missing else ''))
    if out_json:
        with open(out_json, 'w') as fp:
            json.dump(results, fp, indent=1, sort_keys=True)
    for x in failures:
        print('FAIL ' + x)
    return 1 if failures else 0
