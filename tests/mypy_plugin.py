"""
Tell mypy that soapbill's ``@model`` makes keyword-only attrs classes.

``soapbill._model`` shows type checkers attrs' own ``attrs.frozen`` under the
name ``model``, so that mypy's attrs plugin types a model's ``__init__``,
``attrs.fields`` and ``attrs.evolve``. That plugin reads ``kw_only`` only from
a call such as ``@attrs.frozen(kw_only=True)``; this one hands it that call
when the decorator is spelled ``@model``. Without it, a model whose required
field follows a field with a default (``Claim.patient``) is an error.

Enabled in ``pyproject.toml`` (``[tool.mypy] plugins``), as the attrs
documentation advises for wrappers of its decorators ("Extending", "Wrapping
the Decorator").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from mypy.nodes import ARG_NAMED, CallExpr, MemberExpr, NameExpr
from mypy.plugin import ClassDefContext, Plugin
from mypy.plugins.attrs import attr_class_maker_callback

# The names mypy gives attrs' frozen decorator; soapbill's model is one of them.
_FROZEN: Final = frozenset({"attrs.frozen", "attr.frozen"})


def _frozen(ctx: ClassDefContext) -> bool:
    reason = ctx.reason
    if isinstance(reason, NameExpr | MemberExpr) and reason.name == "model":
        true = NameExpr("True")
        true.fullname = "builtins.True"
        call = CallExpr(reason, [true], [ARG_NAMED], ["kw_only"])
        ctx = ClassDefContext(ctx.cls, call, ctx.api)
    # What mypy's default plugin does for attrs.frozen.
    return attr_class_maker_callback(ctx, auto_attribs_default=None, frozen_default=True)


class _ModelPlugin(Plugin):
    def get_class_decorator_hook_2(self, fullname: str) -> Callable[[ClassDefContext], bool] | None:
        return _frozen if fullname in _FROZEN else None


def plugin(_version: str) -> type[Plugin]:
    """
    The entry point mypy calls.
    """
    return _ModelPlugin
