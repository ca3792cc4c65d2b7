"""Text that has broken, or could break, a page: what careless and hostile people type."""

from __future__ import annotations

from hypothesis import strategies as st

CONTROL = "".join(chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)))
DIRECTION = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f"
SURROGATES = "\ud800\udbff\udc00\udfff"

NASTY = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "line one\r\nline two",
    "\r",
    "\x1b[31mred\x1b[0m",
    "\ud800",
    "lone \udfff surrogate",
    "- " * 500 + "x",
    "> " * 200 + "quoted",
    ">" * 1_000,
    "1. " * 300 + "x",
    "- > " * 300 + "mixed",
    "[" * 5_000 + "x",
    "*" * 5_000,
    "`" * 2_000,
    "<" * 3_000,
    "x" * 20_000,
    "word " * 40_000,
    "\n" * 5_000,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1))",
    "![x](http://169.254.169.254/latest/meta-data/)",
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
    "{{ 7 * 7 }}{% raw %}",
    "%s%s%n%x",
    "' OR 1=1 --",
    "\"; DROP TABLE engagements; --",
    "]]><!--",
    "\u202egnp.exe",
    "abc\u202edef\u202cghi",
    "\u2066\u2067\u2068isolate",
    "zero\u200bwidth\u200d\ufeff",
    "\ufeff",
    "👩🏽‍⚕️🏳️‍🌈👨‍👩‍👧‍👦",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "مرحبا بالعالم",
    "שלום עולם",
    "\u4f60\u597d\uff0c\u4e16\u754c",
    "こんにちは",
    "Привет, мир",
    "हिन्दी",
    "ᚠᛇᚻ᛫ᛒᛦᚦ",
    "Café",
    "Cafe\u0301",
    "ﬁ ẞ İ ǅ",
    "\uffff\ufffe\U0010ffff",
    "\U0001d573\U0001d58a\U0001d591\U0001d591\U0001d594",
    # Numbers and dates, for the fields that read them from text.
    "-1",
    "0",
    "1e309",
    "99999999999999999999999999",
    "NaN",
    "inf",
    "0x10",
    "٣",
    "\uff11\uff12",
    "²",
    "½",
    "2.5",
    "1,000",
    "29",
    "2",
    "2027",
    "0000",
    "9999",
    "29/02/2027",
    "2027-02-29",
    "https://example.org/" + "a" * 3_000,
    "http://127.0.0.1:22/",
    "http://[::1]/",
    "http://xn--80ak6aa92e.com/",
    "https://例え.jp/",
    "mailto:someone@example.org",
    "someone@example.org",
    "a@b",
    "\"quoted\"@example.org",
    "someone@例え.jp",
    "someone@example.org\r\nBcc: everyone@example.org",
)

_pieces = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec=None, categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs", "Mn", "So"]),
            max_size=20),
    st.text(st.sampled_from(CONTROL + DIRECTION + ZERO_WIDTH + SURROGATES + "-*>#`[]()<>!&;'\"\\ \n"), max_size=30),
    st.text(max_size=30),
)

# One field's worth: a nasty text on its own, or several run together.
hostile_text = st.one_of(st.sampled_from(NASTY), st.lists(_pieces, min_size=1, max_size=5).map("".join))

# What every kind of form is sent once each, in all its free-text fields at once: what has broken pages before.
# The markup, direction controls, zero-width characters, emoji and scripts are together, as a form should take
# them all and show them back as text.
MIXED = ("<script>alert(1)</script> \"><img src=x onerror=alert(1)> [x](javascript:alert(1)) {{ 7 * 7 }} "
         "\u202eevil\u202c \u2067isolate\u2069 zero\u200bwidth\ufeff 👩🏽‍⚕️🏳️‍🌈 مرحبا שלום \u4f60\u597d Привет "
         "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o Cafe\u0301 <b>bold</b> &amp; &#0; %s%n")
SEVERE = (
    "- " * 500 + "x",
    "> " * 200 + "quoted",
    MIXED,
    "one\x00two",
    "line one\r\nline two\x1b[0m\x07",
    "lone \ud800 surrogate",
    "word " * 20_000,
)
