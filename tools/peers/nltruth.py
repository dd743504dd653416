"""Ground truth for the Python peers, in the schema of `netlab gen --truth`
(see netlab(1), TRUTH FILES), so one comparison reads both:

    {"side":"client","ev":"send","proto":"tcp","conn":1,
     "local":"127.0.0.1:40020","peer":"127.0.0.1:9020","off":0,"len":4,"ret":4}
    {"side":"client","ev":"message","proto":"tcp","conn":1,...,"off":0,
     "len":17,"hdr":4,"framing":"u32le"}

"off" is the stream offset of the first byte (0 = the byte after the SYN),
"len" the bytes asked, "ret" what send() returned. A "message" record is one
application message as the sender meant it: header included, "hdr" bytes of
header, "framing" the framing a reader needs ("u32le", "jsonhdr", "turns").
Records carry no timestamps, so a rerun writes the same file.
"""
import json


def addr(a):
    host, port = a[0], a[1]
    return ("[%s]:%d" % (host, port)) if ":" in host else ("%s:%d" % (host, port))


class Truth:
    def __init__(self, path, side, sock, conn=1):
        self.f = open(path, "w") if path else None
        self.side = side
        self.sock = sock
        self.conn = conn
        self.tx = 0
        self.rx = 0
        self.local = addr(sock.getsockname())
        self.peer = addr(sock.getpeername())

    def rec(self, ev, **kw):
        if not self.f:
            return
        r = {"side": self.side, "ev": ev, "proto": "tcp", "conn": self.conn,
             "local": self.local, "peer": self.peer}
        r.update(kw)
        self.f.write(json.dumps(r, separators=(",", ":")) + "\n")
        self.f.flush()

    def send(self, data):
        """One send() call, recorded (it may send less than asked)."""
        n = self.sock.send(data)
        self.rec("send", off=self.tx, len=len(data), ret=n)
        self.tx += n
        return n

    def sendall(self, data):
        """sendall() is send() in a loop: record each call."""
        done = 0
        while done < len(data):
            done += self.send(data[done:])

    def recv(self, n):
        d = self.sock.recv(n)
        self.rec("recv", off=self.rx, len=n, ret=len(d))
        self.rx += len(d)
        return d

    def recv_exact(self, n):
        d = b""
        while len(d) < n:
            k = self.recv(n - len(d))
            if not k:
                raise EOFError("peer closed after %d of %d bytes" % (len(d), n))
            d += k
        return d

    def message(self, off, length, hdr, framing):
        self.rec("message", off=off, len=length, hdr=hdr, framing=framing)

    def close(self):
        self.rec("close", off=self.tx)
        if self.f:
            self.f.close()
