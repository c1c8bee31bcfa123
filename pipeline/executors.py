"""Where ``sohoa run`` tasks execute: a local process pool or a Dask cluster.

Both expose the same four calls, so the scheduler in ``pipeline.batch`` has
one code path: ``submit`` (with a priority: finishing a document goes before
starting pages), ``wait_any``, ``slots`` (how many page tasks to keep in
flight) and ``close``. ``shared_fs`` says whether workers can read and write
the client's scratch folders; when it is false, page images travel as bytes.
"""
from __future__ import annotations

import atexit
import concurrent.futures as cf
import multiprocessing
import os
import signal
import sys

from pipeline.errors import BadArgsError, MissingDependencyError
from pipeline.tess_server import die_with_parent


def _local_init() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    # If `sohoa run` is killed (even with SIGKILL) its workers go too, instead of
    # finishing their page as orphans while the rerun starts new ones.
    die_with_parent()
    # Ctrl-C is the parent's to handle; workers just get shut down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker's results are written (fsynced, renamed) or sent before it is told to stop, so
    # tearing down its interpreter (OpenCV, NumPy, pandas, ... module by module) is wasted work:
    # ~0.17 CPU-s per worker per run. The pool does not read workers' exit codes.
    atexit.register(_exit_now)


def _exit_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(0)


class LocalExecutor:
    shared_fs = True

    def __init__(self, jobs: int):
        self.jobs = jobs
        # spawn, not fork: a forked child inherits OpenCV/OpenMP thread-pool locks.
        self._pool = cf.ProcessPoolExecutor(max_workers=jobs, initializer=_local_init,
                                            mp_context=multiprocessing.get_context("spawn"))

    @property
    def description(self) -> str:
        return f"local pool of {self.jobs} process{'es' if self.jobs > 1 else ''}"

    def slots(self) -> int:
        return self.jobs + 2  # a little queue so no worker waits for the scheduler

    def submit(self, fn, *args, priority: int = 0):
        return self._pool.submit(fn, *args)

    def wait_any(self, futures, timeout: float | None = None):
        done, _ = cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return done

    def release(self, future) -> None:
        pass

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


class DaskExecutor:
    """Tasks on a ``distributed`` cluster; page results stay on the workers until the document is finished."""

    shared_fs = False

    def __init__(self, address: str, timeout: float = 30.0):
        try:
            from distributed import Client
        except ImportError as exc:
            raise MissingDependencyError("Dask distributed is not installed",
                                         fix='install it with: pip install "dask[distributed]"') from exc
        try:
            self._client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise BadArgsError(f"cannot reach the Dask scheduler at {address} ({exc})",
                               fix="check the address (tcp://HOST:PORT) and that the scheduler is running")
        self.address = address
        self._threads = sum(self._client.nthreads().values())
        if self._threads == 0:
            self._client.close()
            raise BadArgsError(f"the Dask scheduler at {address} has no workers",
                               fix="start workers with: dask worker " + address)
        self.description = f"Dask cluster {address} ({self._threads} worker threads)"

    def slots(self) -> int:
        return 2 * self._threads

    def submit(self, fn, *args, priority: int = 0):
        return self._client.submit(fn, *args, priority=priority, pure=False)

    def wait_any(self, futures, timeout: float | None = None):
        from distributed import wait

        try:
            with self._client.as_current():
                done, _ = wait(list(futures), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set()
        return done

    def release(self, future) -> None:
        future.release()

    def close(self, cancel: bool = False) -> None:
        self._client.close()
