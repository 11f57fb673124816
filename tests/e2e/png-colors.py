#!/usr/bin/env python3
"""png-colors.py FILE [RRGGBB...]: what a screenshot shows, for the e2e
tests. Prints "WIDTH HEIGHT DISTINCT" (distinct colors), then one line
"RRGGBB N" per color asked for: how many pixels have exactly that color.
Reads 8-bit, non-interlaced grayscale, RGB and RGBA PNGs (what headless
Chromium writes) with the standard library only; exits 2 on anything
else, so a broken or empty file is an error, not a count of zero."""
import struct
import sys
import zlib


def fail(msg):
    print("png-colors: %s" % msg, file=sys.stderr)
    sys.exit(2)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG file")
    pos, idat, hdr = 8, [], None
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if hdr is None or not idat:
        fail("no IHDR or IDAT chunk")
    w, h, depth, ctype, _, _, interlace = hdr
    bpp = {0: 1, 2: 3, 6: 4}.get(ctype)
    if depth != 8 or bpp is None or interlace:
        fail("unsupported PNG (depth %d, color type %d, interlace %d)" % (depth, ctype, interlace))
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    if len(raw) != h * (stride + 1):
        fail("image data is %d bytes, want %d" % (len(raw), h * (stride + 1)))
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif f == 4:
                line[x] = (line[x] + paeth(a, b, c)) & 255
            elif f != 0:
                fail("bad filter type %d" % f)
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    if len(sys.argv) < 2:
        fail("usage: png-colors.py FILE [RRGGBB...]")
    with open(sys.argv[1], "rb") as f:
        w, h, bpp, rows = decode(f.read())
    counts = {}
    for row in rows:
        for x in range(0, len(row), bpp):
            px = row[x:x + 3] if bpp >= 3 else row[x:x + 1] * 3
            counts[px] = counts.get(px, 0) + 1
    print("%d %d %d" % (w, h, len(counts)))
    for want in sys.argv[2:]:
        print("%s %d" % (want.lower(), counts.get(bytes.fromhex(want), 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
