"""User accounts (docs/developer/isapi-reference.md, §6). Only Administrator-level users write here (router default)."""
from __future__ import annotations

import secrets

from .. import passwords, xmlgen
from ..errors import IsapiError
from ..router import route
from ..state import LEVELS, MAX_USERS, User
from .common import need


def user_tree(device, user: User) -> dict:
    ns = device.spec.profile.namespace
    return {"@version": "2.0", "@xmlns": ns, "id": user.id, "userName": user.name,
            "userLevel": user.level}


def _check_login_password(ctx, doc) -> None:
    """Newer firmware wants the acting admin's current password in <loginPassword>
    (or ?loginPassword= on DELETE); old firmware ignores it."""
    if not ctx.profile.requires_login_password:
        return
    given = xmlgen.text(doc, "loginPassword") if doc is not None else None
    if given is None:
        given = ctx.request.query.get("loginPassword")
    if given is None or not secrets.compare_digest(given, ctx.user.password):
        ctx.state.add_log("loginPasswordError", user=ctx.user.name, client=ctx.request.remote)
        if given is not None and ctx.device.spec.login_password_counts:
            # Whether firmware counts this as an illegal login is not known (fleet key
            # login_password_counts); when it does, it counts against the acting account.
            ctx.device.auth.record_failure(ctx.request.remote or "", ctx.user.name)
        raise IsapiError("loginPasswordError")


def _check_password(ctx, name: str, password: str) -> None:
    problem = passwords.policy_error(name, password, ctx.profile.password_len)
    if problem:
        raise IsapiError(problem)


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise IsapiError("badParameters", detail=f"userLevel {level!r}")
    return level


def _find(ctx, raw_id: str) -> User:
    try:
        uid = int(raw_id)
    except ValueError:
        raise IsapiError("userInexistence") from None
    user = ctx.state.user_by_id(uid)
    if user is None:
        raise IsapiError("userInexistence")
    return user


def _modify(ctx, user: User, el) -> None:
    """Apply one <User> element to an existing account, validating before changing anything."""
    name = xmlgen.text(el, "userName")
    level = xmlgen.text(el, "userLevel")
    password = xmlgen.text(el, "password")
    new_name = user.name if name is None else name
    if not 1 <= len(new_name) <= 32:
        raise IsapiError("badParameters", detail="userName length")
    if new_name != user.name:
        if user.id == 1:
            raise IsapiError("invalidOperation", detail="admin cannot be renamed")
        other = ctx.state.user_by_name(new_name)
        if other is not None and other is not user:
            raise IsapiError("userExist")
    new_level = user.level if level is None else _check_level(level)
    if user.id == 1 and new_level != "Administrator":
        raise IsapiError("invalidOperation", detail="admin stays Administrator")
    if user.id != 1 and new_level == "Administrator":
        raise IsapiError("userCannotCreatAdmin")
    if password:
        _check_password(ctx, new_name, password)
    user.name, user.level = new_name, new_level
    if password:
        user.password = password
        ctx.state.add_log("passwordChanged", user=user.name, by=ctx.user.name)


@route("GET", "/ISAPI/Security/users")
async def list_users(ctx):
    return ctx.reply("UserList", {"User": [user_tree(ctx.device, u) for u in ctx.state.users]})


@route("POST", "/ISAPI/Security/users")
async def add_user(ctx):
    doc = ctx.xml("User")
    _check_login_password(ctx, doc)
    name = need(doc, "userName")
    password = need(doc, "password")
    level = _check_level(need(doc, "userLevel"))
    if not 1 <= len(name) <= 32:
        raise IsapiError("badParameters", detail="userName length")
    if ctx.state.user_by_name(name) is not None:
        raise IsapiError("userExist")
    if level == "Administrator":
        # Hikvision cameras/NVRs keep a single Administrator account ("admin").
        raise IsapiError("userCannotCreatAdmin")
    if len(ctx.state.users) >= MAX_USERS:
        raise IsapiError("invalidOperation", detail="user table full")
    _check_password(ctx, name, password)
    used = {u.id for u in ctx.state.users}
    new_id = next(i for i in range(2, MAX_USERS + 1) if i not in used)
    ctx.state.users.append(User(new_id, name, level, password))
    ctx.state.users.sort(key=lambda u: u.id)
    ctx.state.add_log("userAdded", user=name, by=ctx.user.name)
    return ctx.ok(new_id=new_id)


@route("PUT", "/ISAPI/Security/users")
async def put_users(ctx):
    # QB sends a single <User>; the documented batch form is a <UserList>. Listed accounts are
    # modified; accounts not listed are left alone (the guide's "set all" deletion is not emulated).
    doc = ctx.xml("User", "UserList")
    _check_login_password(ctx, doc)
    elements = [doc] if doc.tag == "User" else doc.findall("User")
    if not elements:
        raise IsapiError("badXmlContent", detail="no <User>")
    targets = []
    for el in elements:
        raw_id = xmlgen.text(el, "id")
        if raw_id is None:
            name = need(el, "userName")
            user = ctx.state.user_by_name(name)
            if user is None:
                raise IsapiError("userInexistence")
        else:
            user = _find(ctx, raw_id)
        targets.append((user, el))
    for user, el in targets:
        _modify(ctx, user, el)
    return ctx.ok()


@route("DELETE", "/ISAPI/Security/users")
async def delete_all_users(ctx):
    doc = ctx.xml() if ctx.body.strip() else None
    _check_login_password(ctx, doc)
    ctx.state.users = [u for u in ctx.state.users if u.id == 1]
    ctx.state.add_log("usersDeleted", by=ctx.user.name)
    return ctx.ok()


@route("GET", "/ISAPI/Security/users/{id}")
async def get_user(ctx):
    return ctx.reply("User", user_tree(ctx.device, _find(ctx, ctx.params["id"])))


@route("PUT", "/ISAPI/Security/users/{id}")
async def put_user(ctx):
    doc = ctx.xml("User")
    user = _find(ctx, ctx.params["id"])
    body_id = xmlgen.text(doc, "id")
    if body_id is not None and body_id != str(user.id):
        raise IsapiError("badParameters", detail="<id> does not match the URL")
    _check_login_password(ctx, doc)
    _modify(ctx, user, doc)
    return ctx.ok()


@route("DELETE", "/ISAPI/Security/users/{id}")
async def delete_user(ctx):
    user = _find(ctx, ctx.params["id"])
    doc = ctx.xml() if ctx.body.strip() else None
    _check_login_password(ctx, doc)
    if user.id == 1:
        raise IsapiError("userCannotDelAdmin")
    ctx.state.users.remove(user)
    ctx.state.add_log("userDeleted", user=user.name, by=ctx.user.name)
    return ctx.ok()
