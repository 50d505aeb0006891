"""The stale-save check the workflow services share."""
from __future__ import annotations

from flask_babel import gettext as _

from coordination.refusals import Stale


def check_version(obj, expected_version: int | None, what_changed) -> None:
    """Refuse a save based on a stale page.

    ``expected_version`` is the version the user's form was rendered with;
    ``what_changed`` describes the object as it is now, for the message.
    The ``version_id_col`` of the mapper catches the rarer race between two
    saves at the same moment.
    """
    if expected_version is not None and expected_version != obj.version:
        raise Stale(
            _("Someone changed this while you had the page open: %(what)s. "
              "Nothing was saved; check the current state and try again.",
              what=what_changed)
        )
