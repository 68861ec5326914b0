"""A throw-away CA and per-device server certificates (EC P-256 keeps 200 devices fast).

Certificates are RFC 5280 profile conformant by default, so clients that verify strictly
(Python 3.13+ sets ssl.VERIFY_X509_STRICT in its default context) accept them: the CA has a
critical basicConstraints CA:true and keyUsage keyCertSign/cRLSign; each device certificate
has subject and authority key identifiers, subjectAltName (its IP address and name),
keyUsage digitalSignature and extendedKeyUsage serverAuth. The ``legacy`` kind leaves out the
key identifiers and keyUsage, like many certificates made by older tooling, so tests can show
what a strict client says about such a device.
"""
from __future__ import annotations

import datetime
import ipaddress
import os
import re
import ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERTIFICATE_KINDS = ("conformant", "legacy")
_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class CertificateAuthority:
    def __init__(self, workdir: str | None = None, keep: str | None = None):
        """keep: a file holding the CA and device keys across runs (`serve --state`): loaded when
        it exists, written when it does not, so certificates survive a restart."""
        self.workdir = workdir or tempfile.mkdtemp(prefix="camfleet-emu-tls-")
        now = datetime.datetime.now(datetime.timezone.utc)
        self._not_before = now - datetime.timedelta(days=1)
        self._not_after = now + datetime.timedelta(days=3650)
        self.device_key_path = os.path.join(self.workdir, "device-key.pem")
        if keep and os.path.exists(keep):
            self._load(keep)
        else:
            self._generate()
            if keep:
                self._save(keep)
        self._ensure_workdir()

    def _load(self, path: str) -> None:
        with open(path, "rb") as fh:
            blocks = re.findall(rb"-----BEGIN [A-Z ]+-----.+?-----END [A-Z ]+-----\n?", fh.read(), re.S)
        self.key = serialization.load_pem_private_key(blocks[0], password=None)
        self.cert = x509.load_pem_x509_certificate(blocks[1])
        self.device_key = serialization.load_pem_private_key(blocks[2], password=None)

    def _save(self, path: str) -> None:
        data = _pem_key(self.key) + self.ca_pem() + _pem_key(self.device_key)
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def _generate(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "camfleet emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, "camfleet emulator CA"),
        ])
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self._not_before).not_valid_after(self._not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()),
                           critical=False)
            .sign(self.key, hashes.SHA256())
        )
        # One key for every device: per-device keys add start-up time and buy nothing here.
        self.device_key = ec.generate_private_key(ec.SECP256R1())

    def _ensure_workdir(self) -> None:
        # ssl only loads chains from files; recreate them if a /tmp cleaner removed the directory
        # while the fleet runs (a later address change needs a new certificate file).
        os.makedirs(self.workdir, mode=0o700, exist_ok=True)
        if not os.path.exists(self.device_key_path):
            fd = os.open(self.device_key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(fd, "wb") as fh:
                fh.write(_pem_key(self.device_key))

    def ca_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, ip: str, label: str, kind: str = "conformant") -> str:
        """Write a server certificate for ip (kind: CERTIFICATE_KINDS); return its path."""
        addr = ipaddress.ip_address(ip)
        names = [x509.IPAddress(addr)]
        if _DNS_LABEL.match(label.lower()):
            names.append(x509.DNSName(label.lower()))
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ip)]))
            .issuer_name(self.cert.subject)
            .public_key(self.device_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self._not_before).not_valid_after(self._not_after)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        )
        if kind == "conformant":
            ca_ski = self.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            builder = (
                builder
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.device_key.public_key()),
                               critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                               critical=False)
                # An EC key signs (ECDHE-ECDSA); keyEncipherment is for RSA key transport only.
                .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                               critical=True)
            )
        elif kind != "legacy":
            raise ValueError(f"certificate kind {kind!r} is not one of {CERTIFICATE_KINDS}")
        cert = builder.sign(self.key, hashes.SHA256())
        self._ensure_workdir()
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", label)
        path = os.path.join(self.workdir, f"{safe}-{ip}.pem")
        with open(path, "wb") as fh:
            fh.write(cert.public_bytes(serialization.Encoding.PEM))
        return path

    def server_context(self, ip: str, label: str, kind: str = "conformant") -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.issue(ip, label, kind), self.device_key_path)
        return ctx
