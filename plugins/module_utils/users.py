# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device user accounts (docs/developer/isapi-reference.md, §6): the logic behind the user module.

Passwords are write-only on the device, so "is the password already right?" is answered by
logging in once with the desired one. That attempt is the only extra login this module makes, and
it is made on a separate session so a refusal never poisons the admin session.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import client_from_params
from ansible_collections.camfleet.hikvision.plugins.module_utils.device import check_password
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiAnswerLostError, IsapiAuthError, IsapiError, IsapiInputError, IsapiLockedError,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec

LEVELS = {'administrator': 'Administrator', 'operator': 'Operator', 'viewer': 'Viewer'}
USERS = '/ISAPI/Security/users'
# admin plus 31 more (docs/developer/isapi-reference.md, §4.3 supportUserNums; manuals say 31 extra accounts)
MAX_ACCOUNTS = 32
# The device refuses an empty userName and one longer than 32 characters (badParameters); the
# vendor SDK sizes user names as 32-byte fields (NAME_LEN). The ISAPI documents we rely on give
# no other limit, so these two are checked before anything is sent.
NAME_MAX = 32


def list_users(client, path=USERS):
    """[(id, name, level, element)] as the device lists them; path=ONVIF_USERS reads the ONVIF
    account list, whose entries have the same shape (no userLevel: level is '')."""
    root = client.get(path)
    users = []
    for elem in xmldoc.findall(root, 'User'):
        users.append({'id': xmldoc.text(elem, 'id'), 'name': xmldoc.text(elem, 'userName'),
                      'level': (xmldoc.text(elem, 'userLevel') or '').lower(), 'element': elem,
                      'namespace': xmldoc.namespace(elem) or xmldoc.namespace(root)})
    return users, xmldoc.namespace(root)


def public(user):
    return {'id': int(user['id']) if user.get('id') and user['id'].isdigit() else user.get('id'),
            'name': user['name'], 'level': user['level']}


def password_works(params, name, password, device_name=None):
    """Log in once as name/password on a fresh session. True, False, or raises if locked."""
    probe_params = dict(params, username=name, password=password)
    probe = client_from_params(probe_params, name=device_name)
    try:
        probe.get('/ISAPI/Security/userCheck')
        return True
    except IsapiLockedError:
        raise
    except IsapiAuthError:
        return False
    finally:
        probe.close()


def check_name(name):
    if not name:
        raise IsapiInputError('name must not be empty: the device refuses an account without a '
                              'user name')
    if len(name) > NAME_MAX:
        raise IsapiInputError('name must be at most %d characters (it has %d); the device refuses '
                              'longer user names' % (NAME_MAX, len(name)))


def rotates_session_password(params):
    """Whether the task changes the password of the account it logs in with."""
    return (params['name'] == (params.get('username') or 'admin')
            and params.get('state', 'present') == 'present'
            and params.get('user_password') is not None
            and params.get('update_password', 'always') == 'always'
            and params['user_password'] != params.get('password'))


def first_listing(client, params):
    """The user list, read with the task's password; for a task that rotates its own password,
    with user_password when the device refuses the old one (an earlier run, whose answer was
    lost, may have changed it already). Returns (users, namespace, already_rotated)."""
    try:
        return list_users(client) + (False,)
    except IsapiLockedError:
        raise
    except IsapiAuthError as exc:
        left = exc.details.get('attempts_left')
        if not rotates_session_password(params) or (left is not None and left <= 1):
            raise
    client.use_password(params['user_password'])
    try:
        return list_users(client) + (True,)
    except IsapiLockedError:
        raise
    except IsapiAuthError:
        raise IsapiAuthError(
            'the device accepts neither password nor user_password for %r: someone else '
            'changed it. Nothing more was tried (the device locks clients after repeated '
            'failures)' % params['name'], device=client.device)


def run_user(task):
    params = task.params
    client = task.client
    name = params['name']
    state = params['state']
    level = params.get('level')
    new_password = params.get('user_password')
    check_name(name)
    if new_password is not None:
        check_password(new_password, username=name, field='user_password')

    users, namespace, already_rotated = first_listing(client, params)
    current = next((u for u in users if u['name'] == name), None)
    result = {'changed': False}
    if already_rotated:
        result['session_password_switched'] = True
        task.warn('the device refused password for %r but accepts user_password: an earlier run '
                  'changed it already; this task continued with user_password' % name)

    if state == 'absent':
        if current is None:
            result['user'] = None
            return result
        if current['id'] == '1' or current['level'] == 'administrator' and name == 'admin':
            raise IsapiInputError("the built-in admin account (id 1) cannot be deleted", device=client.device)
        if name == params.get('username'):
            raise IsapiInputError('refusing to delete %r, the account this task logs in with' % name,
                                  device=client.device)
        result.update(changed=True, user=None,
                      diff={'before': public(current), 'after': {}})
        if not task.check_mode:
            try:
                client.delete('%s/%s' % (USERS, current['id']),
                              params={'loginPassword': client.password})
            except IsapiAnswerLostError as exc:
                # Not resent (a second DELETE answers userInexistence): read back instead.
                if _read_back(client, name, exc) is not None:
                    raise IsapiError('%s; read back, %r still exists: it was not deleted. Run the '
                                     'task again' % (exc.args[0], name), device=client.device)
                task.warn('%s; read back, %r is gone: it was deleted' % (exc.args[0], name))
        return result

    if current is None:
        if new_password is None:
            raise IsapiInputError('user_password is required to create user %r' % name,
                                  device=client.device)
        if len(users) >= MAX_ACCOUNTS:
            raise IsapiInputError('the device already has %d accounts, its maximum' % len(users),
                                  device=client.device)
        desired = {'name': name, 'level': level or 'viewer'}
        result.update(changed=True, user=dict(desired, id=None), password_changed=True,
                      diff={'before': {}, 'after': desired})
        if task.check_mode:
            return result
        body = xmldoc.element('User', {
            'userName': name, 'password': new_password,
            'userLevel': LEVELS[desired['level']], 'loginPassword': client.password,
        }, ns=namespace)
        try:
            write = client.post(USERS, body)
        except IsapiAnswerLostError as exc:
            # Not resent (a second POST answers userExist): read back what the device has.
            created = _read_back(client, name, exc)
            if created is None:
                raise IsapiError('%s; read back, %r does not exist: it was not created. Run the '
                                 'task again' % (exc.args[0], name), device=client.device)
            task.warn('%s; read back, %r exists: it was created' % (exc.args[0], name))
            result['user'] = public(created)
            return result
        if write.new_id and write.new_id.isdigit():
            result['user'] = dict(desired, id=int(write.new_id))
        else:
            # Firmware that does not answer the new id: read the list once more to learn it.
            created = next((u for u in list_users(client)[0] if u['name'] == name), None)
            result['user'] = public(created) if created else dict(desired, id=None)
        return result

    # Existing account: level, then password.
    before = public(current)
    after = dict(before)
    element = current['element']
    if level and level != current['level']:
        if current['id'] == '1':
            raise IsapiInputError('the built-in admin account must stay administrator '
                                  '(level %s asked)' % level, device=client.device)
        after['level'] = level
    change_password = False
    if new_password is not None and params['update_password'] == 'always':
        if name == params.get('username'):
            # This session just logged in as this account, so its password is the one the
            # session holds: no extra login (and no failed one) is needed to know.
            change_password = new_password != client.password
        else:
            change_password = not password_works(params, name, new_password, task.name)
    if after == before and not change_password:
        result['user'] = before
        result['password_changed'] = False
        return result

    result.update(changed=True, user=after, password_changed=change_password,
                  diff={'before': before, 'after': dict(after, password='(changed)')
                        if change_password else after})
    if task.check_mode:
        return result
    body = _edited(element, namespace, after, new_password if change_password else None,
                   client.password)
    own = change_password and name == params.get('username')
    # The task's own password: the client never resends it blindly and, if the answer is lost,
    # finds out with one login which password the device has; any other write is a plain
    # idempotent PUT.
    write = client.put('%s/%s' % (USERS, current['id']), body, changes_credential=own,
                       new_password=new_password if own else None)
    if own:
        # The session now holds the new credential: prove it before later tasks rely on it.
        client.get('/ISAPI/Security/userCheck')
        result['session_password_switched'] = True
        if write.answer_lost:
            task.warn('%s; logging in with the new password worked, so the change took'
                      % write.answer_lost)
    return result


def _read_back(client, name, lost):
    """The account named ``name`` as the device lists it now (None if absent), after a write
    whose answer was lost."""
    try:
        return next((u for u in list_users(client)[0] if u['name'] == name), None)
    except IsapiError as exc:
        raise IsapiError('%s, and reading the accounts back failed too (%s); run the task again '
                         'to find out' % (lost.args[0], exc.args[0]), device=client.device)


def _edited(element, namespace, after, new_password, login_password):
    """The user's own document with level/password changed and loginPassword added."""
    body = xmldoc.parse(xmldoc.serialize(element))
    if namespace and not xmldoc.namespace(body):
        body.set('xmlns', namespace)
    xmldoc.set_text(body, 'userLevel', LEVELS[after['level']])
    if new_password is not None:
        xmldoc.set_text(body, 'password', new_password)
    if login_password:
        xmldoc.set_text(body, 'loginPassword', login_password)
    return body


# The module's argument spec and run function (the module file and camfleet.hikvision.harden
# both use it).
SPEC = ModuleSpec(dict(
    name=dict(type='str', required=True),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    level=dict(type='str', choices=['administrator', 'operator', 'viewer']),
    user_password=dict(type='str', no_log=True),
    update_password=dict(type='str', default='always', choices=['always', 'on_create'],
                         no_log=False),
), run_user)
