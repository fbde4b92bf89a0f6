#!/usr/bin/python3
"""Finds callables that run code, commands or files, by auditing their code.

  audit.py OUT            write the denylist found (scanner/data/audit-denylist.txt)
  audit.py --check FILE   exit 0 if FILE is what this interpreter's libraries
                          give, 1 if not, 77 (skip) if the installed packages
                          differ from the ones FILE was made with

It imports the standard library and the ML packages Debian ships (those that
import cleanly, each module under a time limit), and for every function,
class (its __init__, __new__, __setstate__) and method defined there, reads
its bytecode: a global or attribute chain (os.system, subprocess.Popen...) is
resolved to the object it names in the function's own globals, and compared
by identity with a set of sinks - eval/exec/compile, import by name, process
creation, file creation/truncation/writing, sockets, ctypes, marshal/pickle
loading, code objects.  A callable that reaches a sink directly, or through a
short chain (CHAIN_DEPTH calls) of other audited callables, is listed with
the sink and the chain.  Names the hand-kept denylist already covers are not
repeated; names in exclusions.txt (reviewed false positives, each with its
reason) are dropped and counted.
"""
import builtins
import dis
import fnmatch
import importlib
import os
import pkgutil
import signal
import sys
import types
import warnings

# Some packages replace builtins.__import__ when imported: the sinks and
# the builtins a function's globals fall back to are taken before that.
ORIG_BUILTINS = dict(vars(builtins))
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
CHAIN_DEPTH = 2
IMPORT_SECONDS = 30
# The ML packages audited besides the standard library (those installed).
PACKAGES = ['numpy', 'scipy', 'pandas', 'torch', 'torchvision', 'sklearn',
            'joblib', 'statsmodels', 'gensim', 'nltk', 'xgboost', 'dill',
            'cloudpickle', 'h5py', 'onnx', 'sentencepiece', 'yaml', 'PIL',
            'tqdm', 'dateutil', 'pytz', 'msgpack', 'lz4', 'py7zr']
# Subtrees not walked: slow or side-effecting to import, or denied whole by
# the hand-kept list already (their every name is malicious anyway).
SKIP_PREFIXES = ('torch._inductor', 'torch._dynamo', 'torch.distributed',
                 'torch.fx', 'torch.testing._internal', 'torch.utils.bottleneck',
                 'torch.utils.tensorboard', 'torch.onnx', 'torch.package',
                 'torch.utils.cpp_extension', 'torch.hub', 'torch.jit',
                 'numpy.f2py', 'numpy.distutils', 'numpy.testing',
                 'pandas.io', 'pandas.tests', 'sklearn.externals',
                 'scipy._lib._test', 'nltk.app', 'nltk.test', 'nltk.downloader', 'nltk.book',
                 'idlelib', 'tkinter', 'turtle', 'turtledemo', 'test',
                 'lib2to3.tests', 'antigravity', 'this', 'ensurepip',
                 'xgboost.dask', 'xgboost.spark', 'gensim.test',
                 'statsmodels.sandbox', 'dill.tests', 'cloudpickle.tests',
                 'h5py.tests', 'onnx.backend.test', 'PIL.ImageTk',
                 'PIL.ImageQt')
WRITE_MODES = {'w', 'wb', 'wt', 'a', 'ab', 'at', 'x', 'xb', 'w+', 'wb+',
               'w+b', 'a+', 'ab+', 'a+b', 'r+', 'rb+', 'r+b', 'x+', 'xb+'}
# Attribute names that write files whatever object has them (pathlib and
# numpy spell them so); code objects reached through a function.
WRITE_ATTRS = {'write_text': 'file write', 'write_bytes': 'file write',
               'touch': 'file creation', 'tofile': 'file write',
               '__code__': 'code object', '__globals__': 'code object'}


def sinks():
    """id(object) -> what it does, for the objects that are sinks."""
    table = {}

    def add(modname, names, what):
        try:
            m = importlib.import_module(modname)
        except Exception:
            return
        for n in names:
            o = getattr(m, n, None)
            if o is not None and not isinstance(o, (int, str, bytes)):
                table[id(o)] = (what, '%s.%s' % (modname, n))
    add('builtins', ['eval', 'exec', 'compile', '__import__', 'breakpoint'],
        'code or import by name')
    add('importlib', ['import_module', '__import__', 'reload'], 'import by name')
    add('importlib.util', ['spec_from_file_location', 'module_from_spec'],
        'import by name')
    add('pkgutil', ['resolve_name'], 'import by name')
    add('pydoc', ['locate'], 'import by name')
    add('os', ['system', 'popen', 'execl', 'execle', 'execlp', 'execlpe',
               'execv', 'execve', 'execvp', 'execvpe', 'spawnl', 'spawnle',
               'spawnlp', 'spawnlpe', 'spawnv', 'spawnve', 'spawnvp',
               'spawnvpe', 'fork', 'forkpty', 'posix_spawn', 'posix_spawnp',
               'kill', 'killpg'], 'process creation')
    add('os', ['remove', 'unlink', 'rmdir', 'removedirs', 'rename', 'renames',
               'replace', 'mkdir', 'makedirs', 'truncate', 'open', 'symlink',
               'link', 'chmod', 'chown', 'mkfifo', 'mknod', 'putenv'],
        'file creation/writing')
    add('subprocess', ['Popen', 'call', 'check_call', 'check_output', 'run',
                       'getoutput', 'getstatusoutput'], 'process creation')
    add('pty', ['spawn', 'fork'], 'process creation')
    add('shutil', ['rmtree', 'copy', 'copy2', 'copyfile', 'copytree', 'move',
                   'make_archive', 'unpack_archive', 'chown', 'copymode'],
        'file creation/writing')
    add('tempfile', ['mkstemp', 'mkdtemp', 'NamedTemporaryFile',
                     'TemporaryFile', 'SpooledTemporaryFile',
                     'TemporaryDirectory'], 'file creation')
    add('io', ['FileIO'], 'file creation/writing')
    add('socket', ['socket', 'create_connection', 'create_server',
                   'socketpair', 'fromfd'], 'socket')
    add('urllib.request', ['urlopen', 'urlretrieve', 'build_opener'], 'network')
    add('ctypes', ['CDLL', 'PyDLL', 'cdll', 'pydll', 'LoadLibrary'], 'ctypes')
    add('marshal', ['loads', 'load'], 'marshal loading')
    add('pickle', ['loads', 'load', 'Unpickler', '_loads', '_load',
                   '_Unpickler'], 'pickle loading')
    add('_pickle', ['loads', 'load', 'Unpickler'], 'pickle loading')
    add('types', ['FunctionType', 'CodeType'], 'code object')
    add('torch', ['load'], 'pickle loading')
    add('torch', ['save'], 'file creation/writing')
    add('numpy', ['load'], 'pickle loading')
    add('numpy', ['save', 'savez', 'savez_compressed', 'savetxt', 'fromfile'],
        'file creation/writing')
    add('joblib', ['load'], 'pickle loading')
    add('joblib', ['dump'], 'file creation/writing')
    add('pandas', ['read_pickle'], 'pickle loading')
    add('pandas', ['to_pickle'], 'file creation/writing')
    add('dill', ['loads', 'load'], 'pickle loading')
    add('yaml', ['unsafe_load', 'full_load'], 'code or import by name')
    return table


OPEN_IDS = {id(builtins.open)}
try:
    import io as _io
    OPEN_IDS.add(id(_io.open))
except Exception:
    pass


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def import_quietly(name):
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(IMPORT_SECONDS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return importlib.import_module(name)
    except BaseException:
        return None
    finally:
        signal.alarm(0)


def module_names():
    names = sorted(n for n in sys.stdlib_module_names
                   if not n.startswith('_') or n in ('_pickle', '_osx_support'))
    out = []
    for n in names:
        if not n.startswith(SKIP_PREFIXES):
            out.append(n)
    for top in PACKAGES:
        m = import_quietly(top)
        if m is None:
            continue
        out.append(top)
        path = getattr(m, '__path__', None)
        if path is None:
            continue
        for info in pkgutil.walk_packages(path, top + '.', onerror=lambda n: None):
            n = info.name
            if n.startswith(SKIP_PREFIXES) or '.tests' in n or '._tests' in n \
               or n.endswith(('.conftest', '.setup', '__main__')):
                continue
            out.append(n)
    return out


def code_objects(co):
    yield co
    for c in co.co_consts:
        if isinstance(c, types.CodeType):
            yield from code_objects(c)


class Auditor:
    def __init__(self, sink_table):
        self.sinks = sink_table
        self.sink_names = set()
        for what, full in sink_table.values():
            self.sink_names.add(full.rsplit('.', 1)[1])
        self.sink_names |= set(WRITE_ATTRS) | {'open'}
        self.hot = {}          # id(function) -> (what, chain)
        self.funcs = []        # (full name, function, owner kind)

    def direct(self, fn, hot_names, owner=None):
        """What fn's own code reaches: (what, via) or None.  owner: the
        class whose method fn is (self.<name> resolves in it)."""
        co = getattr(fn, '__code__', None)
        if co is None:
            return None
        g = getattr(fn, '__globals__', {})
        # A write mode given as a default (FileHandler(filename, mode='a')).
        dflt = set(x for x in (getattr(fn, '__defaults__', None) or ())
                   if isinstance(x, str))
        for c in code_objects(co):
            names = set(c.co_names)
            if not (names & self.sink_names or names & hot_names):
                continue
            r = self.scan_code(c, g, owner if c is co else None, dflt)
            if r is not None:
                return r
        return None

    def scan_code(self, co, g, owner, dflt):
        cur = None
        consts = set(x for x in co.co_consts if isinstance(x, str)) | dflt
        selfname = co.co_varnames[0] if owner is not None and co.co_argcount else None
        typecheck = False
        for ins in dis.get_instructions(co):
            op = ins.opname
            # isinstance(x, types.FunctionType) only names the type.
            if op in ('PRECALL', 'CALL', 'CALL_FUNCTION', 'CALL_METHOD'):
                typecheck = False
            if op == 'LOAD_GLOBAL' and ins.argval in ('isinstance', 'issubclass'):
                typecheck = True
            if op == 'LOAD_FAST' and selfname is not None and ins.argval == selfname:
                cur = owner
                continue
            if op in ('LOAD_GLOBAL', 'LOAD_NAME'):
                n = ins.argval
                cur = g.get(n, ORIG_BUILTINS.get(n)) if isinstance(n, str) else None
            elif op in ('LOAD_ATTR', 'LOAD_METHOD'):
                n = ins.argval
                if n in WRITE_ATTRS:
                    return (WRITE_ATTRS[n], '.' + n)
                if cur is not None:
                    try:
                        cur = getattr(cur, n, None) if isinstance(
                            cur, (types.ModuleType, type)) else None
                    except Exception:
                        cur = None
            else:
                cur = None
                continue
            if cur is None:
                continue
            k = id(cur)
            if typecheck:
                continue
            if k in OPEN_IDS:
                if consts & WRITE_MODES:
                    return ('file creation/writing', 'open(..., write mode)')
                continue
            if k in self.sinks:
                return (self.sinks[k][0], self.sinks[k][1])
            if k in self.hot:
                what, chain = self.hot[k]
                return (what, getattr(cur, '__module__', '?') + '.' +
                        getattr(cur, '__qualname__', '?') + ' -> ' + chain)
        return None


def collect(mods):
    """(full name, list of functions whose reach decides it) for every
    function, class and method defined in the audited modules."""
    out = []
    seen = set()
    for mn in mods:
        m = import_quietly(mn)
        if m is None:
            continue
        try:
            items = sorted(vars(m).items())
        except Exception:
            continue
        for name, obj in items:
            if getattr(obj, '__module__', None) != mn or id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, types.FunctionType):
                out.append(('%s.%s' % (mn, name), [obj], None))
            elif isinstance(obj, type):
                ctor = []
                for dn in ('__init__', '__new__', '__setstate__'):
                    f = getattr(obj, dn, None)
                    f = getattr(f, '__func__', f)
                    if isinstance(f, types.FunctionType):
                        ctor.append(f)
                if ctor:
                    out.append(('%s.%s' % (mn, name), ctor, obj))
                try:
                    cd = sorted(vars(obj).items())
                except Exception:
                    cd = []
                for an, a in cd:
                    f = getattr(a, '__func__', a)
                    if isinstance(f, types.FunctionType) and not (
                            an.startswith('__') and an.endswith('__')):
                        out.append(('%s.%s.%s' % (mn, name, an), [f], obj))
    return out


def reexports(mods, hot_objs):
    """Names under which a module re-exports a callable found elsewhere
    (numpy.savetxt is numpy.lib.npyio.savetxt): a loader imports either."""
    out = {}
    for mn in mods:
        m = sys.modules.get(mn)
        if m is None:
            continue
        try:
            items = sorted(vars(m).items())
        except Exception:
            continue
        for name, obj in items:
            if id(obj) in hot_objs and not name.startswith('__'):
                src = hot_objs[id(obj)]
                if src != '%s.%s' % (mn, name):
                    out['%s.%s' % (mn, name)] = src
    return out


def denied_by_hand(name, pats):
    parts = name.split('.')
    for i in range(len(parts)):
        suf = '.'.join(parts[i:])
        for p in pats:
            if p.endswith('.*') and (suf + '.').startswith(p[:-1]):
                return True
            if p == suf:
                return True
    return False


def read_list(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                p = line.split(None, 1)
                out[p[0]] = p[1] if len(p) > 1 else ''
    return out


def versions():
    v = ['python %d.%d.%d' % sys.version_info[:3]]
    for p in PACKAGES:
        m = sys.modules.get(p)
        if m is not None:
            v.append('%s %s' % (p, getattr(m, '__version__', '?')))
    return v


def run():
    table = sinks()
    mods = module_names()
    aud = Auditor(table)
    items = collect(mods)
    hand = list(read_list(os.path.join(DATA, 'denylist.txt')))
    allow = read_list(os.path.join(DATA, 'allowlist.txt'))
    excl = read_list(os.path.join(HERE, 'exclusions.txt'))

    def excluded(n):
        return any(fnmatch.fnmatchcase(n, p) for p in excl)
    hot_names = set()
    found = {}
    # Direct reach first, then CHAIN_DEPTH rounds through hot callees.
    for rnd in range(CHAIN_DEPTH + 1):
        new = {}
        for name, fns, owner in items:
            if name in found:
                continue
            for f in fns:
                r = aud.direct(f, hot_names, owner)
                if r is not None:
                    new[name] = (r, fns)
                    break
        if not new:
            break
        owners = {n: o for n, _, o in items}
        for name, (r, fns) in new.items():
            found[name] = r
            # A reviewed false positive does not make its callers hot.
            if excluded(name):
                continue
            for f in fns:
                aud.hot[id(f)] = (r[0], r[1])
                hot_names.add(f.__name__)
            o = owners.get(name)
            if o is not None and name.endswith('.' + o.__name__):
                # Calling the class runs its __init__/__new__.
                aud.hot[id(o)] = (r[0], r[1])
                hot_names.add(o.__name__)
    # Classes and functions by object, for their re-exported names.
    hot_objs = {}
    for name, fns, owner in items:
        if name in found and name.count('.') >= 1:
            obj = owner if owner is not None and name.endswith(
                '.' + owner.__name__) else (fns[0] if owner is None else None)
            if obj is not None:
                hot_objs.setdefault(id(obj), name)
    for alias, src in reexports(mods, hot_objs).items():
        if alias not in found:
            found[alias] = (found[src][0], src + ' (re-exported)')
    entries, dropped, covered, allowed = [], [], 0, []
    for name in sorted(found):
        what, via = found[name]
        if excluded(name):
            dropped.append(name)
            continue
        if name in allow:
            allowed.append(name)
            continue
        if denied_by_hand(name, hand):
            covered += 1
            continue
        entries.append('%s  %s (audit: reaches %s)' % (name, what, via))
    head = ['# Generated by scanner/data/audit/audit.py; do not edit: review',
            '# scanner/data/audit/exclusions.txt instead, then regenerate.',
            '# versions: ' + ', '.join(versions()),
            '# modules audited: %d; callables: %d; reaching a sink: %d' % (
                len(mods), len(items), len(found)),
            '# already denied by denylist.txt: %d; dropped as false '
            '(exclusions.txt): %d; allowlisted (reviewed there): %d; '
            'listed here: %d' % (covered, len(dropped), len(allowed),
                                 len(entries))]
    for a in allowed:
        head.append('#   allowlisted though it reaches a sink: %s (%s)' % (
            a, found[a][0]))
    return '\n'.join(head + entries) + '\n'


def main(argv):
    sys.setrecursionlimit(10000)
    if len(argv) == 3 and argv[1] == '--check':
        with open(argv[2]) as f:
            old = f.read()
        want = [l for l in old.splitlines() if l.startswith('# versions: ')]
        text = run()
        have = [l for l in text.splitlines() if l.startswith('# versions: ')]
        if want != have:
            print('SKIP: installed packages differ from the ones %s was made '
                  'with:\n  recorded: %s\n  here:     %s' % (
                      argv[2], want[0] if want else '-', have[0]))
            return 77
        if text != old:
            print('FAIL: %s is out of date: run audit.py %s' % (argv[2], argv[2]))
            return 1
        return 0
    if len(argv) != 2:
        sys.exit(__doc__)
    text = run()
    with open(argv[1], 'w') as f:
        f.write(text)
    print(text.split('\n')[3] + '\n' + text.split('\n')[4])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
