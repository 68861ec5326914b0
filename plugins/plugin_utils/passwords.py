# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Passwords that meet the device policy, generated with ``secrets``.

The device policy (docs/developer/isapi-reference.md, §6.4): 8 to 16 characters by the
``LoginPasswordLenLimit`` capability, at least two character classes (three make a "strong"
password, fewer are flagged ``riskPassword``), not the user name (``userPwdNameSame``) nor the
user name reversed (``userPwdNameMirror``). The generator is stricter than the device: at least
three classes, and the user name and its reverse must not occur anywhere in the password.

Characters the generator never uses, even when asked to (the ``specials`` option):
  * anything outside printable ASCII: the length limit is a byte count (the SDK's
    ``MAX_PASS_LEN`` 16-byte buffer, docs/developer/sadp-reference.md, §3.3), so a multi-byte
    UTF-8 character would make a 16-character password too long for the device;
  * NUL and other control characters: activation zero-pads the password before AES and the
    device strips trailing zero bytes (docs/developer/isapi-reference.md, §3.4), and the
    ``activate`` module refuses control characters;
  * white space, ``< > &`` and quotes: the password travels inside XML element text (users,
    NVR channels, activation, SADP); the web UI escapes only ``& < >`` and the vendor's SDK
    demos none (docs/developer/recovery-reference.md, §2.3), so those characters do not survive
    every tool that may have to type or send the password;
  * backslash, ``%``, ``+``, ``:``, ``/``, ``?``, ``#`` and ``@``: passwords go into query
    strings (``loginPassword=``, docs/developer/isapi-reference.md, §6.1) and into
    ``rtsp://user:password@host/`` URLs of video management systems, where they are cut or
    decoded wrongly.
The default special characters are therefore ``-_.~!*^=,;$``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import secrets
import string

from ansible_collections.camfleet.hikvision.plugins.module_utils.device import password_problems
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError

DEFAULT_SPECIALS = '-_.~!*^=,;$'
NEVER = set(' \t\r\n<>&"\'\\%+:/?#@`')
DEVICE_MIN, DEVICE_MAX = 8, 16

DEFAULT_POLICY = {
    'length': 16,
    'min_length': DEVICE_MIN,
    'max_length': DEVICE_MAX,
    'min_classes': 3,
    'specials': DEFAULT_SPECIALS,
}

MAX_TRIES = 1000


def classes_of(password):
    return sum((
        any(c in string.digits for c in password),
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(not c.isalnum() for c in password),
    ))


def resolve_policy(given=None):
    """The complete, checked policy; IsapiInputError naming the field otherwise."""
    policy = dict(DEFAULT_POLICY)
    for key, value in (given or {}).items():
        if key not in policy:
            raise IsapiInputError('password_policy has no setting %r; known: %s' % (
                key, ', '.join(sorted(policy))))
        if value is not None:
            policy[key] = value
    low, high, length = policy['min_length'], policy['max_length'], policy['length']
    if not 1 <= low <= high:
        raise IsapiInputError('password_policy.min_length (%d) must be 1 or more and at most '
                              'max_length (%d)' % (low, high))
    if not low <= length <= high:
        raise IsapiInputError('password_policy.length must be between min_length %d and '
                              'max_length %d (got %d)' % (low, high, length))
    if length < DEVICE_MIN:
        raise IsapiInputError('password_policy.length must be at least %d: devices refuse shorter '
                              'passwords (userPwdLenUnder8)' % DEVICE_MIN)
    if policy['min_classes'] not in (2, 3, 4):
        raise IsapiInputError('password_policy.min_classes must be 2, 3 or 4 (got %r); devices '
                              'refuse a single class' % policy['min_classes'])
    specials = policy['specials'] or ''
    bad = sorted(set(c for c in specials if c in NEVER or not (32 < ord(c) < 127) or c.isalnum()))
    if bad:
        raise IsapiInputError('password_policy.specials must not contain %s: letters and digits are '
                              'classes of their own, and these characters do not survive the '
                              'ways devices and tools carry a password' % ' '.join(repr(c) for c in bad))
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits]
    if specials:
        pools.append(''.join(sorted(set(specials))))
    if policy['min_classes'] > len(pools):
        raise IsapiInputError('password_policy.min_classes is %d but specials is empty: only %d '
                              'classes are available' % (policy['min_classes'], len(pools)))
    if length < len(pools):
        raise IsapiInputError('password_policy.length %d is too short to hold one character of '
                              'each of %d classes' % (length, len(pools)))
    policy['specials'] = pools[3] if specials else ''
    policy['pools'] = pools
    return policy


def problems(password, username, policy):
    """Why ``password`` breaks the (resolved) policy, or None."""
    if not policy['min_length'] <= len(password) <= policy['max_length']:
        return 'length %d outside %d-%d' % (len(password), policy['min_length'], policy['max_length'])
    if classes_of(password) < policy['min_classes']:
        return 'fewer than %d character classes' % policy['min_classes']
    allowed = set(''.join(policy['pools']))
    if any(c not in allowed for c in password):
        return 'a character outside the allowed set'
    if username:
        low = password.lower()
        if username.lower() in low or username.lower()[::-1] in low:
            return 'contains the user name or its reverse'
    return password_problems(password, username=username or None,
                             min_len=min(policy['min_length'], DEVICE_MIN),
                             max_len=max(policy['max_length'], DEVICE_MAX))


def generate(username, policy=None, avoid=()):
    """A new password for ``username``: meets the policy, differs from every one in ``avoid``
    (the account's current, pending and previous passwords). Never logged."""
    policy = policy if policy and 'pools' in policy else resolve_policy(policy)
    pools = policy['pools']
    everything = ''.join(pools)
    rng = secrets.SystemRandom()
    for dummy in range(MAX_TRIES):
        chars = [secrets.choice(pool) for pool in pools]
        chars += [secrets.choice(everything) for dummy2 in range(policy['length'] - len(chars))]
        rng.shuffle(chars)
        candidate = ''.join(chars)
        if problems(candidate, username, policy) is None and candidate not in avoid:
            return candidate
    raise IsapiInputError('could not generate a password for %r meeting password_policy in %d '
                          'tries: the user name leaves too few choices; lengthen the password or '
                          'widen specials' % (username, MAX_TRIES))
