"""authgate: is endpoint E available to instance I, and why?

A compiled policy engine for the auth methods of integration connectors,
the same library as the ``authgate`` command-line tool::

    import authgate

    policy = authgate.load("rules")   # paths as the CLI takes them; authgate.toml honoured
    d = policy.decide(instance="instance 2", endpoint="orders")
    d.available, d.reason             # False, "instance `instance 2` authenticates with ..."
    policy.decide(connector="shop", auth="basic", endpoint="orders")
    policy.decide(connector="hubspot", auth="oauth", scopes=["contacts.read"], endpoint="GET /contacts")
    policy.visible(instance="instance 1")
    policy.decide_many([{"instance": "instance 1", "endpoint": "orders"}])
    policy.digest                     # "sha256:...", as `authgate digest`

Rules with errors raise :class:`RulesError` (a ``ValueError``) carrying every
:class:`Diagnostic`. A :class:`Policy` is immutable and safe to share across
threads; ``decide_many`` releases the GIL while it decides.
"""

from ._authgate import Decision, Diagnostic, Policy, RulesError, __version__, load
from ._types import InstanceRequest, Request, RuntimeRequest

__all__ = [
    "Decision",
    "Diagnostic",
    "InstanceRequest",
    "Policy",
    "Request",
    "RulesError",
    "RuntimeRequest",
    "__version__",
    "load",
]
