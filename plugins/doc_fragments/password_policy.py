# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of generated passwords, shared by every module that generates one (activate,
rotate_password, recovery_reset); the argument spec is module_utils.store_options.POLICY_ARGSPEC."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  password_policy:
    description:
      - Rules for the passwords this task generates. The defaults meet the device policy with a
        margin.
    type: dict
    suboptions:
      length:
        description: Length of the generated password (between O(password_policy.min_length) and O(password_policy.max_length), at least 8). Default V(16).
        type: int
      min_length:
        description: Shortest password the devices accept. Default V(8).
        type: int
      max_length:
        description: Longest password the devices accept (C(LoginPasswordLenLimit); 16 on most firmware). Default V(16).
        type: int
      min_classes:
        description: Character classes (digits, lower-case, upper-case, special) the password has at least, V(2) to V(4). Default V(3).
        type: int
      specials:
        description:
          - The special characters to draw from; empty for letters and digits only.
          - "White space, C(< > & \" ' \\ % + : / ? # @) and backquote, control characters and
            non-ASCII characters are refused: they do not survive every way a password reaches a
            device (XML bodies, query strings, RTSP URLs, the 16-byte length limit)."
          - Default V(-_.~!*^=,;$).
        type: str
'''
