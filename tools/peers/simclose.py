#!/usr/bin/env python3
"""A simultaneous close: both sides send their FIN before they see the
other's, so both go FIN_WAIT_1 -> CLOSING -> TIME_WAIT (RFC 9293 §3.6).

    simclose.py server HOST PORT
    simclose.py client HOST PORT CPORT

The client sends b"hello"; the server answers with a moment 300 ms ahead
(wall clock, as text); the client calls shutdown(SHUT_WR) at that moment,
the server 50 ms later (so the client's FIN is surely sent first, and the
server has not seen it when it sends its own).
Both FINs must still be on their way when the other side sends its own:
over a path with a delay, or (as tools/make-captures.sh does) with the
client's first FIN lost, so the server sends its FIN before it has seen the
client's; the client's retransmitted FIN then completes the close.
"""
import socket
import time

import peerlib


def at(t):
    while True:
        left = t - time.time()
        if left <= 0:
            return
        time.sleep(min(left, 0.05) if left > 0.002 else 0)


def finish(s, who):
    s.shutdown(socket.SHUT_WR)
    while s.recv(1024):
        pass
    s.close()
    peerlib.log("%s: closed" % who)


def server(a):
    conn = peerlib.listen(a)
    conn.recv(1024)
    t = time.time() + 0.3
    conn.send(b"%.6f" % t)
    at(t + 0.05)
    finish(conn, "server")


def client(a):
    c = peerlib.connect(a)
    c.send(b"hello")
    t = float(c.recv(1024))
    at(t)
    finish(c, "client")


if __name__ == "__main__":
    args = peerlib.parse(__doc__)
    (server if args.role == "server" else client)(args)
