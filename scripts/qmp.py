#!/usr/bin/env python3
"""One command to a running QEMU over its QMP unix socket.

    qmp.py SOCKET COMMAND [NAME=VALUE]...

Connects to SOCKET (waiting up to 10 s for QEMU to create it), leaves
QMP's capabilities negotiation, runs COMMAND with the arguments given
(each VALUE a string) and prints the reply's "return" as JSON. Exit
status 0 on success; 1 with QEMU's error message, or when the socket
never answers. Examples: `qmp.py s screendump filename=/tmp/a.ppm`,
`qmp.py s screendump filename=a.png format=png`, `qmp.py s quit`.
"""
import json
import socket
import sys
import time


def connect(path, wait_s=10.0):
    deadline = time.monotonic() + wait_s
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError as e:
            s.close()
            if time.monotonic() >= deadline:
                raise SystemExit(f"qmp: cannot connect to {path}: {e.strerror}")
            time.sleep(0.1)


def replies(f):
    """QMP messages, one JSON object a line; events are skipped."""
    for line in f:
        msg = json.loads(line)
        if "event" not in msg:
            yield msg


def execute(f, out, command, arguments):
    out.write(json.dumps({"execute": command, "arguments": arguments}) + "\n")
    out.flush()
    for msg in replies(f):
        if "error" in msg:
            raise SystemExit(f"qmp: {command}: {msg['error'].get('desc', msg['error'])}")
        if "return" in msg:
            return msg["return"]
    if command == "quit":  # QEMU may close the socket before replying
        return {}
    raise SystemExit(f"qmp: {command}: QEMU closed the connection")


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[3:]):
        raise SystemExit("usage: qmp.py SOCKET COMMAND [NAME=VALUE]...")
    sock = connect(argv[1])
    f = sock.makefile("r", encoding="utf-8")
    out = sock.makefile("w", encoding="utf-8")
    greeting = f.readline()
    if "QMP" not in greeting:
        raise SystemExit(f"qmp: {argv[1]}: not a QMP socket (got {greeting.strip()!r})")
    execute(f, out, "qmp_capabilities", {})
    args = dict(a.split("=", 1) for a in argv[3:])
    print(json.dumps(execute(f, out, argv[2], args)))


if __name__ == "__main__":
    main(sys.argv)
