#!/usr/bin/env python3
"""The "send the length, wait for ready, send the body" fix of the tutorials.

    ready.py server HOST PORT [--mss N] [--truth FILE]
    ready.py client HOST PORT CPORT [--mss N] [--truth FILE]

The client sends a command; the server answers with the length of the
result as ASCII digits (str(len(ret)).encode()), the client answers b"ready",
then the server sends the result (3000 and 1400 bytes). There is no header:
each message is one side's turn, and the turns alternate, so a reader finds
the boundaries where the other side starts speaking ("turns").
"""
import nltruth
import peerlib
import structpack

COMMANDS = [b"dir", b"ipconfig"]


def server(a):
    conn = peerlib.listen(a)
    t = nltruth.Truth(a.truth, "server", conn)
    while True:
        cmd = t.recv(1024)
        if not cmd:
            break
        ret = structpack.output(cmd)
        start = t.tx
        t.send(str(len(ret)).encode("utf-8"))
        t.message(start, t.tx - start, 0, "turns")
        ready = t.recv(1024)
        peerlib.log("server: %r, then %r" % (cmd, ready))
        start = t.tx
        t.sendall(ret)
        t.message(start, len(ret), 0, "turns")
    t.close()
    conn.close()


def client(a):
    c = peerlib.connect(a)
    t = nltruth.Truth(a.truth, "client", c)
    for cmd in COMMANDS:
        start = t.tx
        t.send(cmd)
        t.message(start, len(cmd), 0, "turns")
        length = int(t.recv(1024).decode("utf-8"))
        start = t.tx
        t.send(b"ready")
        t.message(start, 5, 0, "turns")
        got = b""
        while len(got) < length:
            got += t.recv(1024)
        peerlib.log("client: %r: %d bytes" % (cmd, len(got)))
    t.close()
    c.close()


if __name__ == "__main__":
    args = peerlib.parse(__doc__)
    (server if args.role == "server" else client)(args)
