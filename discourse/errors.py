"""Errors meant for people: the CLI prints their message on one line and exits non-zero.

Anything raised as :class:`DiscourseError` is a real failure the user can act on; its message says
what is wrong and what to do. Warnings (a guessed encoding, a repaired parent link) go to the
``discourse`` logger instead and never change the exit status.
"""

import logging

log = logging.getLogger("discourse")


class DiscourseError(Exception):
    """A failure with a message for the user (no traceback is shown)."""


class InputError(DiscourseError):
    """The input cannot be read as a thread: empty, binary, malformed, or inconsistent."""
