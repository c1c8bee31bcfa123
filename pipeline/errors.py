"""Typed errors and the exit codes they map to.

Every error a user can cause names the file at fault and says what to do.
The codes follow OCRmyPDF's so scripts written for one read the other; they
are documented in the README ("Exit codes").
"""
from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    OK = 0
    BAD_ARGS = 1
    INPUT_FILE = 2
    MISSING_DEPENDENCY = 3
    OUTPUT_FILE = 5
    CHILD_PROCESS = 7
    ENCRYPTED_PDF = 8
    OTHER = 15
    INTERRUPTED = 130


class SohoaError(Exception):
    """Base class: ``str(err)`` is the one line shown to the user."""

    exit_code: ExitCode = ExitCode.OTHER

    def __init__(self, what: str, *, path: str | Path | None = None, fix: str | None = None):
        self.what = what
        self.path = str(path) if path is not None else None
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        head = f"{self.path}: {self.what}" if self.path else self.what
        return f"{head} — {self.fix}" if self.fix else head


class BadArgsError(SohoaError):
    exit_code = ExitCode.BAD_ARGS


class InputFileError(SohoaError):
    """The input cannot be read as what it claims to be."""

    exit_code = ExitCode.INPUT_FILE


class CorruptPdfError(InputFileError):
    pass


class EmptyInputError(InputFileError):
    pass


class UnreadableImageError(InputFileError):
    pass


class NotUtf8Error(InputFileError):
    pass


class MalformedTableError(InputFileError):
    """A text export whose table cannot be parsed; ``line`` is 1-based."""

    def __init__(self, what: str, *, path: str | Path | None = None, line: int | None = None,
                 fix: str | None = None):
        self.line = line
        where = f"{path}:{line}" if path is not None and line is not None else path
        super().__init__(what, path=where, fix=fix)


class EncryptedPdfError(SohoaError):
    exit_code = ExitCode.ENCRYPTED_PDF


class MissingDependencyError(SohoaError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class OutputError(SohoaError):
    exit_code = ExitCode.OUTPUT_FILE


class ChildProcessError_(SohoaError):
    """An external program (Tesseract, poppler) failed or timed out on a page."""

    exit_code = ExitCode.CHILD_PROCESS


class StageError(SohoaError):
    """A plugged-in stage (OCR repair, tables) failed on a document; the OCR outputs were kept."""


# Readable alias; the trailing underscore only avoids shadowing the builtin.
ExternalProgramError = ChildProcessError_
