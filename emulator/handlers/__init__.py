"""ISAPI resources. Each module registers its routes with emulator.router.route at import;
add a module here to add resources."""
from . import activation, configdata, firmware, contentmgmt, inputproxy, logsearch, network, recovery, security, securitycfg, services, system, timesync, users  # noqa: F401
