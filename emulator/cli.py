"""Command line: python -m emulator serve (--fleet FILE | --devices N) --out DIR."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sys
import tempfile
import time

from aiohttp import web

from .fleet import FleetError, generated_fleet, load_fleet_file

def _parser(prog: str = "python -m emulator") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.replace("python -m emulator", prog))
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run a fleet of emulated devices until SIGTERM/SIGINT")
    source = serve.add_mutually_exclusive_group(required=True)
    source.add_argument("--fleet", help="fleet YAML file")
    source.add_argument("--devices", type=int, help="generate N activated current_camera devices")
    serve.add_argument("--out", required=True, help="directory for ca.pem, inventory.yml, vault-pass, fleet.json")
    serve.add_argument("--subnet", help="address pool for --devices (default 127.30.0.0/16)")
    serve.add_argument("--time-scale", type=float, help="override the fleet's time_scale")
    serve.add_argument("--control-port", type=int, help="override the fleet's control_port (0 = any)")
    serve.add_argument("--sadp", action="store_true",
                       help="answer SADP (UDP 37020) for every device, on loopback only")
    serve.add_argument("--sadp-reply", choices=("profile", "unicast", "multicast", "both"),
                       default="profile", help="how devices answer SADP (default: per profile)")
    serve.add_argument("--netns-interface", metavar="IFACE",
                       help="serve one device inside a network namespace: it takes IFACE's IPv4 "
                            "address, owns that interface (root), and answers SADP on it")
    serve.add_argument("--control-unix", metavar="PATH",
                       help="also serve the control API on this Unix socket (reachable from "
                            "outside the namespace)")
    # Lockout unknowns (README, "Lockout"): override the fleet file's defaults for every device.
    serve.add_argument("--lock-attempts", type=int,
                       help="failures that lock a client trying admin (default 7)")
    serve.add_argument("--user-lock-attempts", type=int,
                       help="failures that lock a client trying another account (default 5)")
    serve.add_argument("--lock-survives-reboot", choices=("yes", "no"),
                       help="whether a reboot keeps client locks (default no)")
    serve.add_argument("--login-password-counts", choices=("yes", "no"),
                       help="whether a wrong loginPassword counts as a failed login (default no)")
    serve.add_argument("--timing", choices=("scaled", "realistic"),
                       help="override the fleet's timing: scaled (time_scale applies) or realistic "
                            "(real reboot, upgrade and lock durations)")
    serve.add_argument("--state", metavar="DIR",
                       help="keep each device's identity and settings in DIR across restarts")
    serve.add_argument("-v", "--verbose", action="store_true")
    return parser


def lock_overrides(args) -> dict:
    def yes(value):
        return None if value is None else value == "yes"
    return {"lock_attempts": args.lock_attempts, "user_lock_attempts": args.user_lock_attempts,
            "lock_survives_reboot": yes(args.lock_survives_reboot),
            "login_password_counts": yes(args.login_password_counts)}


async def serve(args) -> int:
    from . import outputs
    from .control import make_app
    from .server import FleetRuntime

    started = time.monotonic()
    overrides = {"time_scale": args.time_scale, "control_port": args.control_port,
                 "overrides": lock_overrides(args), "timing": args.timing}
    try:
        if args.fleet:
            if args.subnet:
                raise FleetError("--subnet only applies to --devices; put subnet: in the fleet file")
            fleet = load_fleet_file(args.fleet, **overrides)
        else:
            if args.devices < 1:
                raise FleetError("--devices must be at least 1")
            fleet = generated_fleet(args.devices, subnet=args.subnet or "127.30.0.0/16", **overrides)
        if args.netns_interface:
            _adopt_interface(fleet, args.netns_interface)
    except (FleetError, OSError, ValueError) as exc:
        print(f"emulator: bad fleet: {exc}", file=sys.stderr)
        return 2
    from . import sadp
    sadp.reply_override = None if args.sadp_reply == "profile" else args.sadp_reply

    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    stale = os.path.join(out_dir, "fleet.json")
    if os.path.exists(stale):
        os.unlink(stale)  # a waiter must never pick up the previous run's file

    saved_states = {}
    if args.state:
        from . import persist
        # Saved identities and passwords first: the outputs below describe the devices as they are.
        saved_states = persist.adopt_identities(fleet, os.path.abspath(args.state))

    loop = asyncio.get_running_loop()
    vault_password = outputs.new_vault_password()
    secrets_by_name = {spec.name: spec.admin_password() for spec in fleet.devices}
    encrypting = loop.run_in_executor(None, outputs.vault_encrypt_all, vault_password, secrets_by_name)

    tls_dir = tempfile.mkdtemp(prefix="camfleet-emu-tls-")
    # With --state the CA and device key are kept too: certificates survive a restart.
    ca_keep = os.path.join(os.path.abspath(args.state), "tls-keys.pem") if args.state else None
    runtime = FleetRuntime(fleet, tls_dir, ca_keep=ca_keep)
    runtime.netns_interface = args.netns_interface
    runtime.sadp_interface = args.netns_interface or ("lo" if args.sadp else None)
    saver = None
    if args.state:
        persist.restore_states(runtime, saved_states)
        saver = persist.Saver(runtime, os.path.abspath(args.state))
    control_runner = None
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        try:
            await runtime.start()
        except RuntimeError as exc:
            print(f"emulator: {exc}", file=sys.stderr)
            return 1
        if saver is not None:
            saver.start()
        fleet_doc = {}
        control_runner = web.AppRunner(make_app(runtime, lambda: fleet_doc), access_log=None)
        await control_runner.setup()
        site = web.TCPSite(control_runner, "127.0.0.1", fleet.control_port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        if args.control_unix:
            await web.UnixSite(control_runner, args.control_unix).start()
        control_url = f"http://127.0.0.1:{port}"
        encrypted = await encrypting
        fleet_doc.update(outputs.write_all(out_dir, fleet, runtime.ca.ca_pem(), control_url,
                                           vault_password, encrypted))
        print(f"emulator: {len(fleet.devices)} devices up in {time.monotonic() - started:.2f}s; "
              f"control API {control_url}; outputs in {out_dir}", file=sys.stderr, flush=True)
        await stop.wait()
        return 0
    finally:
        if control_runner is not None:
            await control_runner.cleanup()
        await runtime.stop()
        if saver is not None:
            await saver.stop()
        shutil.rmtree(tls_dir, ignore_errors=True)


def _adopt_interface(fleet, iface: str) -> None:
    """A device in its own namespace takes the address its interface already has, like a unit
    plugged into a site network (docs/developer/sadp-reference.md, §5); the fleet file's loopback address is ignored."""
    import fcntl
    import ipaddress
    import socket
    import struct
    if len(fleet.devices) != 1:
        raise FleetError("--netns-interface serves exactly one device; the fleet has "
                         f"{len(fleet.devices)}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        request = struct.pack("256s", iface.encode()[:15])
        address = socket.inet_ntoa(fcntl.ioctl(sock.fileno(), 0x8915, request)[20:24])  # SIOCGIFADDR
        mask = socket.inet_ntoa(fcntl.ioctl(sock.fileno(), 0x891B, request)[20:24])  # SIOCGIFNETMASK
    except OSError as exc:
        raise FleetError(f"--netns-interface {iface}: no IPv4 address ({exc})") from None
    finally:
        sock.close()
    spec = fleet.devices[0]
    spec.address = spec.factory_address = address
    spec.subnet = str(ipaddress.IPv4Network(f"{address}/{mask}", strict=False))


def main(argv=None, prog: str = "python -m emulator") -> int:
    args = _parser(prog).parse_args(argv)
    logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.command == "serve":
        return asyncio.run(serve(args))
    return 2


def console_main() -> int:
    """Entry point of the installed ``camfleet-emulator`` command (same sub-commands and options)."""
    return main(prog="camfleet-emulator")
