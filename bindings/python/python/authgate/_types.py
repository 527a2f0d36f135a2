"""The shapes of a decision request, for type checkers: the two forms of an
``authgate eval`` line, as ``Policy.decide_many`` takes them."""

from typing import TypedDict, Union


class InstanceRequest(TypedDict):
    """A declared instance asks about an endpoint."""

    instance: str
    endpoint: str


class _RuntimeRequest(TypedDict):
    connector: str
    auth: str
    endpoint: str


class RuntimeRequest(_RuntimeRequest, total=False):
    """A runtime instance (a connector and one of its auth methods) asks
    about an endpoint, holding ``scopes`` (none when left out)."""

    scopes: list[str]


Request = Union[InstanceRequest, RuntimeRequest]
"""Either form of a request."""
