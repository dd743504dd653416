#!/usr/bin/env python3
"""The classic "sticky packet" (粘包) demo, as in the socket tutorials.

    tcp_sticky.py server HOST PORT
    tcp_sticky.py client HOST PORT CLIENT_PORT N

Part 1: the client sends b"hello", b"world", b"egon" back to back; the server
reads later with recv(1024) and gets them merged: TCP keeps no message
boundaries. Part 2: the client sends one larger message b"helloworldegon" * N
and the server reads it with small recv() calls, so one send arrives as many
reads. The client then half-closes (FIN first: it is the active closer and
ends in TIME_WAIT), the server reads end-of-stream and closes.

The server prints what each recv() returned, to standard error.
"""
import select
import socket
import sys
import time


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def server(host, port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(5)
    print("listening", flush=True)  # tells the script the port is open
    conn, addr = srv.accept()
    # Read only once all three small sends are in the receive buffer, as a
    # busy server would: one recv() then returns all of them.
    select.select([conn], [], [])
    time.sleep(0.2)
    data = conn.recv(1024)
    log("server: recv(1024) ->", data)
    total = 0
    reads = 0
    while True:
        chunk = conn.recv(512)
        if not chunk:
            break
        total += len(chunk)
        reads += 1
    log("server: part 2: %d bytes in %d recv(512) calls, then end of stream"
        % (total, reads))
    conn.close()
    srv.close()


def client(host, port, cport, n):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((host, cport))  # a fixed port keeps the capture reproducible
    c.connect((host, port))
    c.send(b"hello")
    c.send(b"world")
    c.send(b"egon")
    time.sleep(0.6)  # the server has read part 1 by now
    c.sendall(b"helloworldegon" * n)
    time.sleep(0.3)
    c.shutdown(socket.SHUT_WR)
    while c.recv(1024):
        pass
    c.close()


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "server":
        server(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) >= 6 and sys.argv[1] == "client":
        client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
               int(sys.argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
