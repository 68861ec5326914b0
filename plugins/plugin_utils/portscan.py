# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A TCP connect scan from the controller: which of some ports accept a connection."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket
from concurrent.futures import ThreadPoolExecutor


def is_open(host, port, timeout):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def scan(host, ports, timeout=1.0, workers=16):
    """Sorted list of the ports that accepted a TCP connection (each connection closed at once,
    nothing sent, so no login is attempted and no lockout counter moves)."""
    ports = sorted(set(int(p) for p in ports))
    with ThreadPoolExecutor(max_workers=min(workers, len(ports) or 1)) as pool:
        states = list(pool.map(lambda p: is_open(host, p, timeout), ports))
    return [p for p, state in zip(ports, states) if state]
