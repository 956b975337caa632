"""The per-file time limit of the batch workers: `time_limit(seconds)` raises `FileTimeout` in this thread."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class FileTimeout(BaseException):
    """Raised inside a worker when one file exceeds its time limit. A BaseException, like KeyboardInterrupt,
    so that the readers' `except Exception` (a corrupt file) cannot mistake it or swallow it."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `FileTimeout` in this thread after `seconds`.

    In the main thread (local joblib workers) a POSIX SIGALRM does it. Other threads (Dask runs tasks in
    worker threads) cannot take signals: there a timer thread sets an asynchronous exception on this thread
    (`PyThreadState_SetAsyncExc`). Either way the exception is raised when control is back in Python code, so
    a single C call that never returns (a regex, a PDF page) is not cut short."""
    if not seconds:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            yield
    else:
        with _async_alarm(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def _raise(signum: int, frame: object) -> None:
        raise FileTimeout(f"took longer than the {seconds:g} s time limit")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _async_alarm(seconds: float) -> Iterator[None]:
    import ctypes

    class _Expired(FileTimeout):  # the C API raises a type, instantiated without arguments
        def __init__(self) -> None:
            super().__init__(f"took longer than the {seconds:g} s time limit")

    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    done = fired = False

    def _fire() -> None:
        nonlocal fired
        with lock:
            if not done:
                fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(_Expired))

    timer = threading.Timer(seconds, _fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            done = True
            if fired:  # fired but perhaps not yet raised: clear what is still pending
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)
        timer.cancel()
