"""SecurityCap, userCheck and the illegal-login lock configuration (docs/developer/isapi-reference.md, §2.3, §2.5, §4.3)."""
from __future__ import annotations

from .. import passwords
from ..router import route
from .capabilities import security_cap
from .common import need_bool, need_int

LOCK_TIMES = (3, 20)  # HN V5.7.18 capability maxIllegalLoginTimes min/max
LOCK_SECONDS_MAX = 7200


@route("GET", "/ISAPI/Security/capabilities")
async def get_security_capabilities(ctx):
    return ctx.reply("SecurityCap", security_cap(ctx.device, nested=False))


@route("GET", "/ISAPI/Security/userCheck")
async def user_check(ctx):
    tree = {"statusValue": 200, "statusString": "OK"}
    if ctx.profile.user_check_extras:
        risky = passwords.char_classes(ctx.user.password) < 3
        tree.update({"isDefaultPassword": False, "isRiskPassword": risky, "isActivated": True})
    return ctx.reply("userCheck", tree)


def lock_tree(device) -> dict:
    lock, profile = device.state.lock, device.spec.profile
    tree = {"enabled": lock.enabled}
    if profile.lock_fields:
        unit = profile.lock_time_unit
        tree["maxIllegalLoginTimes"] = lock.attempts
        tree["maxIllegalLoginLockTime"] = -(-lock.seconds // unit)
    return tree


@route("GET", "/ISAPI/Security/illegalLoginLock")
async def get_lock(ctx):
    return ctx.reply("IllegalLoginLock", lock_tree(ctx.device))


@route("PUT", "/ISAPI/Security/illegalLoginLock")
async def put_lock(ctx):
    doc = ctx.xml("IllegalLoginLock")
    lock, profile = ctx.state.lock, ctx.profile
    if not profile.lock_fields:
        # QB writes only <enabled> to old firmware; anything else in the body is ignored.
        lock.enabled = need_bool(doc, "enabled")
        return ctx.ok()
    enabled = need_bool(doc, "enabled")
    attempts = need_int(doc, "maxIllegalLoginTimes", *LOCK_TIMES)
    unit = profile.lock_time_unit
    lock_time = need_int(doc, "maxIllegalLoginLockTime", 1, LOCK_SECONDS_MAX // unit)
    lock.enabled, lock.attempts, lock.seconds = enabled, attempts, lock_time * unit
    return ctx.ok()

