#!/usr/bin/env python3
"""Send one hand-made ARP frame on an interface (needs root / CAP_NET_RAW).

    arp_send.py probe IFACE SRC_MAC TARGET_IP
        RFC 5227 ARP probe: "who-has TARGET_IP", sender IP 0.0.0.0, sent
        before a host starts using an address (duplicate address detection).
    arp_send.py announce IFACE SRC_MAC IP
        gratuitous ARP (RFC 5227 announcement): a request with sender IP =
        target IP = IP, telling the segment which MAC holds IP.

Both go to the broadcast address. Used instead of arping so that the
captures do not depend on which arping is installed.
"""
import socket
import struct
import sys


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("probe", "announce"):
        sys.exit(__doc__)
    kind, iface, src_mac, ip = sys.argv[1:]
    src = mac(src_mac)
    target_ip = socket.inet_aton(ip)
    sender_ip = b"\0\0\0\0" if kind == "probe" else target_ip
    frame = (b"\xff" * 6 + src + struct.pack("!H", 0x0806)
             + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
             + src + sender_ip + b"\0" * 6 + target_ip)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.send(frame)
    s.close()


if __name__ == "__main__":
    main()
