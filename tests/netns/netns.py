"""Throw-away network namespaces for SADP tests (docs/developer/sadp-reference.md, §5): one "switch" namespace holding a
bridge, and one namespace per emulated device and for the controller, each joined to the bridge
by a veth pair. Nothing is connected to the host's own namespace, so no test packet can leave.
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import http.client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = sys.executable


def unavailable():
    """Why these tests cannot run here, or None."""
    if os.geteuid() != 0:
        return 'network namespace tests need root'
    if shutil.which('ip') is None:
        return 'network namespace tests need iproute2 ("ip"); add it to the project setup'
    probe = 'cfprobe%s' % secrets.token_hex(3)
    done = subprocess.run(['ip', 'netns', 'add', probe], capture_output=True, text=True)
    if done.returncode:
        return 'cannot create network namespaces: %s' % done.stderr.strip()
    subprocess.run(['ip', 'netns', 'del', probe], capture_output=True)
    return None


def sh(*argv, check=True):
    done = subprocess.run(list(argv), capture_output=True, text=True)
    if check and done.returncode:
        raise RuntimeError('%s: %s' % (' '.join(argv), done.stderr.strip()))
    return done


class Segment(object):
    """One Ethernet segment. Namespace names carry a random token, so parallel runs never meet."""

    def __init__(self, workdir):
        self.token = secrets.token_hex(3)
        self.workdir = str(workdir)
        self.switch = 'cf%ssw' % self.token
        self.namespaces = []
        self.addresses = {}
        self.procs = []

    def ns(self, role):
        return 'cf%s%s' % (self.token, role)

    def __enter__(self):
        self._add_ns(self.switch)
        sh('ip', '-n', self.switch, 'link', 'add', 'br0', 'type', 'bridge')
        sh('ip', '-n', self.switch, 'link', 'set', 'br0', 'up')
        return self

    def __exit__(self, *exc):
        self.close()

    def _add_ns(self, name):
        sh('ip', 'netns', 'add', name)
        self.namespaces.append(name)
        # IPv6 off: router solicitations and MLD would be traffic the test did not ask for.
        sh('ip', 'netns', 'exec', name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1',
           'net.ipv6.conf.default.disable_ipv6=1')
        sh('ip', '-n', name, 'link', 'set', 'lo', 'up')

    def attach(self, role, cidr):
        """A namespace for role with eth0 = cidr on the bridge; returns the namespace name."""
        name = self.ns(role)
        self._add_ns(name)
        port = 'p%d' % len(self.namespaces)
        sh('ip', '-n', name, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', port,
           'netns', self.switch)
        sh('ip', '-n', self.switch, 'link', 'set', port, 'master', 'br0')
        sh('ip', '-n', self.switch, 'link', 'set', port, 'up')
        sh('ip', '-n', name, 'addr', 'add', cidr, 'dev', 'eth0')
        sh('ip', '-n', name, 'link', 'set', 'eth0', 'up')
        self.addresses[role] = cidr.split('/')[0]
        return name

    def popen(self, role_or_ns, argv, **kw):
        name = role_or_ns if role_or_ns in self.namespaces else self.ns(role_or_ns)
        proc = subprocess.Popen(['ip', 'netns', 'exec', name] + list(argv), cwd=ROOT, **kw)
        self.procs.append(proc)
        return proc

    def run(self, role, argv, timeout=60):
        return subprocess.run(['ip', 'netns', 'exec', self.ns(role)] + list(argv), cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout,
                              env=dict(os.environ, PYTHONPATH=ROOT))

    def close(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for name in reversed(self.namespaces):
            subprocess.run(['ip', 'netns', 'del', name], capture_output=True)
        self.namespaces = []


class UnixControl(object):
    """The emulator's control API over its Unix socket (reachable across namespaces)."""

    def __init__(self, path):
        self.path = path

    def _call(self, method, path, payload=None):
        conn = http.client.HTTPConnection('localhost', timeout=10)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(10)
        sock.connect(self.path)
        conn.sock = sock
        body = json.dumps(payload).encode() if payload is not None else None
        conn.request(method, path, body=body, headers={'Content-Type': 'application/json'})
        reply = conn.getresponse()
        data = json.loads(reply.read() or b'null')
        conn.close()
        if reply.status >= 400:
            raise RuntimeError('%s %s: %s %s' % (method, path, reply.status, data))
        return data

    def state(self, name):
        return self._call('GET', '/devices/%s' % name)

    def counters(self, name):
        return self._call('GET', '/devices/%s/counters' % name)

    def check_password(self, name, user, password):
        return self._call('POST', '/devices/%s/check-password' % name,
                          {'user': user, 'password': password})['ok']


class EmulatedDevice(object):
    def __init__(self, segment, role, profile, cidr, activated=True, password=None, reply=None):
        self.role = role
        self.name = role
        self.profile = profile
        self.address = cidr.split('/')[0]
        self.out = os.path.join(segment.workdir, role)
        os.makedirs(self.out, exist_ok=True)
        self.password = password
        self.activated = activated
        segment.attach(role, cidr)
        device = {'name': role, 'profile': profile, 'activated': activated}
        if password:
            device['password'] = password
        fleet = {'time_scale': 0.01, 'sites': [{'name': 'lab', 'devices': [device]}]}
        path = os.path.join(self.out, 'fleet-input.yml')
        with open(path, 'w') as fh:
            json.dump(fleet, fh)  # JSON is YAML
        self.control_path = os.path.join(self.out, 'control.sock')
        argv = [PYTHON, '-m', 'emulator', 'serve', '--fleet', path, '--out', self.out,
                '--netns-interface', 'eth0', '--control-unix', self.control_path]
        if reply:
            argv += ['--sadp-reply', reply]
        self.stderr = open(os.path.join(self.out, 'stderr.log'), 'w')
        self.proc = segment.popen(role, argv, stderr=self.stderr, stdout=subprocess.DEVNULL,
                                  env=dict(os.environ, PYTHONPATH=ROOT))
        self.control = UnixControl(self.control_path)
        self.info = None

    def wait(self, timeout=30):
        deadline = time.monotonic() + timeout
        path = os.path.join(self.out, 'fleet.json')
        while not os.path.exists(path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                with open(os.path.join(self.out, 'stderr.log')) as fh:
                    raise RuntimeError('emulator %s did not start: %s' % (self.role, fh.read()))
            time.sleep(0.05)
        with open(path) as fh:
            self.info = json.load(fh)['devices'][0]
        self.ca_path = os.path.join(self.out, 'ca.pem')
        self.mac = self.info['mac']
        self.serial = self.info['serial']
        return self

    def state(self):
        return self.control.state(self.name)
