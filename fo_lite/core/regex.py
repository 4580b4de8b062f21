"""MongoDB's regular expressions (PCRE) run with Python's ``re``.

The server (mongod 6.0) compiles ``$regex`` with PCRE in UTF-8 mode without Unicode
properties: ``\\w \\d \\s \\b``, their negations and POSIX classes (``[[:alpha:]]``) are
ASCII-only, while ``$options: "i"`` folds the case of every letter (``é`` matches ``É``).
Python's classes are Unicode, and ``re.ASCII`` would also limit case folding to ASCII. So a
pattern is translated before Python compiles it: each class becomes its ASCII set inside a
``(?-i:...)`` group (case folding never widens it), ``\\b``/``\\B`` become lookarounds on that
set, and the few constructs Python reads otherwise or not at all are rewritten: ``\\Z``/``\\z``,
``\\h \\H \\v \\V \\R``, ``\\x{...}``, ``\\Q...\\E``, ``{,n}`` (literal in PCRE), named groups
(``(?<n>...)``, ``(?'n'...)``) and references (``\\k<n>``, ``\\k{n}``, ``\\k'n'``), and ``^``
under ``$options: "m"`` (PCRE does not match it after a final newline).
PCRE-only syntax with no Python equivalent (``\\p{..} \\X \\K \\G``, an inline option such
as ``(?i)`` after the start, recursion, backtracking verbs) is refused: ``compile_regex``
raises ValueError naming the pattern.

>>> bool(compile_regex(r"^\\w+$").search("é")), bool(compile_regex("É", "i").search("é"))
(False, True)
"""

from __future__ import annotations

import functools
import re

OPTION_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}

_WORD = "A-Za-z0-9_"
_SPACE = r"\t\n\x0b\x0c\r "
_HSPACE = r"\t \xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000"
_VSPACE = r"\n\x0b\x0c\r\x85\u2028\u2029"
# escape letter -> (set of characters, negated)
_ESCAPES = {
    "w": (_WORD, False),
    "W": (_WORD, True),
    "d": ("0-9", False),
    "D": ("0-9", True),
    "s": (_SPACE, False),
    "S": (_SPACE, True),
    "h": (_HSPACE, False),
    "H": (_HSPACE, True),
    "v": (_VSPACE, False),
    "V": (_VSPACE, True),
}
_POSIX = {
    "alpha": "A-Za-z",
    "digit": "0-9",
    "alnum": "A-Za-z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": _SPACE,
    "blank": r" \t",
    "cntrl": r"\x00-\x1f\x7f",
    "graph": r"\x21-\x7e",
    "print": r"\x20-\x7e",
    "punct": r"!-/:-@\[-`{-~",
    "xdigit": "0-9A-Fa-f",
    "word": _WORD,
}
_NO_EQUIVALENT = {
    "p": "Unicode properties",
    "P": "Unicode properties",
    "X": "extended grapheme clusters",
    "K": "reset of the match start",
    "G": "first matching position",
    "C": "one code unit",
}
_W = f"(?-i:[{_WORD}])"
_BOUNDARY = f"(?:(?<={_W})(?!{_W})|(?<!{_W})(?={_W}))"
_NOT_BOUNDARY = f"(?:(?<={_W})(?={_W})|(?<!{_W})(?!{_W}))"


def _ascii_set(chars: str, negated: bool) -> str:
    return f"(?-i:[{'^' if negated else ''}{chars}])"


def _hex_escape(pattern: str, i: int) -> tuple[str, int]:
    """``\\x{263a}`` at ``i``: (Python text, index after it)."""
    end = pattern.find("}", i + 3)
    digits = pattern[i + 3 : end] if end != -1 else ""
    if not digits or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise ValueError(f"$regex pattern {pattern!r} has a bad \\x{{...}} escape")
    return re.escape(chr(int(digits, 16))), end + 1


def _char_class(pattern: str, i: int, ignorecase: bool) -> tuple[str, int]:
    """The class starting at ``pattern[i] == "["``: (Python text, index after its "]")."""
    n = len(pattern)
    j = i + 1
    negated = pattern.startswith("^", j)
    j += negated
    literal: list[str] = []
    sets: list[tuple[str, bool]] = []
    first = True
    while j < n and (pattern[j] != "]" or first):
        first = False
        ch = pattern[j]
        if pattern.startswith("[:", j) and pattern.find(":]", j + 2) != -1:
            end = pattern.find(":]", j + 2)
            name = pattern[j + 2 : end]
            neg = name.startswith("^")
            name = name.lstrip("^")
            if ignorecase and name in ("upper", "lower"):
                name = "alpha"  # PCRE: caseless [:upper:] and [:lower:] match every letter
            if name not in _POSIX:
                raise ValueError(f"$regex pattern {pattern!r}: unknown POSIX class [:{name}:]")
            sets.append((_POSIX[name], neg))
            j = end + 2
        elif ch == "\\" and j + 1 < n:
            c = pattern[j + 1]
            if c in _ESCAPES:
                sets.append(_ESCAPES[c])
                j += 2
            elif c == "x" and pattern.startswith("{", j + 2):
                text, j = _hex_escape(pattern, j)
                literal.append(text)
            else:
                literal.append(pattern[j : j + 2])
                j += 2
        else:
            # characters Python reads as nested sets or set operations are literal in PCRE
            literal.append("\\" + ch if ch in "[&~|" else ch)
            j += 1
    if j >= n:
        raise ValueError(f"$regex pattern {pattern!r}: missing terminating ] of a class")
    body = "".join(literal)
    if not sets:
        return f"[{'^' if negated else ''}{body}]", j + 1
    parts = ([f"[{body}]"] if body else []) + [_ascii_set(c, neg) for c, neg in sets]
    if negated:
        return "(?:" + "".join(f"(?!{p})" for p in parts) + "(?s:.))", j + 1
    return "(?:" + "|".join(parts) + ")", j + 1


def translate(pattern: str, options: str = "") -> str:
    """A Python pattern with the PCRE meaning of ``pattern`` under ``options`` (see above)."""
    ignorecase, multiline, extended = ("i" in options), ("m" in options), ("x" in options)
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            c = pattern[i + 1]
            if c in _ESCAPES:
                out.append(_ascii_set(*_ESCAPES[c]))
            elif c == "b":
                out.append(_BOUNDARY)
            elif c == "B":
                out.append(_NOT_BOUNDARY)
            elif c == "z":
                out.append(r"\Z")
            elif c == "Z":
                out.append(r"(?=\n?\Z)")
            elif c == "x" and pattern.startswith("{", i + 2):
                text, i = _hex_escape(pattern, i)
                out.append(text)
                continue
            elif c == "Q":  # \Q...\E: everything between is literal
                end = pattern.find("\\E", i + 2)
                end = n if end == -1 else end
                out.append(re.escape(pattern[i + 2 : end]))
                i = end + 2
                continue
            elif c == "E":  # a stray \E is ignored
                pass
            elif c == "k" and pattern[i + 2 : i + 3] in ("<", "{", "'"):  # \k<name>
                close = {"<": ">", "{": "}", "'": "'"}[pattern[i + 2]]
                end = pattern.find(close, i + 3)
                if end == -1:
                    raise ValueError(f"$regex pattern {pattern!r}: unterminated \\k name")
                out.append(f"(?P={pattern[i + 3 : end]})")
                i = end + 1
                continue
            elif c == "R":
                out.append(r"(?:\r\n|[\n\x0b\x0c\r\x85\u2028\u2029])")
            elif c in _NO_EQUIVALENT:
                raise ValueError(
                    f"$regex pattern {pattern!r}: PCRE's \\{c} ({_NO_EQUIVALENT[c]}) has no "
                    "equivalent in Python's re, so fo_lite refuses it"
                )
            else:
                out.append(pattern[i : i + 2])
            i += 2
        elif ch == "[":
            text, i = _char_class(pattern, i, ignorecase)
            out.append(text)
        elif ch == "{" and pattern.startswith("{,", i):
            out.append(r"\{")
            i += 1
        elif ch == "(" and pattern.startswith("(?<", i) and pattern[i + 3 : i + 4].isalpha():
            out.append("(?P<")
            i += 3
        elif ch == "(" and pattern.startswith("(?'", i):  # (?'name'...)
            end = pattern.find("'", i + 3)
            if end == -1:
                raise ValueError(f"$regex pattern {pattern!r}: unterminated group name")
            out.append(f"(?P<{pattern[i + 3 : end]}>")
            i = end + 1
        elif ch == "^" and multiline:
            out.append(r"(?:\A|(?<=\n)(?!\Z))")
            i += 1
        elif ch == "#" and extended:
            end = pattern.find("\n", i)
            end = n if end == -1 else end
            out.append(pattern[i:end])
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def options_of(pattern: re.Pattern) -> str:
    """The MongoDB options (``"imsx"`` letters) of a compiled Python pattern's flags."""
    return "".join(k for k, flag in OPTION_FLAGS.items() if pattern.flags & flag)


@functools.lru_cache(maxsize=256)
def _compile(pattern: str, options: str) -> re.Pattern:
    flags = 0
    for letter in options:
        flags |= OPTION_FLAGS[letter]
    try:
        return re.compile(translate(pattern, options), flags)
    except re.error as exc:
        raise ValueError(f"$regex pattern {pattern!r} is invalid: {exc}") from None


def compile_regex(pattern: str | re.Pattern, options: str | None = None) -> re.Pattern:
    """Compile a MongoDB regex (a string with ``$options`` letters from ``imsux``, or a
    compiled Python pattern, whose flags count as options) with the server's meaning."""
    if options is not None and not isinstance(options, str):
        raise TypeError(f"$options must be a string of flags from 'imsx', got {options!r}")
    letters = (options or "").replace("u", "")  # "u" (UTF-8) is always on in the server
    for letter in letters:
        if letter not in OPTION_FLAGS:
            raise ValueError(f"$options flag {letter!r} is not supported; use any of 'imsux'")
    if isinstance(pattern, re.Pattern):
        letters += options_of(pattern)
        pattern = pattern.pattern
    if not isinstance(pattern, str):
        raise TypeError(f"$regex needs a string or compiled pattern, got {pattern!r}")
    return _compile(pattern, "".join(sorted(set(letters))))


__all__ = ["compile_regex", "options_of", "translate"]
