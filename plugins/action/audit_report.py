# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""camfleet.hikvision.audit_report: judges the gathered device records against the control catalog
on the controller and writes the JSON, JUnit XML and HTML reports (logic in plugin_utils/audit.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.camfleet.hikvision.plugins.plugin_utils import audit, audit_report

OUTPUTS = (('json', 'audit.json', audit_report.to_json), ('junit', 'audit-junit.xml', audit_report.to_junit),
           ('html', 'audit.html', audit_report.to_html))


def findings(report):
    """What the audit found, without what moves between runs of an unchanged fleet (when it ran,
    measured values such as clock drift)."""
    return [(d['name'], d['unreachable'], sorted((c['id'], c['status']) for c in d['controls']),
             sorted(c['cve'] for c in d['cves']),
             sorted(((d.get('recovery') or {}).get('methods') or {}).items()),
             sorted((d.get('log') or {}).get('flags') or []))
            for d in report['devices']]


def _same_findings(path, report):
    """Whether the report on disk found the same: then the files are left alone and the task
    reports no change, so re-auditing an unchanged fleet changes nothing."""
    try:
        with open(path) as f:
            old = json.load(f)
        before, after = findings(old), findings(json.loads(audit_report.to_json(report)))
    except (OSError, ValueError, KeyError, TypeError):
        return False
    # The log review covers the window since the last written report; a window with nothing to
    # flag is nothing new. Counting it as a change would rewrite the report without the earlier
    # window's flags (a drift or reset the last run found would vanish from it) and make every
    # re-audit of an unchanged fleet report a change. Unwritten, the report keeps its flags and
    # its window end, so the next review starts where this one did.
    return len(before) == len(after) and all(
        b[:-1] == a[:-1] and (not a[-1] or a[-1] == b[-1]) for b, a in zip(before, after, strict=True))


def read_reports(paths):
    """The audit.json files to merge; one that is missing or not an audit report fails the task
    (a merged report silently short of a slice would look complete)."""
    reports = []
    for path in paths:
        try:
            with open(os.path.expanduser(path)) as f:
                report = json.load(f)
            if not isinstance(report, dict) or not isinstance(report.get('devices'), list):
                raise ValueError('no devices list')
        except (OSError, ValueError) as exc:
            raise AnsibleActionFail('merge: %s is not an audit report (audit.json) of this role: %s'
                                    % (path, exc))
        reports.append(report)
    return reports


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('records', 'catalog', 'firmware_baseline', 'cves', 'dest',
                             'expected_log_events', 'expected_log_sources', 'failed_login_threshold',
                             'merge'))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        if not audit.HAS_JMESPATH:
            raise AnsibleActionFail('the audit needs the Python library jmespath on the controller: '
                                    'pip install jmespath (it is in requirements.txt)')
        required = ('dest',) if args.get('merge') else ('records', 'catalog', 'dest')
        for key in required:
            if args.get(key) is None:
                raise AnsibleActionFail('%s is required' % key)
        # Plain JSON types: JMESPath checks types by name, and templated values arrive as Ansible's
        # own tagged subclasses of list/dict/str.
        args = json.loads(json.dumps(dict(args), default=str))
        try:
            review = dict(expected_events=args.get('expected_log_events') or (),
                          expected_sources=args.get('expected_log_sources') or (),
                          failed_login_threshold=int(args.get('failed_login_threshold') or 0))
            report = audit.audit_fleet(args.get('records') or [], args.get('catalog') or [],
                                       args.get('firmware_baseline') or {}, args.get('cves') or [],
                                       review=review, merged=read_reports(args.get('merge') or []))
        except ValueError as exc:
            raise AnsibleActionFail(str(exc))
        dest = os.path.abspath(os.path.expanduser(args['dest']))
        files = dict((kind, os.path.join(dest, name)) for kind, name, _render in OUTPUTS)
        changed = not _same_findings(files['json'], report)
        if changed and not self._task.check_mode:
            os.makedirs(dest, exist_ok=True)
            for kind, name, render in OUTPUTS:
                with open(files[kind], 'w') as f:
                    f.write(render(report))
        result.update(changed=changed, files=files, totals=report['totals'],
                      failing_devices=report['failing_devices'], device_count=report['device_count'],
                      devices=dict((d['name'], d['counts']) for d in report['devices']))
        return result
