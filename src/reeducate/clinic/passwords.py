"""The password policy: NIST SP 800-63B-4, *Digital Identity Guidelines: Authentication and
Authenticator Management* (August 2025), section 3.1.1.2, "Password Verifiers".

A Reeducate password is the only factor of a log-in, so, as that section asks of such a password:

- at least 15 characters ("a minimum of 15 characters in length" for a single-factor password), each
  Unicode code point counting as one;
- up to 256 (the maximum "SHOULD" be at least 64), so that a password manager's long ones fit;
- any printing character and the space, with no composition rules (mixing kinds of characters "SHALL
  NOT" be required); only control characters (a tab, a line break, NUL) are refused: nobody types them;
- not on a blocklist of commonly used, expected or compromised passwords: the 20,000 common passwords
  Django ships (``data/README.md``: source, licence, credit), compared case-insensitively; nor holding
  the words an attacker guesses first for this account, its e-mail name and its clinic's name;
- every refusal says why and what to do instead (the verifier "SHALL" give the reason).

Periodic changes are not asked for (the section says they "SHALL NOT" be).
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from importlib import resources

from reeducate.clinic.errors import InvalidInput

MIN_LENGTH = 15
"""NIST SP 800-63B-4, 3.1.1.2: a password used as a single factor has at least 15 characters."""
MAX_LENGTH = 256
"""NIST SP 800-63B-4, 3.1.1.2: the maximum should be at least 64; ours leaves room for generated ones."""
MIN_CONTEXT_WORD = 4
"""An e-mail name or clinic name shorter than this (``pt@...``) is too short to be a guess worth refusing."""
ADVICE = "a few unrelated words work well"


@cache
def common_passwords() -> frozenset[str]:
    """The blocklist, lowercased (read once, on the first password set)."""
    data = resources.files("reeducate.clinic") / "data" / "common-passwords.txt.gz"
    text = gzip.decompress(data.read_bytes()).decode("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def _letters_and_digits(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def check_password(password: str, *, email: str, clinic_name: str) -> None:
    """Refuse (:class:`InvalidInput` on ``password``, saying what to do) a password against the policy."""
    length = len(password)
    if length < MIN_LENGTH:
        raise _refused(f"The password has {length} characters; use at least {MIN_LENGTH} characters; {ADVICE}.")
    if length > MAX_LENGTH:
        raise _refused(f"The password has {length} characters; use at most {MAX_LENGTH}.")
    if any(unicodedata.category(c) == "Cc" for c in password):
        raise _refused("The password holds a control character (a tab, a line break or NUL); use letters, "
                       "digits, punctuation and spaces only.")
    if password.strip().lower() in common_passwords():
        raise _refused(f"That password is on a list of common passwords, the first an attacker tries; choose "
                       f"another: {ADVICE}.")
    folded = _letters_and_digits(password)
    for what, word in (("the account's e-mail name", email.partition("@")[0]), ("the clinic's name", clinic_name)):
        hint = _letters_and_digits(word)
        if len(hint) >= MIN_CONTEXT_WORD and hint in folded:
            raise _refused(f"The password contains {what} ({word}), the first thing an attacker tries; choose "
                           f"one without it: {ADVICE}.")


def _refused(message: str) -> InvalidInput:
    return InvalidInput(message, field="password")
