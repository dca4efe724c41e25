#!/usr/bin/env python3
"""Holds N idle keep-alive client connections to a proxy for bench-scale.

    idle_holder.py PORT N [TIMEOUT_S]

Opens N connections to 127.0.0.1:PORT, at most BATCH at a time, sends one
"GET / HTTP/1.1" on each, reads the whole response (it must be 200) and keeps the
connection open and quiet. Prints "held N SECONDS" when all are held, or
"error: ..." and exits 1 when they are not within TIMEOUT_S (default 60).
Then waits for a line on stdin ("check", or end of input): checks that every connection
is still open (a non-blocking peek must find nothing to read, not an end of stream or a
reset), prints "lost CLOSED RESET", closes them all and exits 0.
Standard library only.
"""

import errno
import selectors
import socket
import sys
import time

BATCH = 200
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench-scale\r\n\r\n"


def response_complete(data):
    """True when data holds a whole response; raises ValueError for a non-200 one."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    head = data[:head_end].decode("latin-1").split("\r\n")
    status = head[0].split(" ")
    if len(status) < 2 or status[1] != "200":
        raise ValueError("answered %r" % head[0])
    body = data[head_end + 4:]
    for line in head[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            return len(body) >= int(value.strip())
        if name == "transfer-encoding" and "chunked" in value.lower():
            return body.endswith(b"0\r\n\r\n")
    raise ValueError("answered without Content-Length or chunked body")


class Opening:
    def __init__(self, sock):
        self.sock = sock
        self.sent = 0
        self.data = b""


def open_all(port, count, timeout_s):
    sel = selectors.DefaultSelector()
    held = []
    started = 0
    deadline = time.monotonic() + timeout_s

    def start_one():
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        err = sock.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            raise OSError(err, "connect: " + errno.errorcode.get(err, str(err)))
        sel.register(sock, selectors.EVENT_WRITE, Opening(sock))

    while len(held) < count:
        while started < count and started - len(held) < BATCH:
            start_one()
            started += 1
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("only %d of %d connections held after %g s" % (len(held), count, timeout_s))
        for key, events in sel.select(min(left, 1.0)):
            conn = key.data
            if events & selectors.EVENT_WRITE:
                err = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    raise OSError(err, "connect: " + errno.errorcode.get(err, str(err)))
                conn.sent += conn.sock.send(REQUEST[conn.sent:])
                if conn.sent == len(REQUEST):
                    sel.modify(conn.sock, selectors.EVENT_READ, conn)
                continue
            chunk = conn.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection %d closed before its response was complete" % len(held))
            conn.data += chunk
            if response_complete(conn.data):
                sel.unregister(conn.sock)
                held.append(conn.sock)
    sel.close()
    return held


def count_lost(held):
    closed = reset = 0
    for sock in held:
        try:
            data = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            continue  # still open, nothing said: as it should be
        except (ConnectionResetError, BrokenPipeError):
            reset += 1
            continue
        if not data:
            closed += 1
        # data on an idle connection is not a loss; it stays counted as open
    return closed, reset


def main():
    port = int(sys.argv[1])
    count = int(sys.argv[2])
    timeout_s = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    t0 = time.monotonic()
    try:
        held = open_all(port, count, timeout_s)
    except (OSError, ValueError) as e:
        print("error: %s" % e, flush=True)
        return 1
    print("held %d %.2f" % (len(held), time.monotonic() - t0), flush=True)
    sys.stdin.readline()
    closed, reset = count_lost(held)
    print("lost %d %d" % (closed, reset), flush=True)
    for sock in held:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
