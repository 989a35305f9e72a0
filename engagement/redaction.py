"""Personal data taken out of text before it is published: Georgian personal numbers, phone
numbers and e-mail addresses are replaced by a mark.

Pure functions (no models), so that data migrations may use them too.
"""

from __future__ import annotations

import re

# What is published in place of what was removed; pages show it in the reader's language.
MARK = "[removed]"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits that may be written with spaces, dashes, dots or brackets between groups,
# optionally after a plus sign: a personal number, a phone number, or an ordinary number.
NUMBER_RUN = re.compile(r"(?<![\w+(])\(?\+?\(?\d(?:[\d \-.()]*\d)?(?!\w)")


def _is_personal(run: str) -> bool:
    """Whether a run of digits is a personal number or a phone number rather than a figure.

    Personal numbers are 11 digits in one block. Phones: international (+ or 00, then 8 to 15 digits; or
    995 and 12 digits), Georgian mobiles (9 digits starting with 5) and landlines (a leading 0
    and 9 or 10 digits). Dates and figures written with dots, sums, areas and years are left.
    """
    if "." in run:
        return False
    digits = re.sub(r"\D", "", run)
    count = len(digits)
    if run.lstrip("(").startswith("+") or digits.startswith("00"):
        return 8 <= count <= 15
    if count == 11:
        # A personal number is written as one block; spaced groups of 11 digits are figures.
        return run.strip("()").isdigit()
    if digits.startswith("995"):
        return count == 12
    if digits.startswith("5"):
        return count == 9
    if digits.startswith("0"):
        return count in (9, 10)
    return False


def _mark_run(run: str) -> tuple[str, bool]:
    """The run with each personal number or phone in it replaced; a run may join a figure and a
    phone ("in 2024 555 12 34 56"), so windows of its space-separated parts are tried too,
    longest first from the left."""
    if _is_personal(run):
        return MARK, True
    parts = re.split(r"(\s+)", run)
    out: list[str] = []
    changed = False
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            window = "".join(parts[i:j])
            edges_are_digits = not parts[i].isspace() and not parts[j - 1].isspace()
            if edges_are_digits and _is_personal(window):
                out.append(MARK)
                changed = True
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return "".join(out), changed


def redact(text: str) -> tuple[str, bool]:
    """The text with personal data replaced by MARK, and whether anything was replaced."""
    text, emails = EMAIL.subn(MARK, text)
    changed = bool(emails)

    def mark_number(match: re.Match) -> str:
        nonlocal changed
        marked, found = _mark_run(match.group(0))
        changed = changed or found
        return marked

    text = NUMBER_RUN.sub(mark_number, text)
    return text, changed
