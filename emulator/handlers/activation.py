"""Activation of factory-fresh devices (docs/developer/isapi-reference.md, §3). None of these need credentials."""
from __future__ import annotations

from .. import activation as crypto
from .. import passwords, xmlgen
from ..errors import IsapiError
from ..profiles import NS_STD_CGI
from ..router import route
from ..state import User


@route("GET", "/SDK/activateStatus", auth=False)
async def activate_status(ctx):
    # Root element name never captured (docs/developer/isapi-reference.md, §3.2, uncertain); clients should search for
    # <Activated> namespace-agnostically.
    return ctx.reply("ActivateStatus", {"Activated": ctx.state.activated})


@route("POST", "/ISAPI/Security/challenge", auth=False)
async def challenge(ctx):
    doc = ctx.xml("PublicKey", "Challenge")
    key_text = xmlgen.text(doc, "key")
    if not key_text:
        raise IsapiError("badXmlContent", detail="missing <key>")
    random_string = crypto.new_random_string()
    try:
        encrypted = crypto.encrypt_challenge(key_text, random_string)
    except crypto.ActivationCryptoError as exc:
        raise IsapiError("badParameters", detail=str(exc)) from None
    ctx.device.challenge = random_string  # the last challenge issued is the one activation uses
    return ctx.reply("Challenge", {"key": encrypted}, namespace=NS_STD_CGI)


@route("PUT", "/ISAPI/System/activate", auth=False)
async def activate(ctx):
    device = ctx.device
    if ctx.state.activated:
        raise IsapiError("hasActivated")
    doc = ctx.xml("ActivateInfo", "Activate")
    info = doc if doc.tag == "ActivateInfo" else doc.find("ActivateInfo")
    password_text = xmlgen.text(info, "password")
    if not password_text:
        raise IsapiError("badXmlContent", detail="missing <password>")
    if device.challenge is None:
        raise IsapiError("invalidOperation", detail="no challenge issued")
    try:
        password = crypto.decrypt_password(password_text, device.challenge)
    except crypto.ActivationCryptoError as exc:
        raise IsapiError("badParameters", detail=str(exc)) from None
    problem = passwords.policy_error("admin", password, ctx.profile.password_len)
    if problem:
        raise IsapiError(problem)
    ctx.state.activated = True
    ctx.state.users = [User(1, "admin", "Administrator", password)]
    device.challenge = None
    ctx.state.add_log("activate", client=ctx.request.remote)
    return ctx.ok()
