"""A small pickle assembler for the evasion corpus (standard library only).

Fixtures are written opcode by opcode so that each one says exactly which
bytes a loader sees; nothing here ever unpickles anything.  An "expression"
is a byte string of opcodes that leaves exactly one value on the stack.
"""
import struct

PROTO = b'\x80'
STOP = b'.'
POP = b'0'
MARK = b'('
TUPLE = b't'
REDUCE = b'R'
BUILD = b'b'
EMPTY_DICT = b'}'
EMPTY_LIST = b']'
EMPTY_TUPLE = b')'
SETITEM = b's'
SETITEMS = b'u'
APPEND = b'a'
APPENDS = b'e'
STACK_GLOBAL = b'\x93'
MEMOIZE = b'\x94'
NEWOBJ = b'\x81'
NEWOBJ_EX = b'\x92'
TUPLE1 = b'\x85'
TUPLE2 = b'\x86'
TUPLE3 = b'\x87'
NEWTRUE = b'\x88'
NEWFALSE = b'\x89'
NONE = b'N'
FRAME = b'\x95'


def proto(n):
    return PROTO + bytes([n])


def frame(body):
    """A protocol-4 frame holding body."""
    return FRAME + struct.pack('<Q', len(body)) + body


def glob(mod, name):
    """GLOBAL (protocol 0-3 form; dotted names only resolve at protocol 4+)."""
    return b'c' + mod.encode() + b'\n' + name.encode() + b'\n'


def ustr(s):
    """The shortest binary unicode opcode for s."""
    b = s.encode('utf-8') if isinstance(s, str) else s
    if len(b) < 256:
        return b'\x8c' + bytes([len(b)]) + b
    return b'X' + struct.pack('<I', len(b)) + b


def binunicode(s):
    b = s.encode('utf-8')
    return b'X' + struct.pack('<I', len(b)) + b


def text_unicode(s):
    """Protocol 0 UNICODE (raw-unicode-escape, newline-terminated)."""
    return b'V' + s.encode('raw-unicode-escape') + b'\n'


def text_string(s):
    """Protocol 0 STRING (repr-quoted)."""
    return b'S' + repr(s).encode('ascii') + b'\n'


def sglobal(mod, name):
    """STACK_GLOBAL from two short unicode pushes."""
    return ustr(mod) + ustr(name) + STACK_GLOBAL


def byts(b):
    if len(b) < 256:
        return b'C' + bytes([len(b)]) + b
    return b'B' + struct.pack('<I', len(b)) + b


def integer(n):
    if 0 <= n < 256:
        return b'K' + bytes([n])
    if 0 <= n < 65536:
        return b'M' + struct.pack('<H', n)
    return b'J' + struct.pack('<i', n)


def const(v):
    """Push a plain constant (str, bytes, int, bool, None, tuple, list, dict)."""
    if v is None:
        return NONE
    if v is True:
        return NEWTRUE
    if v is False:
        return NEWFALSE
    if isinstance(v, int):
        return integer(v)
    if isinstance(v, str):
        return ustr(v)
    if isinstance(v, (bytes, bytearray)):
        return byts(bytes(v))
    if isinstance(v, tuple):
        return tup(*[const(x) for x in v])
    if isinstance(v, list):
        if not v:
            return EMPTY_LIST
        return EMPTY_LIST + MARK + b''.join(const(x) for x in v) + APPENDS
    if isinstance(v, dict):
        if not v:
            return EMPTY_DICT
        return EMPTY_DICT + MARK + b''.join(const(k) + const(x)
                                            for k, x in v.items()) + SETITEMS
    raise TypeError(type(v))


def tup(*items):
    """A tuple of already-encoded items."""
    if not items:
        return EMPTY_TUPLE
    return MARK + b''.join(items) + TUPLE


def call(fn, *args):
    """REDUCE: fn and every arg are encoded expressions."""
    return fn + tup(*args) + REDUCE


def build(obj, state):
    return obj + state + BUILD


def whole(expr, protocol=2):
    """A complete pickle: PROTO, the expression, STOP."""
    return proto(protocol) + expr + STOP
