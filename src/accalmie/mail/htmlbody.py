"""HTML bodies: sanitise them for display and turn them into readable plain text."""

from __future__ import annotations

import contextlib
import re
from html import escape, unescape
from html.parser import HTMLParser

import nh3

_ALLOWED_TAGS = {
    "p", "br", "div", "span", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote",
    "pre", "code", "table", "thead", "tbody", "tr", "td", "th",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "hr",
}  # fmt: skip
# Removed with their content: text inside these is never meant to be read.
_DROPPED_TAGS = {
    "script", "style", "head", "title", "noscript", "template", "iframe", "object", "embed",
    "svg", "math", "select", "textarea", "button", "form", "xml",
}  # fmt: skip
_LINK_SCHEMES = {"http", "https", "mailto"}

# One cleaner for the process: nh3 compiles its rules once. No `src` is allowed anywhere,
# so remote images and tracking pixels disappear; relative links lead nowhere in a mail.
_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    clean_content_tags=_DROPPED_TAGS,
    attributes={"a": {"href"}},
    url_schemes=_LINK_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
    url_relative="deny",
)

# Past this size the text conversion is cut: no one reads more than 2 MB of mail as text.
MAX_HTML_FOR_TEXT = 2_000_000

_BLOCKS = {
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
}  # fmt: skip
# Blocks that stand apart from their neighbours with an empty line, not just a line break.
_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "table", "pre"}
# Not "head": an unclosed <head> is common and would hide the whole mail; its title and
# style are skipped on their own.
_SKIPPED = {"script", "style", "title", "noscript", "template", "svg", "math", "xml", "select"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "wbr", "source"}
_TEXT_CLEANER = nh3.Cleaner(
    tags=_BLOCKS | {"br", "td", "th"},
    clean_content_tags=_SKIPPED,
    attributes={},
    link_rel=None,
    strip_comments=True,
)
# Real mail stays far below this; 100,000 nested <div> take nh3 fifteen seconds.
MAX_NESTING = 2_000
# Elements the parser closes by itself: leaving them open does not nest them.
_AUTO_CLOSED = _VOID | {"p", "li", "td", "th", "tr", "tbody", "thead", "option", "dt", "dd"}
_OPEN_TAG = re.compile(r"<([a-z][a-z0-9]*)")
_CLOSE_TAG = re.compile(r"</([a-z][a-z0-9]*)")
# `[^<>]`, not `[^>]`: stops at the next "<", so runs of unclosed "<a " stay linear.
_TAG = re.compile(r"<[^<>]*>")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


def sanitize_html(html: str) -> str:
    """Return `html` reduced to harmless formatting: no script, form, image, style, src."""
    if too_deeply_nested(html):
        return "<pre>" + escape(_strip_tags(html)) + "</pre>"
    return _CLEANER.clean(html).strip()


def too_deeply_nested(html: str) -> bool:
    """Tell whether `html` opens so many elements without closing them that parsing it
    would take minutes (html5ever's cost grows with the square of the nesting depth)."""
    lowered = html.lower()
    opened = sum(1 for name in _OPEN_TAG.findall(lowered) if name not in _AUTO_CLOSED)
    closed = sum(1 for name in _CLOSE_TAG.findall(lowered) if name not in _AUTO_CLOSED)
    return opened - closed > MAX_NESTING


def _strip_tags(html: str) -> str:
    """Return the text of `html` without parsing it (for abusive markup only)."""
    lines = (" ".join(line.split()) for line in unescape(_TAG.sub(" ", html)).splitlines())
    return "\n".join(line for line in lines if line)


def meta_charset(data: bytes) -> str | None:
    """Return the charset an HTML document declares in a <meta> tag, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def html_to_text(html: str) -> str:
    """Return the readable text of `html`: lines for blocks, "- " for list items, no tags."""
    # nh3 first: html.parser is quadratic on some malformed input ("<a " repeated, runs of
    # "<!--"), and nh3's output is well-formed, keeping only the tags that shape the text.
    html = html[:MAX_HTML_FOR_TEXT]
    if too_deeply_nested(html):
        return _strip_tags(html)
    normalised = _TEXT_CLEANER.clean(html)
    parser = _TextExtractor()
    # html.parser is lenient; the guard only covers its own bugs, keeping what was read.
    with contextlib.suppress(Exception):
        parser.feed(normalised)
        parser.close()
    return parser.text()


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML document line by line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[tuple[int, str]] = []  # (blockquote depth, text)
        self._words: list[str] = []
        self._space = False  # whitespace seen since the last word
        self._blank_wanted = False  # an empty line must separate the next text
        self._skip = 0
        self._pre = 0
        self._quote = 0
        self._cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block, a list item, a quote; start skipping script and the like."""
        if tag in _SKIPPED:
            self._skip += 1
            return
        if tag == "br":
            self._end_line(force=True)
        elif tag == "hr":
            self._paragraph()
        elif tag in ("td", "th"):
            if self._cells:
                self._space = True
            self._cells += 1
        elif tag in _BLOCKS:
            if tag in _PARAGRAPHS:
                self._paragraph()
            else:
                self._end_line()
            if tag == "blockquote":
                self._quote += 1
            elif tag == "pre":
                self._pre += 1
            elif tag == "li":
                self._words.append("- ")
                self._space = False
            elif tag == "tr":
                self._cells = 0

    def handle_endtag(self, tag: str) -> None:
        """Close a block; stop skipping."""
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
            return
        if tag in _BLOCKS:
            if tag in _PARAGRAPHS:
                self._paragraph()
            else:
                self._end_line()
            if tag == "blockquote":
                self._quote = max(0, self._quote - 1)
            elif tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Treat `<br/>` and `<hr/>` like their plain forms."""
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        """Add text, collapsing whitespace except inside <pre>."""
        if self._skip:
            return
        if self._pre:
            lines = data.replace("\r\n", "\n").split("\n")
            for index, line in enumerate(lines):
                if index:
                    self._end_line(force=True)
                self._add(line.replace("\u00a0", " "), keep_spaces=True)
            return
        words = _SPACES.split(data)
        if words[0] == "":
            self._space = True
            words = words[1:]
        for index, word in enumerate(words):
            if word == "":
                self._space = True
                continue
            if index:
                self._space = True
            self._add(word)

    def _add(self, word: str, keep_spaces: bool = False) -> None:
        """Append a word to the current line, with one space when the source had some."""
        if not word:
            return
        if self._words and self._space and not keep_spaces and not self._words[-1].endswith(" "):
            self._words.append(" ")
        self._words.append(word)
        self._space = False

    def _end_line(self, force: bool = False) -> None:
        """Finish the current line; with `force` (a <br>), even an empty one."""
        line = "".join(self._words).rstrip()
        if line or force:
            if self._blank_wanted and self._lines and self._lines[-1][1]:
                # The empty line belongs to the shallower side, so a quote starts cleanly.
                self._lines.append((min(self._quote, self._lines[-1][0]), ""))
            self._lines.append((self._quote, line))
            self._blank_wanted = False
        self._words = []
        self._space = False

    def _paragraph(self) -> None:
        """Finish the current line and ask for an empty line before the next text."""
        self._end_line()
        self._blank_wanted = True

    def text(self) -> str:
        """Return the collected text, quotes prefixed with "> ", blank runs collapsed."""
        self._end_line()
        out: list[str] = []
        for depth, line in self._lines:
            text = ("> " * depth + line).rstrip() if depth else line
            if not text and out and not out[-1]:
                continue
            out.append(text)
        return "\n".join(out).strip("\n")
