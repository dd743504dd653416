#!/usr/bin/env python3
"""One ICMP echo request and its reply, without needing iputils-ping
(needs root / CAP_NET_RAW).

    ping.py DEST_IP [IDENT [SEQ]]

Exits 0 when the echo reply came back within 2 seconds, 1 otherwise. The
payload is fixed (b"netlab ping" padded to 32 bytes), so captures are
reproducible.
"""
import os
import select
import socket
import struct
import sys
import time


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    dest = sys.argv[1]
    ident = int(sys.argv[2]) if len(sys.argv) > 2 else 0x4E4C  # "NL"
    seq = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    payload = b"netlab ping".ljust(32, b".")
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + payload), ident, seq) + payload
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.sendto(pkt, (dest, 0))
    deadline = time.monotonic() + 2
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            print("ping: no reply from %s" % dest, file=sys.stderr)
            sys.exit(1)
        data, addr = s.recvfrom(2048)
        ihl = (data[0] & 0x0F) * 4
        t, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
        if t == 0 and rid == ident and rseq == seq and addr[0] == dest:
            sys.exit(0)


if __name__ == "__main__":
    main()
