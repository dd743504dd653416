"""Shared plumbing of the Python peers that write ground truth
(structpack.py, upload.py, ready.py): argument parsing, the listening and
connecting sockets with an optional TCP_MAXSEG, a fixed client port."""
import argparse
import socket
import sys


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def parse(doc):
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("cport", type=int, nargs="?", default=0,
                   help="client: its own port (fixed: a reproducible capture)")
    p.add_argument("--mss", type=int, default=0,
                   help="TCP_MAXSEG before listen()/connect(): small segments")
    p.add_argument("--truth", help="write the ground truth (JSON Lines) here")
    return p.parse_args()


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listen(a):
    s = socket.socket(family(a.host), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.mss:
        # inherited by the accepted socket: caps what it announces and sends
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, a.mss)
    s.bind((a.host, a.port))
    s.listen(5)
    print("listening", flush=True)  # tells the script the port is open
    conn, _ = s.accept()
    s.close()
    return conn


def connect(a):
    c = socket.socket(family(a.host), socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.mss:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, a.mss)
    if a.cport:
        c.bind((a.host, a.cport))
    c.settimeout(10)
    c.connect((a.host, a.port))
    return c
