#!/usr/bin/env python3
"""Captures built to hit netlab's memory caps (tests/integration/caps.sh).

  capgen.py ooo OUT MBYTES      one connection sending MBYTES MiB whose first
                                segment comes last: everything else waits
                                out of order
  capgen.py endless OUT MBYTES  one connection sending MBYTES MiB of text
                                with no line end (an endless line message)
  capgen.py conns OUT N         N connections, each handshake, one small
                                u32le message each way, FIN both ways
Classic pcap, Ethernet, written as a stream (constant memory). Addresses are
in 10.0.0.0/8 and never leave the file.
"""
import struct
import sys

MSS = 1448


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb", buffering=4 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.usec = 0

    def tcp(self, src, dst, sport, dport, seq, ack, flags, payload=b""):
        opts = b""
        if flags & 0x02:
            opts = struct.pack("!BBH", 2, 4, MSS)  # MSS option on SYNs
        thl = 20 + len(opts)
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                          ack & 0xFFFFFFFF, (thl // 4) << 4, flags, 65535, 0,
                          0) + opts
        tot = 20 + thl + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 0, 0x4000, 64, 6, 0,
                         bytes(src), bytes(dst))
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        eth = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00"
        frame = eth + ip + tcp + payload
        self.usec += 10
        self.f.write(struct.pack("<IIII", self.usec // 1000000,
                                 self.usec % 1000000, len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


C, S = [10, 0, 0, 1], [10, 0, 0, 2]


def handshake(w, cport, sport, cisn=1000, sisn=5000):
    w.tcp(C, S, cport, sport, cisn, 0, 0x02)
    w.tcp(S, C, sport, cport, sisn, cisn + 1, 0x12)
    w.tcp(C, S, cport, sport, cisn + 1, sisn + 1, 0x10)
    return cisn + 1, sisn + 1


def data_segments(total, body):
    """(offset, bytes) of MSS-sized segments of the stream body(off, n)"""
    off = 0
    while off < total:
        n = min(MSS, total - off)
        yield off, body(off, n)
        off += n


def ooo(path, mbytes):
    w = Writer(path)
    cseq, sseq = handshake(w, 40000, 9000)
    total = mbytes << 20
    msg = struct.pack("<I", 996) + b"m" * 996  # u32le messages of 1000 B

    def body(off, n):
        k = off % len(msg)
        out = (msg * ((n + k) // len(msg) + 2))[k:k + n]
        return out

    first = None
    for off, b in data_segments(total, body):
        if off == 0:
            first = b  # withheld: every later segment waits for it
            continue
        w.tcp(C, S, 40000, 9000, cseq + off, sseq, 0x18, b)
    w.tcp(C, S, 40000, 9000, cseq, sseq, 0x18, first)
    w.tcp(C, S, 40000, 9000, cseq + total, sseq, 0x11)
    w.tcp(S, C, 9000, 40000, sseq, cseq + total + 1, 0x11)
    w.close()


def endless(path, mbytes):
    w = Writer(path)
    cseq, sseq = handshake(w, 40001, 9001)
    total = mbytes << 20
    text = b"abcdefghijklmnopqrstuvwxyz" * 64
    for off, b in data_segments(total, lambda o, n: (text * 2)[o % len(text):o % len(text) + n]):
        w.tcp(C, S, 40001, 9001, cseq + off, sseq, 0x18, b)
    w.tcp(C, S, 40001, 9001, cseq + total, sseq, 0x11)
    w.tcp(S, C, 9001, 40001, sseq, cseq + total + 1, 0x11)
    w.close()


def conns(path, n):
    w = Writer(path)
    q = struct.pack("<I", 5) + b"hello"
    a = struct.pack("<I", 3) + b"bye"
    for i in range(n):
        cport = 1024 + i % 60000
        sport = 9000 + i // 60000
        cs, ss = handshake(w, cport, sport, 1000 + i, 7000 + i)
        w.tcp(C, S, cport, sport, cs, ss, 0x18, q)
        w.tcp(S, C, sport, cport, ss, cs + len(q), 0x18, a)
        w.tcp(C, S, cport, sport, cs + len(q), ss + len(a), 0x11)
        w.tcp(S, C, sport, cport, ss + len(a), cs + len(q) + 1, 0x11)
        w.tcp(C, S, cport, sport, cs + len(q) + 1, ss + len(a) + 1, 0x10)
    w.close()


def main():
    kind, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    {"ooo": ooo, "endless": endless, "conns": conns}[kind](out, n)


if __name__ == "__main__":
    main()
