# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attributes every module shares. A module states only its own C(support) levels (and
details); descriptions, the platform and the action group come from here."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # check_mode and diff_mode support differs per module, so each module sets C(support).
    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying the device.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: hikvision
'''

    # Modules that talk ISAPI share the connection options, so one module_defaults entry sets them.
    ISAPI_GROUP = r'''
attributes:
  action_group:
    description: Use C(group/camfleet.hikvision.isapi) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - camfleet.hikvision.isapi
'''

    SADP_GROUP = r'''
attributes:
  action_group:
    description: Use C(group/camfleet.hikvision.sadp) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - camfleet.hikvision.sadp
'''

    # Controller-side helpers of the roles (report, change log, port scan): no device login.
    # Used instead of DOCUMENTATION: they run on the controller, not against a device.
    CONTROLLER_GROUP = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: controller
  action_group:
    description: Use C(group/camfleet.hikvision.controller) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - camfleet.hikvision.controller
'''
