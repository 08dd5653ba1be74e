#!/usr/bin/env python3
"""Small servers for the protocol check tests: each argument names a
conversation; one listening port per argument on 127.0.0.1, written one per
line to the file given first once all listen. Runs until killed."""
import socket
import sys
import threading

CONVERSATIONS = {
    # SMTP: a banner, then one answer per command received.
    "smtp-ok": [b"220 mail.test ESMTP\r\n", b"250-mail.test\r\n250 8BITMIME\r\n", b"221 2.0.0 Bye\r\n"],
    "smtp-busy": [b"554 5.3.2 too busy\r\n"],
    # LDAP: the bind response (messageID 1), result 0 or 49 (invalid credentials).
    "ldap-ok": [None, bytes.fromhex("300c02010161070a010004000400")],
    "ldap-refused": [None, bytes.fromhex("300c02010161070a013104000400")],
}


def serve(conn, script):
    with conn:
        try:
            if script[0]:
                conn.sendall(script[0])
            for answer in script[1:]:
                if not conn.recv(4096):
                    return
                conn.sendall(answer)
            while conn.recv(4096):
                pass
        except OSError:
            pass


def listen(script):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)

    def loop():
        while True:
            conn, _ = s.accept()
            threading.Thread(target=serve, args=(conn, script), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def main():
    ports = [listen(CONVERSATIONS[name]) for name in sys.argv[2:]]
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("\n".join(str(p) for p in ports) + "\n")
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    threading.Event().wait()


if __name__ == "__main__":
    main()
