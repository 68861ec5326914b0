"""Rotation decisions that need no device: an account's age from the store's history, and
whether a pending password belongs to a run that is still alive."""
import datetime
import os
import socket
import subprocess
import sys

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.rotation import (
    PENDING_TIMEOUT, age_days, owned_by_live_run,
)

NOW = datetime.datetime(2026, 12, 3, 7, 0, 0, tzinfo=datetime.timezone.utc)


def stamp(delta):
    return (NOW - delta).strftime('%Y-%m-%dT%H:%M:%SZ')


def test_age_counts_from_promotion_else_from_setting():
    assert age_days({'set_at': stamp(datetime.timedelta(days=10)),
                     'promoted_at': stamp(datetime.timedelta(days=2))}, now=NOW) == 2.0
    assert age_days({'set_at': stamp(datetime.timedelta(hours=12))}, now=NOW) == 0.5
    assert age_days(None) is None and age_days({'set_at': 'garbage'}) is None


def test_pending_of_a_live_local_run_is_owned_an_ended_one_is_not():
    child = subprocess.Popen([sys.executable, '-c', 'pass'])
    child.wait()
    host = socket.gethostname()
    old = stamp(datetime.timedelta(days=3))
    recent = stamp(datetime.timedelta(seconds=30))
    assert owned_by_live_run({'run_id': 'pid-%d@%s' % (os.getpid(), host), 'set_at': recent}, 'me', now=NOW)
    # past the timeout a live pid is taken to be reused by another process
    assert not owned_by_live_run({'run_id': 'pid-%d@%s' % (os.getpid(), host), 'set_at': old}, 'me', now=NOW)
    assert not owned_by_live_run({'run_id': 'pid-%d@%s' % (child.pid, host), 'set_at': stamp(
        datetime.timedelta(seconds=5))}, 'me', now=NOW)
    assert not owned_by_live_run({'run_id': 'me', 'set_at': stamp(datetime.timedelta(0))}, 'me', now=NOW)


def test_pending_of_another_controller_or_awx_job_is_owned_until_the_timeout():
    fresh = stamp(datetime.timedelta(seconds=PENDING_TIMEOUT - 60))
    stale = stamp(datetime.timedelta(seconds=PENDING_TIMEOUT + 60))
    assert owned_by_live_run({'run_id': '4711', 'set_at': fresh}, 'me', now=NOW)
    assert not owned_by_live_run({'run_id': '4711', 'set_at': stale}, 'me', now=NOW)
    assert owned_by_live_run({'run_id': 'pid-1@other-host', 'set_at': fresh}, 'me', now=NOW)
