"""Files a serve run leaves for its users: ca.pem, inventory.yml, vault-pass, fleet.json (last)."""
from __future__ import annotations

import json
import os
import secrets
import tempfile

import yaml

from .fleet import Fleet, group_name


class _VaultText(str):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_VaultText, lambda d, v: d.represent_scalar("!vault", str(v), style="|"))


def _write(path: str, data: bytes, mode: int = 0o644) -> None:
    """Atomic: waiters polling for the file never see it half written."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def new_vault_password() -> str:
    return secrets.token_urlsafe(32)


def vault_encrypt_all(vault_password: str, texts: dict) -> dict:
    """name → '$ANSIBLE_VAULT...' (CPU-heavy: PBKDF2 per value; run it in a worker thread)."""
    from ansible.constants import DEFAULT_VAULT_ID_MATCH
    from ansible.parsing.vault import VaultLib, VaultSecret
    vault = VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(vault_password.encode()))])
    return {name: vault.encrypt(text).decode() for name, text in texts.items()}


def inventory_doc(fleet: Fleet, ca_path: str, encrypted: dict) -> dict:
    sites, cameras, nvrs = {}, {}, {}
    for spec in fleet.devices:
        host = {
            "isapi_host": spec.address,
            "isapi_port": spec.https_port,
            "isapi_http_port": spec.http_port,
            "isapi_password": _VaultText(encrypted[spec.name]),
            "device_kind": spec.kind,
            "device_model": spec.model,
            "device_serial": spec.serial,
        }
        sites.setdefault(group_name(spec.site), {})[spec.name] = host
        (nvrs if spec.kind == "nvr" else cameras)[spec.name] = None
    children = {name: {"hosts": hosts} for name, hosts in sites.items()}
    children["cameras"] = {"hosts": cameras}
    children["nvrs"] = {"hosts": nvrs}
    return {"all": {
        "vars": {
            "ansible_connection": "local",
            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            "isapi_scheme": "https",
            "isapi_ca_path": ca_path,
            "isapi_username": "admin",
        },
        "children": children,
    }}


def fleet_doc(fleet: Fleet, control_url: str, ca_path: str, out_dir: str) -> dict:
    devices = []
    for spec in fleet.devices:
        entry = {"name": spec.name, "site": spec.site, "kind": spec.kind, "profile": spec.profile.name,
                 "model": spec.model, "serial": spec.serial, "mac": spec.mac, "firmware": spec.firmware,
                 "address": spec.address, "http_port": spec.http_port, "https_port": spec.https_port,
                 "activated": spec.activated}
        if spec.activated:
            entry["password"] = spec.password
        entry["intended_password"] = spec.intended_password
        devices.append(entry)
    return {"control_url": control_url, "ca_path": ca_path, "out_dir": out_dir, "devices": devices}


def write_all(out_dir: str, fleet: Fleet, ca_pem: bytes, control_url: str, vault_password: str,
              encrypted: dict) -> dict:
    out_dir = os.path.abspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    ca_path = os.path.join(out_dir, "ca.pem")
    _write(ca_path, ca_pem)
    inventory = yaml.dump(inventory_doc(fleet, ca_path, encrypted), Dumper=_Dumper,
                          sort_keys=False, default_flow_style=False, width=1000)
    _write(os.path.join(out_dir, "inventory.yml"), inventory.encode())
    _write(os.path.join(out_dir, "vault-pass"), (vault_password + "\n").encode(), 0o600)
    doc = fleet_doc(fleet, control_url, ca_path, out_dir)
    _write(os.path.join(out_dir, "fleet.json"), json.dumps(doc, indent=2).encode(), 0o600)
    return doc
