r"""
Text meant for a terminal or for print, made safe to show.

A claim's free text (a name, an address, an id) may hold any character. Shown
as it is, a line break or a ``U+2028`` starts a line the layout did not write
(a patient's name could add a fake ``28 TOTAL CHARGE`` row to a CMS-1500), an
ANSI escape (``ESC [``) drives the terminal, and a NUL ends the text for some
readers. :func:`printable` turns every such character into a space, so that the
only line breaks left are the layout's own.

Every writer of such text uses it: the CMS-1500 boxes and text, the superbill,
and everything the command line prints from its input.

>>> printable("DOE\n28    TOTAL CHARGE\x1b[2J")
'DOE 28    TOTAL CHARGE [2J'
"""

from __future__ import annotations

from typing import Final

__all__ = ["CONTROLS", "printable"]

#: The code points of Unicode's control characters (category ``Cc``: C0, DEL
#: and C1) and of its line and paragraph separators (``Zl``, ``Zp``). The
#: ``Cc`` set is fixed by Unicode's stability policy; ``Zl`` and ``Zp`` have
#: held only these two since Unicode 1.1 (Unicode Standard, section 4.5).
CONTROLS: Final = frozenset((*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029))
_TO_SPACE: Final = dict.fromkeys(CONTROLS, " ")


def printable(text: str) -> str:
    """
    Return *text* with each character of :data:`CONTROLS` replaced by a space.

    The result has as many characters as *text*, so column layouts hold.
    """
    # str.isprintable() is False for every character of CONTROLS (and for
    # others we keep): most text takes this quick way out unchanged.
    if text.isprintable():
        return text
    return text.translate(_TO_SPACE)
