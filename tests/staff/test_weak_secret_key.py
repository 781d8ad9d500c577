"""Production refuses a SECRET_KEY that is long but not random (a character or a word repeated), as it
refuses a short one, saying what to set; a random key starts, and a weak development key file is
replaced by a random one."""

from __future__ import annotations

import secrets

import pytest

from app import ConfigError, load_settings
from app.config import development_key
from tests.staff.test_settings_and_accounts import GOOD_PRODUCTION, environment  # noqa: F401 (fixture)


@pytest.mark.parametrize("key", ["k" * 40, "changeme" * 5, "ab" * 32, "012345678" * 4])
def test_a_long_key_with_few_different_characters_is_refused(environment, key):  # noqa: F811
    environment(**GOOD_PRODUCTION | {"SECRET_KEY": key})
    with pytest.raises(
        ConfigError, match="SECRET_KEY must be a random secret .* at least 10 of them different"
    ):
        load_settings()


def test_ten_different_characters_are_enough(environment):  # noqa: F811
    environment(**GOOD_PRODUCTION | {"SECRET_KEY": "0123456789" * 4})
    assert load_settings().secret_key == "0123456789" * 4


def test_a_random_key_starts(environment):  # noqa: F811
    key = secrets.token_hex(32)
    environment(**GOOD_PRODUCTION | {"SECRET_KEY": key})
    assert load_settings().secret_key == key


def test_a_weak_development_key_file_is_replaced(tmp_path):
    path = tmp_path / "dev-secret-key"
    path.write_text("a" * 64 + "\n")
    key = development_key(path)
    assert key != "a" * 64 and len(set(key)) >= 10
    assert path.read_text().strip() == key
