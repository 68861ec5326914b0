"""A misbehaving SADP responder: answers every probe with a truncated reply and garbage, so the
tests can check that clients ignore them with a warning."""
import socket
import struct

GROUP, PORT = '239.255.255.250', 37020
TRUNCATED = (b'<?xml version="1.0" encoding="UTF-8"?>\r\n<ProbeMatch>\r\n<Uuid>X</Uuid>\r\n'
             b'<Types>inquiry</Types>\r\n<DeviceDescription>DS-2CD-ROGUE</DeviceDes')
GARBAGE = b'\x00\xffnot xml at all'
NO_IDENTITY = (b'<?xml version="1.0" encoding="UTF-8"?><ProbeMatch><Uuid>X</Uuid>'
               b'<Types>inquiry</Types><IPv4Address>1.2.3.4</IPv4Address></ProbeMatch>')


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('', PORT))
    index = socket.if_nametoindex('eth0')
    mreqn = struct.pack('4s4si', socket.inet_aton(GROUP), socket.inet_aton('0.0.0.0'), index)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
    while True:
        data, addr = sock.recvfrom(65535)
        if b'<Probe>' in data and b'inquiry' in data:
            for reply in (TRUNCATED, GARBAGE, NO_IDENTITY):
                sock.sendto(reply, addr)


if __name__ == '__main__':
    main()
