#!/usr/bin/env python3
"""UDP keeps message boundaries: the same three sends as the TCP demo arrive
as three datagrams, and an empty send is still a (zero-length) datagram.

    udp_exchange.py server FAMILY HOST PORT
    udp_exchange.py client FAMILY HOST PORT CLIENT_PORT

FAMILY is 4 or 6. The client sends b"hello", b"world", b"egon" and b"";
the server reads each with recvfrom(1024) and answers it upper-cased.
"""
import select
import socket
import sys
import time

MESSAGES = [b"hello", b"world", b"egon", b""]


def fam(s):
    return socket.AF_INET6 if s == "6" else socket.AF_INET


def server(family, host, port):
    s = socket.socket(fam(family), socket.SOCK_DGRAM)
    s.bind((host, port))
    print("listening", flush=True)
    # Read only once the client has sent everything (it sends all four back
    # to back): all datagrams are queued by then, yet they stay apart.
    select.select([s], [], [])
    time.sleep(0.2)
    for _ in MESSAGES:
        data, addr = s.recvfrom(1024)
        print("server: recvfrom(1024) ->", data, file=sys.stderr, flush=True)
        s.sendto(data.upper(), addr)
    s.close()


def client(family, host, port, cport):
    s = socket.socket(fam(family), socket.SOCK_DGRAM)
    s.bind((host, cport))
    for m in MESSAGES:
        s.sendto(m, (host, port))
    s.settimeout(5)
    for _ in MESSAGES:
        s.recvfrom(1024)
    s.close()


def main():
    a = sys.argv
    if len(a) >= 5 and a[1] == "server":
        server(a[2], a[3], int(a[4]))
    elif len(a) >= 6 and a[1] == "client":
        client(a[2], a[3], int(a[4]), int(a[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
