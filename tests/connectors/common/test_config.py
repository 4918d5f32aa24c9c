"""Settings: credentials.yml first, then the environment; what is missing is named."""

from __future__ import annotations

from connectors.common.config import (
    DEFAULT_DATABASE_URL,
    ChannelDisabled,
    MessengerSettings,
    TelegramSettings,
    ZaloSettings,
    load_common_settings,
    load_messenger_settings,
    load_telegram_settings,
    load_zalo_settings,
)

ZALO_ENV = {
    "ZALO_APP_ID": "1",
    "ZALO_APP_SECRET": "secret",
    "ZALO_OA_SECRET_KEY": "oa-key",
    "ZALO_REFRESH_TOKEN": "rt",
}


def test_zalo_from_the_environment():
    settings = load_zalo_settings(None, ZALO_ENV)
    assert isinstance(settings, ZaloSettings)
    assert settings.api_base_url == "https://openapi.zalo.me"
    assert settings.webhook_max_age_seconds == 3600


def test_credentials_file_values_win_over_the_environment():
    settings = load_zalo_settings({"app_id": "from-file", "api_base_url": "http://x/"}, ZALO_ENV)
    assert isinstance(settings, ZaloSettings)
    assert (settings.app_id, settings.api_base_url) == ("from-file", "http://x")


def test_missing_and_malformed_settings_are_named():
    env = {**ZALO_ENV, "ZALO_APP_ID": " ", "ZALO_WEBHOOK_MAX_AGE_SECONDS": "soon"}
    disabled = load_zalo_settings(None, env)
    assert isinstance(disabled, ChannelDisabled)
    assert disabled.problems == (
        "ZALO_APP_ID (missing)",
        "ZALO_WEBHOOK_MAX_AGE_SECONDS (not a number: 'soon')",
    )
    assert "connectors/README.md" in disabled.log_line()


def test_messenger_and_telegram():
    messenger = load_messenger_settings(
        None,
        {
            "MESSENGER_APP_SECRET": "s",
            "MESSENGER_VERIFY_TOKEN": "v",
            "MESSENGER_PAGE_ACCESS_TOKEN": "p",
            "MESSENGER_ALLOW_SHA1": "yes",
        },
    )
    assert isinstance(messenger, MessengerSettings) and messenger.allow_sha1
    telegram = load_telegram_settings(
        None,
        {"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_SECRET_TOKEN": "ok_secret-1-0123456789-abcdefXYZ"},
    )
    assert isinstance(telegram, TelegramSettings)


def test_telegram_secret_must_be_a_valid_header_value():
    disabled = load_telegram_settings(
        None, {"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_SECRET_TOKEN": "has spaces!"}
    )
    assert isinstance(disabled, ChannelDisabled)


def test_common_defaults():
    common = load_common_settings({})
    assert common.database_url == DEFAULT_DATABASE_URL
    assert common.database_url.endswith("var/connectors.sqlite3")
    assert common.handoff_callback is None


MESSENGER_ENV = {
    "MESSENGER_APP_SECRET": "s",
    "MESSENGER_VERIFY_TOKEN": "v",
    "MESSENGER_PAGE_ACCESS_TOKEN": "p",
}


def test_status_notices_are_tagged_account_update_unless_switched_off():
    default = load_messenger_settings(None, MESSENGER_ENV)
    assert isinstance(default, MessengerSettings)
    assert (default.status_tag, default.human_agent) == ("ACCOUNT_UPDATE", False)

    switched_off = load_messenger_settings(None, {**MESSENGER_ENV, "MESSENGER_STATUS_TAG": ""})
    assert isinstance(switched_off, MessengerSettings) and switched_off.status_tag is None

    human = load_messenger_settings(None, {**MESSENGER_ENV, "MESSENGER_HUMAN_AGENT": "true"})
    assert isinstance(human, MessengerSettings) and human.human_agent


def test_a_tag_for_people_only_is_refused_for_status_notices():
    env = {**MESSENGER_ENV, "MESSENGER_STATUS_TAG": "human_agent"}
    disabled = load_messenger_settings(None, env)
    assert isinstance(disabled, ChannelDisabled)
    assert disabled.problems[0].startswith("MESSENGER_STATUS_TAG (ACCOUNT_UPDATE")


def test_the_zalo_status_template_and_its_fields():
    default = load_zalo_settings(None, ZALO_ENV)
    assert isinstance(default, ZaloSettings) and default.status_template_id is None
    assert default.status_template_parameters == {
        "ma_ho_so": "receipt_code",
        "trang_thai": "status_label",
        "ngay_cap_nhat": "date",
    }
    env = {
        **ZALO_ENV,
        "ZALO_STATUS_TEMPLATE_ID": "412345",
        "ZALO_STATUS_TEMPLATE_FIELDS": " code = receipt_code , when=date",
    }
    configured = load_zalo_settings(None, env)
    assert isinstance(configured, ZaloSettings) and configured.status_template_id == "412345"
    assert configured.status_template_parameters == {"code": "receipt_code", "when": "date"}

    wrong = load_zalo_settings(None, {**env, "ZALO_STATUS_TEMPLATE_FIELDS": "code=phone"})
    assert isinstance(wrong, ChannelDisabled)
    assert wrong.problems[0].startswith("ZALO_STATUS_TEMPLATE_FIELDS (<template parameter>")
