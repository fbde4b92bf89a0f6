"""Container writers for the evasion corpus (standard library only).

Each writer produces exactly the bytes a Python reader accepts, plus the
deviations the fixtures need (flag bits, CRC mismatches, local names that
differ from the central directory, tar headers without 'ustar', raw zstd
and lz4 frames).  Fixed timestamps keep the output reproducible.
"""
import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
import zlib

DATE = (2024, 1, 1, 0, 0, 0)
MTIME = 1704067200


def zip_bytes(members, prefix=b''):
    """members: list of (name, data) or (name, data, method).
    Written with zipfile (so every reader agrees on the layout), after an
    optional prefix (the archive's offsets then count from the prefix, as a
    self-extracting archive's do)."""
    buf = io.BytesIO()
    buf.write(prefix)
    with zipfile.ZipFile(buf, 'a' if prefix else 'w') as z:
        for m in members:
            name, data = m[0], m[1]
            method = m[2] if len(m) > 2 else zipfile.ZIP_STORED
            zi = zipfile.ZipInfo(name, DATE)
            zi.compress_type = method
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return buf.getvalue()


def _central_entries(b):
    """(offset of each central header, offset of its local header)."""
    eocd = b.rfind(b'PK\x05\x06')
    n, size, off = struct.unpack_from('<HII', b, eocd + 10)
    out = []
    pos = eocd - size
    for _ in range(n):
        assert b[pos:pos + 4] == b'PK\x01\x02'
        nlen, elen, clen = struct.unpack_from('<HHH', b, pos + 28)
        loc = struct.unpack_from('<I', b, pos + 42)[0] + (eocd - size - off)
        name = b[pos + 46:pos + 46 + nlen]
        out.append((pos, loc, name))
        pos += 46 + nlen + elen + clen
    return out


def zip_patch(b, name, flags=None, crc_xor=0, local_name=None):
    """Patch the member called name: OR flag bits into both headers,
    corrupt its CRC in both headers, or rename it in the local header
    only (same length)."""
    b = bytearray(b)
    for cen, loc, n in _central_entries(bytes(b)):
        if n != name.encode():
            continue
        if flags is not None:
            for off in (cen + 8, loc + 6):
                v = struct.unpack_from('<H', b, off)[0]
                struct.pack_into('<H', b, off, v | flags)
        if crc_xor:
            for off in (cen + 16, loc + 14):
                v = struct.unpack_from('<I', b, off)[0]
                struct.pack_into('<I', b, off, v ^ crc_xor)
        if local_name is not None:
            ln = local_name.encode()
            assert len(ln) == len(n)
            b[loc + 30:loc + 30 + len(ln)] = ln
    return bytes(b)


def zip_many_empty(count, top, tail_members):
    """A zip of `count` empty stored members named top/e<i> (all sharing a
    single local header, which readers that go by the central directory
    never compare) followed by tail_members [(name, data)], stored."""
    out = io.BytesIO()
    cen = io.BytesIO()
    shared_name = (top + '/e').encode()
    shared_off = out.tell()
    out.write(struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0x21,
                          0, 0, 0, len(shared_name), 0) + shared_name)
    entries = []
    for i in range(count):
        entries.append(((top + '/e%x' % i).encode(), b'', shared_off))
    for name, data in tail_members:
        off = out.tell()
        nb = name.encode()
        crc = zlib.crc32(data)
        out.write(struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0x21,
                              crc, len(data), len(data), len(nb), 0) + nb + data)
        entries.append((nb, data, off))
    cd_off = out.tell()
    for nb, data, off in entries:
        crc = zlib.crc32(data)
        cen.write(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 0,
                              0, 0x21, crc, len(data), len(data), len(nb),
                              0, 0, 0, 0, 0o644 << 16, off) + nb)
    c = cen.getvalue()
    out.write(c)
    n = len(entries)
    if n >= 0xffff:
        # zip64 end records: the entry count no longer fits 16 bits.
        z64 = out.tell()
        out.write(struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0,
                              n, n, len(c), cd_off))
        out.write(struct.pack('<IIQI', 0x07064b50, 0, z64, 1))
        out.write(struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xffff, 0xffff,
                              0xffffffff, 0xffffffff, 0))
    else:
        out.write(struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, n, n, len(c),
                              cd_off, 0))
    return out.getvalue()


def tar_bytes(members, fmt='ustar'):
    """members: list of (name, data).  fmt: 'ustar' (POSIX), 'gnu'
    ('ustar  \\0'), 'v7' (no magic at all, only a valid checksum)."""
    if fmt in ('ustar', 'gnu'):
        buf = io.BytesIO()
        f = tarfile.USTAR_FORMAT if fmt == 'ustar' else tarfile.GNU_FORMAT
        with tarfile.open(fileobj=buf, mode='w', format=f) as t:
            for name, data in members:
                ti = tarfile.TarInfo(name)
                ti.size = len(data)
                ti.mtime = MTIME
                ti.mode = 0o644
                t.addfile(ti, io.BytesIO(data))
        return buf.getvalue()
    out = b''
    for name, data in members:
        h = bytearray(512)
        nb = name.encode()
        h[0:len(nb)] = nb
        h[100:108] = b'0000644\0'
        h[108:116] = b'0000000\0'
        h[116:124] = b'0000000\0'
        h[124:136] = ('%011o' % len(data)).encode() + b'\0'
        h[136:148] = ('%011o' % MTIME).encode() + b'\0'
        h[156:157] = b'0'
        h[148:156] = b' ' * 8
        chk = sum(h)
        h[148:156] = ('%06o' % chk).encode() + b'\0 '
        out += bytes(h) + data + b'\0' * (-len(data) % 512)
    return out + b'\0' * 1024


def gzip_members(parts, pad=0):
    """One gzip member per part, with `pad` zero bytes between members
    (Python's gzip reader skips them and reads on)."""
    out = b''
    for i, p in enumerate(parts):
        if i:
            out += b'\0' * pad
        out += gzip.compress(p, mtime=0)
    return out


def xz_streams(parts):
    return b''.join(lzma.compress(p, format=lzma.FORMAT_XZ) for p in parts)


def lzma_alone_streams(parts):
    return b''.join(lzma.compress(p, format=lzma.FORMAT_ALONE) for p in parts)


def bz2_streams(parts):
    return b''.join(bz2.compress(p) for p in parts)


def zlib_stream(data):
    return zlib.compress(data)


def zstd_raw_frames(parts):
    """zstd frames holding one raw (stored) block each: written by hand so
    the generator needs no zstd module."""
    out = b''
    for p in parts:
        assert len(p) < (1 << 17)
        # Frame header descriptor: single segment, 4-byte content size.
        out += b'\x28\xb5\x2f\xfd' + bytes([0x20 | 0x80]) + struct.pack('<I', len(p))
        # Last block, raw, size.
        bh = 1 | (0 << 1) | (len(p) << 3)
        out += struct.pack('<I', bh)[:3] + p
    return out


def lz4_stored_frames(parts):
    """LZ4 frames whose blocks are stored uncompressed (high bit of the
    block size); header checksum computed with xxh32 below."""
    out = b''
    for p in parts:
        flg = 0x40 | 0x20  # version 01, independent blocks
        bd = 0x70          # 4 MiB max block
        hc = (_xxh32(bytes([flg, bd])) >> 8) & 0xff
        out += b'\x04\x22\x4d\x18' + bytes([flg, bd, hc])
        out += struct.pack('<I', len(p) | 0x80000000) + p
        out += b'\0\0\0\0'
    return out


def _xxh32(data, seed=0):
    P1, P2, P3, P4, P5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
    M = 0xffffffff

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & M
    n = len(data)
    i = 0
    if n >= 16:
        v = [(seed + P1 + P2) & M, (seed + P2) & M, seed & M, (seed - P1) & M]
        while i + 16 <= n:
            for j in range(4):
                lane = struct.unpack_from('<I', data, i + 4 * j)[0]
                v[j] = (rotl((v[j] + lane * P2) & M, 13) * P1) & M
            i += 16
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M
    else:
        h = (seed + P5) & M
    h = (h + n) & M
    while i + 4 <= n:
        h = (rotl((h + struct.unpack_from('<I', data, i)[0] * P3) & M, 17) * P4) & M
        i += 4
    while i < n:
        h = (rotl((h + data[i] * P5) & M, 11) * P1) & M
        i += 1
    h ^= h >> 15
    h = (h * P2) & M
    h ^= h >> 13
    h = (h * P3) & M
    h ^= h >> 16
    return h


def tar_raw_name(name, data):
    """One ustar header whose name field holds raw bytes (up to 100, no NUL),
    checksum valid, followed by its data: tarfile accepts it."""
    assert len(name) <= 100 and b'\0' not in name
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b'0000644\0'
    h[108:116] = b'0000000\0'
    h[116:124] = b'0000000\0'
    h[124:136] = ('%011o' % len(data)).encode() + b'\0'
    h[136:148] = ('%011o' % MTIME).encode() + b'\0'
    h[156:157] = b'0'
    h[257:265] = b'ustar\x0000'
    h[148:156] = b' ' * 8
    h[148:156] = ('%06o' % sum(h)).encode() + b'\0 '
    return bytes(h) + data + b'\0' * (-len(data) % 512)
