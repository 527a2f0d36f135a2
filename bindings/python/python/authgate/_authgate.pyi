# The extension module's types, reviewed by hand against src/ (maturin
# generates stubs only from PyO3's experimental introspection).
import os
from collections.abc import Iterable
from typing import Final, Union, final, overload

from ._types import Request

__all__ = ["Decision", "Diagnostic", "Policy", "RulesError", "__version__", "load"]

__version__: Final[str]

_Path = Union[str, os.PathLike[str]]
_Scopes = Union[list[str], tuple[str, ...]]

def load(
    paths: Union[_Path, Iterable[_Path], None] = None,
    *,
    config: Union[_Path, None] = None,
    max_file_size: Union[int, None] = None,
) -> Policy:
    """Loads a rule set from paths as the `authgate` CLI does (folders searched
    for `*.gate` files, sorted; `authgate.toml` found by walking up from the
    working directory, or given as `config`, for the default rule set and the
    lint levels) and compiles it.

    Raises `RulesError` when the rules have errors, `OSError`
    (`FileNotFoundError` for a missing path) when they can't be read."""

@final
class Diagnostic:
    """One problem in the rules, as `authgate check --format json` reports it."""

    @property
    def code(self) -> str:
        """`authgate::<name>`."""
    @property
    def severity(self) -> str:
        """`"error"` or `"warning"`."""
    @property
    def message(self) -> str: ...
    @property
    def file(self) -> Union[str, None]: ...
    @property
    def line(self) -> Union[int, None]:
        """1-based line of the primary label."""
    @property
    def column(self) -> Union[int, None]:
        """1-based column (in characters) of the primary label."""
    @property
    def help(self) -> Union[str, None]: ...
    def __new__(
        cls,
        code: str,
        severity: str,
        message: str,
        file: Union[str, None] = None,
        line: Union[int, None] = None,
        column: Union[int, None] = None,
        help: Union[str, None] = None,
    ) -> Diagnostic: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

class RulesError(ValueError):
    """The rules have errors: nothing evaluates them. `str()` is the plain
    report `authgate check` prints."""

    diagnostics: list[Diagnostic]
    """Every diagnostic of the run, errors and warnings."""

@final
class Decision:
    """One answer: whether the endpoint is available, and why."""

    @property
    def available(self) -> bool: ...
    @property
    def reason(self) -> str:
        """The reason `authgate eval` gives, written when read."""
    @property
    def instance(self) -> Union[str, None]:
        """The declared instance asked about, if one was."""
    @property
    def connector(self) -> Union[str, None]:
        """The runtime instance's connector, if one was asked about."""
    @property
    def auth(self) -> Union[str, None]:
        """The runtime instance's auth method, if one was asked about."""
    @property
    def endpoint(self) -> str: ...
    @property
    def scopes(self) -> Union[tuple[str, ...], None]:
        """The scopes the runtime instance held, as given; `None` when none
        were given."""
    @property
    def item(self) -> Union[str, None]:
        """For a decision by scopes, the item that granted the endpoint or
        came closest (`oauth("contacts.write")`); `None` otherwise."""
    @property
    def missing_scopes(self) -> Union[list[str], None]:
        """For a refusal by scopes, the scopes missing from `item`."""
    def to_dict(self) -> dict[str, Union[str, bool, list[str]]]:
        """The answer as `authgate eval` prints it (with `item` and
        `missing_scopes` for a decision by scopes)."""

@final
class Policy:
    """A compiled rule set: immutable, safe to share across threads."""

    @staticmethod
    def from_source(text: Union[str, bytes], filename: str = "<string>") -> Policy:
        """Compiles rules held in memory, one file called `filename`."""
    @overload
    def decide(self, *, instance: str, endpoint: str) -> Decision: ...
    @overload
    def decide(
        self, *, connector: str, auth: str, endpoint: str, scopes: Union[_Scopes, None] = None
    ) -> Decision:
        """A runtime instance holds `scopes` (none when left out); a scope its
        method does not declare grants nothing. `scopes` that is not a list
        (or tuple) of `str`, or beside `instance`, raises `TypeError`."""
    def decide_many(
        self, requests: Iterable[Union[Request, dict[str, str], dict[str, Union[str, list[str]]]]]
    ) -> list[Decision]:
        """Decides every request, in order, with the GIL released while
        deciding. A malformed request raises `TypeError` naming it."""
    @overload
    def visible(self, *, instance: str) -> list[str]: ...
    @overload
    def visible(self, *, connector: str, auth: str, scopes: Union[_Scopes, None] = None) -> list[str]: ...
    @property
    def digest(self) -> str:
        """`sha256:<hex>`, as `authgate digest` prints it."""
    @property
    def warnings(self) -> list[Diagnostic]: ...
