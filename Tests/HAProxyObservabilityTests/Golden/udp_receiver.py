import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
out = open(sys.argv[2], "wb")
while True:
    d, _ = s.recvfrom(65536)
    out.write(repr(d).encode() + b"\n")
    out.flush()
