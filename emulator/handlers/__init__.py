"""ISAPI resources. Each module registers its routes with emulator.router.route at import;
add a module here to add resources."""
from . import activation, inputproxy, network, security, system, timesync, users  # noqa: F401
