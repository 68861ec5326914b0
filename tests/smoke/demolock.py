"""The demo fleet (emulator/fleets/demo.yml) has fixed addresses (127.20.x.y). Tests that start it
take this lock, so that pytest-xdist workers of one run never start it twice at once."""
import contextlib
import fcntl


@contextlib.contextmanager
def demo_fleet_lock(tmp_path_factory):
    # The parent of the basetemp is shared by all workers of one pytest session.
    path = tmp_path_factory.getbasetemp().parent / 'camfleet-demo-fleet.lock'
    with open(str(path), 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
