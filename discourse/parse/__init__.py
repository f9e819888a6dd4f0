"""Page text -> thread: furniture and chrome (``furniture``), comment segmentation (``segment``),
reply linking (``linking``), put together by ``page.parse_page``."""

from discourse.parse.page import account_lines, parse_page

__all__ = ["account_lines", "parse_page"]
