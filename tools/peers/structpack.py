#!/usr/bin/env python3
"""The struct.pack('i', n) fix of the sticky-packet tutorials, both ways.

    structpack.py server HOST PORT [--mss N] [--truth FILE]
    structpack.py client HOST PORT CPORT [--mss N] [--truth FILE]

Every message is struct.pack('i', len(body)) + body: a 4-byte little-endian
length (Python's 'i' on x86), then the body. The client sends its header and
body as two send() calls, as the tutorials do. Part 1: three messages back to
back without waiting (Nagle merges them on the wire; the server still reads
them apart); the server answers each upper-cased. Part 2: two "commands"
whose answers are long (3000 and 1400 bytes: split into segments, more so
with --mss); the server sends header + answer in one sendall(l + ret), as
the tutorial server does. The client then closes; so does the server.
"""
import struct

import nltruth
import peerlib

PART1 = [b"hello world!", b"life is smart!", b"hello"]
PART2 = [b"run dir", b"run ipconfig"]


def output(cmd):
    """A command's fake output: deterministic text of a fixed size."""
    size = 3000 if cmd.endswith(b"dir") else 1400
    line = b"2019-12-05  20:19    <DIR>          file%04d.txt\r\n"
    out = b"".join(line % i for i in range(size // len(line) + 1))
    return out[:size]


def read_msg(t):
    head = t.recv_exact(4)
    n = struct.unpack("i", head)[0]
    return t.recv_exact(n)


def server(a):
    conn = peerlib.listen(a)
    t = nltruth.Truth(a.truth, "server", conn)
    while True:
        try:
            body = read_msg(t)
        except EOFError:
            break
        ret = output(body) if body.startswith(b"run ") else body.upper()
        peerlib.log("server: message of %d bytes: %r, answer %d bytes"
                    % (len(body), body[:20], len(ret)))
        start = t.tx
        t.sendall(struct.pack("i", len(ret)) + ret)
        t.message(start, 4 + len(ret), 4, "u32le")
    t.close()
    conn.close()


def send_msg(t, body):
    start = t.tx
    t.send(struct.pack("i", len(body)))
    t.send(body)
    t.message(start, 4 + len(body), 4, "u32le")


def client(a):
    c = peerlib.connect(a)
    t = nltruth.Truth(a.truth, "client", c)
    for body in PART1:
        send_msg(t, body)
    for _ in PART1:
        peerlib.log("client: answer %r" % read_msg(t))
    for body in PART2:
        send_msg(t, body)
        peerlib.log("client: answer of %d bytes" % len(read_msg(t)))
    t.close()
    c.close()


if __name__ == "__main__":
    args = peerlib.parse(__doc__)
    (server if args.role == "server" else client)(args)
