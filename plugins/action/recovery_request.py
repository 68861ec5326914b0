# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs camfleet.hikvision.recovery_request in-process on the controller (see plugin_utils/isapi_action.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.modules.recovery_request import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.isapi_action import IsapiActionBase


class ActionModule(IsapiActionBase):
    SPEC = SPEC
