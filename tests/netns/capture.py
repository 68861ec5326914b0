"""Record every frame seen in one namespace (run in the switch namespace: it sees every port of
the bridge). Writes one JSON line per IPv4/ARP frame, and the EtherType of anything else, until
SIGTERM. Used to prove the tests send nothing but SADP to the group and the namespaces."""
import json
import signal
import socket
import struct
import sys

ETH_P_ALL = 0x0003


def main(out_path):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.settimeout(0.2)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    with open(out_path, 'w', buffering=1) as out:
        out.write(json.dumps({'ready': True}) + '\n')
        while not stop:
            try:
                frame, where = sock.recvfrom(65535)
            except socket.timeout:
                continue
            if len(frame) < 14:
                continue
            ethertype = struct.unpack('!H', frame[12:14])[0]
            record = {'if': where[0], 'type': ethertype}
            if ethertype == 0x0800 and len(frame) >= 34:
                ip = frame[14:]
                record.update(src=socket.inet_ntoa(ip[12:16]), dst=socket.inet_ntoa(ip[16:20]),
                              proto=ip[9])
                header = (ip[0] & 0x0F) * 4
                if ip[9] == 17 and len(ip) >= header + 4:
                    record['dport'] = struct.unpack('!H', ip[header + 2:header + 4])[0]
            elif ethertype == 0x0806 and len(frame) >= 42:
                arp = frame[14:]
                record.update(src=socket.inet_ntoa(arp[14:18]), dst=socket.inet_ntoa(arp[24:28]))
            out.write(json.dumps(record) + '\n')


if __name__ == '__main__':
    main(sys.argv[1])
