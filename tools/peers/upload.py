#!/usr/bin/env python3
"""The JSON-header file upload of the socket tutorials.

    upload.py server HOST PORT [--mss N] [--truth FILE]
    upload.py client HOST PORT CPORT [--mss N] [--truth FILE]

Per file, the client sends struct.pack('i', len(header)), the header
json.dumps({"func": "put", "file_name": NAME, "file_size": SIZE}), then the
file line by line, one send() per line (`for line in f: c.send(line)`). The
server reads 4 bytes, the header, then file_size bytes with recv(1024). Two
files of made-up text; the client then closes.
"""
import json
import struct

import nltruth
import peerlib


def files():
    a = b"".join(b"line %03d of notes.txt: the quick brown fox\n" % i
                 for i in range(40))
    b = b"".join(b"%05d,%d,%s\n" % (i, i * i, b"x" * (i % 50))
                 for i in range(60))
    return [("notes.txt", a), ("table.csv", b)]


def server(a):
    conn = peerlib.listen(a)
    t = nltruth.Truth(a.truth, "server", conn)
    while True:
        try:
            head = t.recv_exact(4)
        except EOFError:
            break
        header_len = struct.unpack("i", head)[0]
        data = json.loads(t.recv_exact(header_len))
        size = data["file_size"]
        got = 0
        while size - got > 0:
            d = t.recv(min(1024, size - got))
            if not d:
                raise EOFError("short upload")
            got += len(d)
        peerlib.log("server: %s: %d bytes" % (data["file_name"], got))
    t.close()
    conn.close()


def client(a):
    c = peerlib.connect(a)
    t = nltruth.Truth(a.truth, "client", c)
    for name, content in files():
        header = {"func": "put", "file_name": name, "file_size": len(content)}
        header_bytes = bytes(json.dumps(header), encoding="utf-8")
        start = t.tx
        t.send(struct.pack("i", len(header_bytes)))
        t.send(header_bytes)
        for line in content.splitlines(keepends=True):
            t.sendall(line)
        t.message(start, 4 + len(header_bytes) + len(content),
                  4 + len(header_bytes), "jsonhdr")
    t.close()
    c.close()


if __name__ == "__main__":
    args = peerlib.parse(__doc__)
    (server if args.role == "server" else client)(args)
