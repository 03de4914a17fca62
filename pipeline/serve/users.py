"""The reviewers of `pipeline serve`: names, languages and scrypt password hashes.

They live in ``<state folder>/private/users.json`` (git-ignored), the folder mode 0700 and the
file 0600, written atomically (the temporary of an atomic write sits in the private folder too).
A password is stored as scrypt (n=2**14, r=8, p=1, a random 16-byte salt) and compared in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import ConfigError, FileSystemError
from ..files import write_atomic

PRIVATE_FOLDER = "private"
USERS_FILE = "users.json"
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSWORD = 8
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
"""A reviewer's name: it goes into `# reviewed-by:` comments and Last-Translator, so no spaces
or line breaks."""


@dataclass(frozen=True)
class User:
    name: str
    languages: tuple[str, ...]
    salt: str
    digest: str

    def may_edit(self, language: str) -> bool:
        return language in self.languages


def users_path(config: Config) -> Path:
    return config.state_dir / PRIVATE_FOLDER / USERS_FILE


def hash_password(password: str, salt: bytes) -> str:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    ).hex()


def check_password(user: User, password: str) -> bool:
    """Whether ``password`` is the user's, compared in constant time."""
    actual = hash_password(password, bytes.fromhex(user.salt))
    return hmac.compare_digest(actual, user.digest)


DUMMY = User("", (), "00" * 16, "00" * 32)
"""Checked against when the name is unknown, so a wrong name costs as long as a wrong password."""


def load_users(config: Config) -> dict[str, User]:
    """Every reviewer by name; no file means no reviewers. A damaged file is a `ConfigError`."""
    path = users_path(config)
    shown = config.relative(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise FileSystemError.from_os_error(error, "read", shown) from None
    try:
        data = json.loads(raw)
        users = {
            name: User(name, tuple(entry["languages"]), entry["salt"], entry["scrypt"])
            for name, entry in data["users"].items()
        }
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ConfigError(f"damaged users file ({error}); fix or remove it", path=shown) from None
    return users


def save_users(config: Config, users: dict[str, User]) -> None:
    path = users_path(config)
    data = {
        "version": 1,
        "users": {
            name: {"languages": list(user.languages), "salt": user.salt, "scrypt": user.digest}
            for name, user in sorted(users.items())
        },
    }
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)  # write_atomic's temporary is 0644 until it is complete
    except OSError as error:
        raise FileSystemError.from_os_error(error, "create", config.relative(path.parent)) from None
    if not path.exists():
        # Created 0600 first; write_atomic then keeps the mode of the file it replaces.
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        except FileExistsError:
            pass
        except OSError as error:
            raise FileSystemError.from_os_error(error, "create", config.relative(path)) from None
    gitignore = config.state_dir / ".gitignore"  # as stamps.py: the state folder stays out of git
    if not gitignore.exists():
        write_atomic(gitignore, b"*\n")
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"), display=config.relative(path))


def add_user(
    config: Config, name: str, languages: Sequence[str], password: str, *, replace: bool = False
) -> User:
    """Add a reviewer (or, with ``replace``, set an existing one's languages and password)."""
    if not NAME.fullmatch(name):
        raise ConfigError(
            f"{name!r}: a user name is 1-64 letters, digits and . _ @ - (no spaces), "
            "starting with a letter or digit"
        )
    wanted = list(dict.fromkeys(languages))
    if not wanted:
        raise ConfigError("give the user at least one --lang")
    for language in wanted:
        if language not in config.target_languages:
            raise ConfigError(
                f"--lang {language}: not a configured target language "
                f"({', '.join(config.target_languages)})"
            )
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password is too short (at least {MIN_PASSWORD} characters)")
    users = load_users(config)
    if name in users and not replace:
        raise ConfigError(f"user {name} exists; pass --replace to change it")
    salt = secrets.token_bytes(16)
    user = User(name, tuple(wanted), salt.hex(), hash_password(password, salt))
    users[name] = user
    save_users(config, users)
    return user


def remove_user(config: Config, name: str) -> None:
    users = load_users(config)
    if name not in users:
        raise ConfigError(f"no user {name!r}")
    del users[name]
    save_users(config, users)
