"""Errors that services raise and every interface turns into a clear message.

A ``ValidationFailed`` carries one message per field path, e.g. ``("requirements", 0, "length")``; pages show
them in the GOV.UK error summary, the API as problem+json with the same paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldError:
    path: FieldPath
    message: str

    @property
    def dotted(self) -> str:
        return ".".join(str(p) for p in self.path)


class DomainError(Exception):
    """Base for errors a user can act on."""


class ValidationFailed(DomainError):
    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: Sequence[FieldError] = tuple(errors)
        super().__init__("; ".join(f"{e.dotted}: {e.message}" for e in self.errors))

    @classmethod
    def single(cls, path: FieldPath | str, message: str) -> ValidationFailed:
        return cls([FieldError((path,) if isinstance(path, str) else path, message)])


class NotFound(DomainError):
    """The thing does not exist, or the user may not see it (we never say which)."""


class VersionConflict(DomainError):
    """Someone else changed the record since the client read it."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            f"The record was changed by someone else (now version {current_version}). "
            "Reload it and make your change again."
        )


class PermissionDenied(DomainError):
    """The user may see the record but not make this change."""


class Collector:
    """Gathers field errors so a service can report every problem at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, path: FieldPath | str, message: str) -> None:
        self.errors.append(FieldError((path,) if isinstance(path, str) else path, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
