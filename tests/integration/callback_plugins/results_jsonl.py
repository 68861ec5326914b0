# Test helper: writes every task result as one JSON line to $CAMFLEET_RESULTS, so integration
# tests can assert on changed/failed flags and on what a result would show a user.
from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: results_jsonl
type: aggregate
short_description: write task results as JSON lines (tests only)
description: [Writes each task result to the file named by CAMFLEET_RESULTS.]
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'results_jsonl'
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, result, status):
        path = os.environ.get('CAMFLEET_RESULTS')
        if not path:
            return
        record = {'host': result._host.get_name(), 'task': result._task.get_name(),
                  'action': result._task.action, 'status': status,
                  'result': self._dump_safe(result._result)}
        with open(path, 'a') as f:
            f.write(json.dumps(record, default=str) + '\n')

    @staticmethod
    def _dump_safe(data):
        return json.loads(json.dumps(data, default=str))

    def v2_runner_on_ok(self, result):
        self._write(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._write(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._write(result, 'unreachable')
