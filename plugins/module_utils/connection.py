# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every module shares, each with an environment fallback.

Documented once, in the doc fragment camfleet.hikvision.connection.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.camfleet.hikvision.plugins.module_utils.client import IsapiClient

ENV_PREFIX = 'HIKVISION_'


def _env(name):
    return (env_fallback, [ENV_PREFIX + name])


CONNECTION_ARGSPEC = dict(
    host=dict(type='str', required=True, fallback=_env('HOST')),
    port=dict(type='int', fallback=_env('PORT')),
    scheme=dict(type='str', default='https', choices=['https', 'http'], fallback=_env('SCHEME')),
    username=dict(type='str', default='admin', fallback=_env('USERNAME')),
    password=dict(type='str', no_log=True, fallback=_env('PASSWORD')),
    validate_certs=dict(type='bool', default=True, fallback=_env('VALIDATE_CERTS')),
    ca_path=dict(type='path', fallback=_env('CA_PATH')),
    timeout=dict(type='int', default=30, fallback=_env('TIMEOUT')),
    allow_insecure_basic_auth=dict(type='bool', default=False,
                                   fallback=_env('ALLOW_INSECURE_BASIC_AUTH')),
)


def client_from_params(params, name=None):
    """An IsapiClient for the task's connection options."""
    return IsapiClient(
        host=params['host'], port=params.get('port'), scheme=params.get('scheme') or 'https',
        username=params.get('username') or 'admin', password=params.get('password'),
        validate_certs=params.get('validate_certs', True), ca_path=params.get('ca_path'),
        timeout=params.get('timeout') or 30,
        allow_insecure_basic_auth=params.get('allow_insecure_basic_auth', False), name=name)
