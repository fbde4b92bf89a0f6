#!/usr/bin/env python3
"""Print CPython's pickle opcode list, one opcode a line:
    <byte in hex> <NAME> <pickletools argument type> <protocol>
test_opcodes compares scanner/pickle/opcodes.c with this (generated from the
running python3 when there is one, else from the committed opcodes.expected).
Each opcode is cross-checked against the pickle module's own constant."""
import pickle
import pickletools
import sys

out = []
for op in pickletools.opcodes:
    code = op.code.encode('latin1')
    assert len(code) == 1, op.name
    const = getattr(pickle, op.name, None)
    if const is not None and const != code:
        sys.exit('pickle.%s is %r but pickletools says %r' % (op.name, const, code))
    arg = op.arg.name if op.arg is not None else 'none'
    out.append('0x%02x %s %s %d' % (code[0], op.name, arg, op.proto))
sys.stdout.write('\n'.join(sorted(out)) + '\n')
