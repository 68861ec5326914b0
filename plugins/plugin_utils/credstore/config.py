# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Store settings: resolution of the ``store`` dict against the one table of names, environment
fallbacks and defaults (module_utils/store_options.py).

Every plugin that uses the store takes the same ``store`` dict; a key it leaves out falls back to
the environment variables listed in that table, then to the default. The doc fragment
camfleet.hikvision.credential_store documents the same table (a unit test keeps them equal).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.module_utils.store_options import (
    BACKENDS, SETTINGS,
)

# The inventory/play variable a task falls back to when it has no ``store`` option.
STORE_VAR = 'camfleet_credential_store'


def resolve_settings(given=None, environ=None):
    """The complete settings: given keys, then environment fallbacks, then defaults.

    ``given`` is the ``store`` dict of a task or lookup (None values count as not given).
    Raises IsapiInputError naming the key and the fix for anything unusable.
    """
    environ = os.environ if environ is None else environ
    given = dict(given or {})
    unknown = sorted(set(given) - set(SETTINGS))
    if unknown:
        raise IsapiInputError('store has unknown setting(s) %s; known: %s' % (
            ', '.join(unknown), ', '.join(sorted(SETTINGS))))
    settings = {}
    for name, (env_names, default, kind) in SETTINGS.items():
        value = given.get(name)
        source = 'store.%s' % name
        if value is None or value == '':
            value = default
            for env in env_names:
                if environ.get(env):
                    value, source = environ[env], env
                    break
        settings[name] = _typed(value, kind, source)
    if settings['backend'] not in BACKENDS:
        raise IsapiInputError('store.backend must be one of %s (got %r)' % (
            ', '.join(BACKENDS), settings['backend']))
    if settings['keep_previous'] < 0:
        raise IsapiInputError('store.keep_previous must be 0 or more (got %d)' % settings['keep_previous'])
    if settings['backend'] == 'file' and not settings['path']:
        raise IsapiInputError('the file credential store needs a directory: set store.path (or '
                              'HIKVISION_STORE_PATH) to the directory that holds one vault file '
                              'per device')
    if settings['backend'] == 'vault':
        if not settings['url']:
            raise IsapiInputError('the vault credential store needs its address: set store.url '
                                  '(or HIKVISION_STORE_URL / VAULT_ADDR / BAO_ADDR)')
        if not settings['token']:
            raise IsapiInputError('the vault credential store needs a token: set store.token '
                                  '(or HIKVISION_STORE_TOKEN / VAULT_TOKEN / BAO_TOKEN)')
    return settings


def _typed(value, kind, source):
    if value is None:
        return None
    if kind == 'int':
        try:
            return int(value)
        except (TypeError, ValueError):
            raise IsapiInputError('%s must be a whole number (got %r)' % (source, value))
    value = str(value)
    if kind == 'path':
        value = os.path.abspath(os.path.expanduser(value))
    return value
