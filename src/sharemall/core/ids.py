"""Short unguessable codes for links people type or scan."""

import secrets

# No 0/O, 1/I/l: codes are read aloud and typed from posters.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"


def short_code(length: int = 10) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def numeric_code(digits: int = 8) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))
