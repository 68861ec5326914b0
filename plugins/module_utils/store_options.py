# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option specs of the credential store and the password generator, as plain data.

Here (and not with the store in plugin_utils) because a module's argument spec must be importable
wherever the module runs; the store itself is controller-only and the action plugins remove these
options before a module is shipped. Documented in the doc fragment
camfleet.hikvision.credential_store.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

BACKENDS = ('file', 'vault')

# name -> (environment variables, first set wins; default; type)
SETTINGS = {
    'backend': (('HIKVISION_STORE_BACKEND',), 'file', 'str'),
    'path': (('HIKVISION_STORE_PATH',), None, 'path'),
    'vault_password_file': (('HIKVISION_STORE_VAULT_PASSWORD_FILE',), None, 'path'),
    'vault_id': (('HIKVISION_STORE_VAULT_ID',), None, 'str'),
    'url': (('HIKVISION_STORE_URL', 'VAULT_ADDR', 'BAO_ADDR'), None, 'str'),
    'token': (('HIKVISION_STORE_TOKEN', 'VAULT_TOKEN', 'BAO_TOKEN'), None, 'str'),
    'mount': (('HIKVISION_STORE_MOUNT',), 'secret', 'str'),
    'prefix': (('HIKVISION_STORE_PREFIX',), 'camfleet/hikvision', 'str'),
    'ca_path': (('HIKVISION_STORE_CA_PATH', 'VAULT_CACERT', 'BAO_CACERT'), None, 'path'),
    'namespace': (('HIKVISION_STORE_NAMESPACE', 'VAULT_NAMESPACE', 'BAO_NAMESPACE'), None, 'str'),
    'timeout': (('HIKVISION_STORE_TIMEOUT',), 30, 'int'),
    'keep_previous': (('HIKVISION_STORE_KEEP_PREVIOUS',), 5, 'int'),
}

# No defaults in the spec: a missing key falls back to the environment when the store is opened,
# which a default would shadow.
STORE_ARGSPEC = dict(
    type='dict',
    options=dict((name, dict(type=kind, no_log=(name == 'token')))
                 for name, (dummy, dummy2, kind) in SETTINGS.items()),
)
STORE_ARGSPEC['options']['backend']['choices'] = list(BACKENDS)

POLICY_ARGSPEC = dict(type='dict', no_log=False, options=dict(
    length=dict(type='int'), min_length=dict(type='int'), max_length=dict(type='int'),
    min_classes=dict(type='int'), specials=dict(type='str')))
