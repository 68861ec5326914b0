# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device side of credential_import: prove a password with exactly one login."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.module_utils.device import parse_device_info
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiAuthError, IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.module_utils.onvif import onvif_login


def password_required(account, device=None):
    return IsapiInputError('password is required: the password %r has on the device today (for '
                           'example "{{ hikvision_password }}" from the vaulted inventory); nothing '
                           'was sent' % account, device=device)


def run_credential_check(task):
    """One authenticated GET. The client never repeats a refused credential, so a wrong password
    costs the device exactly one failed login and nothing follows it."""
    params = task.params
    account = params.get('username') or 'admin'
    if not params.get('password'):
        raise password_required(account)
    if params.get('onvif'):
        if not onvif_login(params, account, params['password'], name=task.name):
            raise IsapiAuthError('the ONVIF login as %r was refused (wrong password, or no such '
                                 'ONVIF account); not retried: the device locks clients after '
                                 'repeated failures' % account, device=task.name)
        return {'changed': False, 'confirmed': True,
                'msg': 'the password of the ONVIF account %r was confirmed with one ONVIF login' % account}
    info = parse_device_info(task.client.get('/ISAPI/System/deviceInfo'))
    return {'changed': False, 'confirmed': True, 'device': info,
            'msg': 'the password of %r was confirmed with one login' % (params.get('username') or 'admin')}
