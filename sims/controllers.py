"""Student-written controllers: loading them from source and reporting their errors readably.

Built-in controllers belong to their engine (see `builtin_controller` in sims/engines/*), because
what they read and command is engine-specific. This module only deals with code written by people.
"""

from __future__ import annotations

import builtins
import linecache
import traceback
from types import TracebackType
from typing import Any

from sims.engines import Controller

#: The file name students see in tracebacks; the sandbox writes their code under this name too.
STUDENT_FILENAME = "controller.py"


class StudentCodeError(Exception):
    """The student's controller failed: `message` is a traceback limited to their own lines."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load_student_controller(
    source: str, *, entry: str = "control", filename: str = STUDENT_FILENAME
) -> Controller:
    """Compile `source` and return its `entry` function.

    Raises StudentCodeError for a syntax error (with the student's line and a caret), for an
    exception raised while the module body runs, or when `entry` is missing or not callable.
    """
    # Registering the source lets traceback print the student's line even though no file exists.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise StudentCodeError(format_syntax_error(exc)) from None
    namespace: dict[str, Any] = {"__name__": "student_controller", "__builtins__": builtins}
    try:
        exec(code, namespace)  # noqa: S102 - running the student's code is the point; see sandbox.py
    except Exception as exc:  # any failure in their module body is theirs to fix
        raise StudentCodeError(format_student_traceback(exc, filename)) from None
    function = namespace.get(entry)
    if not callable(function):
        raise StudentCodeError(
            f"{filename}: define a function `def {entry}(sensors, state):` that returns the "
            "motor command; none was found."
        )
    return function  # type: ignore[no-any-return]


def format_syntax_error(exc: SyntaxError) -> str:
    """Render a SyntaxError the way Python does, without any frame of ours."""
    return "".join(traceback.format_exception_only(type(exc), exc)).rstrip()


def format_student_traceback(exc: BaseException, filename: str = STUDENT_FILENAME) -> str:
    """A traceback showing only the frames in the student's file, then the error itself."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    lines = ["Traceback (most recent call last, your code only):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines).rstrip()


def raised_in_student_code(exc: BaseException, filename: str = STUDENT_FILENAME) -> bool:
    """True when any frame of the exception's traceback is in the student's file."""
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            return True
        tb = tb.tb_next
    return False
