"""Fleets with fixed addresses (the demo fleet's 127.20.x.y, the CI guide's 127.40.0.0/16) must
not run twice at once. Tests that start one take its lock, so that pytest-xdist workers of one
run take turns."""
import contextlib
import fcntl


@contextlib.contextmanager
def fleet_lock(tmp_path_factory, name):
    # The parent of the basetemp is shared by all workers of one pytest session.
    path = tmp_path_factory.getbasetemp().parent / ('camfleet-%s.lock' % name)
    with open(str(path), 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
