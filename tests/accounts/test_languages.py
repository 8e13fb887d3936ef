"""Japanese and English: every page in each language, the switcher, and preferences that follow the user."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo, available_timezones

import pytest
from django.apps import apps
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.models import Group, User
from django.db import models
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from audit.versions import version_of
from milestones.models import Milestone
from partners.models import Exchange, Function
from tests.accounts.test_access import TABLE, url_for
from tests.factories import MilestoneFactory, UserFactory
from tests.scheduling import heavy
from training.models import TrainingRecord

OK = 200
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z’']{2,}")
# Written in Latin letters in Japanese too: file formats, standards, products, key names and time zones
# ("Control" and "Command" are in Django's own Japanese help text), and Django admin's yes/no icons, whose
# alternative text Django does not translate.
TECHNICAL = {
    *("CSV", "TSV", "XLSX", "JSON", "HTML", "HTTP", "GET", "POST", "SHA", "UTC", "JST", "ZIP", "ICS", "CDMO", "SOP"),
    *("LDAP",),
    *("UTF", "BOM", "SHIFT", "JIS", "XLS"),  # encodings and file formats named on the import pages
    *("EXCEL", "OUTLOOK", "GOOGLE", "CONTROL", "COMMAND", "MAC", "TRUE", "FALSE"),
}


class PageText(HTMLParser):
    """What a reader sees or hears: text, and the titles, labels, placeholders and button values of elements.

    Left out: scripts and styles, code samples, elements marked as another language (the language switcher's
    "日本語"), and options that show their own stored value (time-zone names such as "Asia/Tokyo").
    """

    SKIPPED = {"script", "style", "code", "pre", "textarea"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    SPOKEN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self, language: str):
        super().__init__()
        self.language = language
        self.stack: list[tuple[str, bool, str | None]] = []
        self.texts: list[str] = []

    def skipping(self) -> bool:
        return any(skipped for _tag, skipped, _value in self.stack)

    def handle_starttag(self, tag, attrs, void=False):
        attrs = dict(attrs)
        lang = attrs.get("lang") or ""
        skipped = tag in self.SKIPPED or (tag != "html" and bool(lang) and not lang.startswith(self.language))
        if not skipped and not self.skipping():
            self.texts.extend(attrs[name] for name in self.SPOKEN if attrs.get(name))
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.texts.append(attrs["value"])
        if not void and tag not in self.VOID:
            self.stack.append((tag, skipped, attrs.get("value") if tag == "option" else None))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs, void=True)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if self.skipping() or not data.strip():
            return
        if self.stack and self.stack[-1][0] == "option" and self.stack[-1][2] == data.strip():
            return
        self.texts.append(data)


def page_text(html: str, language: str) -> str:
    parser = PageText(language)
    parser.feed(html)
    return "\n".join(parser.texts)


def stored_values() -> list[str]:
    """Every text stored in the database, and every record's name: data, which no translation may touch."""
    values = set()
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        for obj in model._default_manager.all()[:5000]:
            values.update(str(getattr(obj, name) or "") for name in fields)
            values.add(str(obj))
            values.update(shown_password(obj))
    return sorted((value for value in values if len(value) >= 2), key=len, reverse=True)


def shown_password(obj) -> list[str]:
    """The user page's summary of a stored password: a hash cut short and masked, whose first letters
    ("3bbb1d***") are a random hash's, not a label."""
    if not isinstance(obj, User) or not obj.has_usable_password():
        return []
    return [str(value) for value in identify_hasher(obj.password).safe_summary(obj.password).values()]


def without_data(text: str, data: list[str]) -> str:
    for value in data:
        text = text.replace(value, " ")
    return text


def english_words(text: str, data: list[str]) -> list[str]:
    """Latin words that are neither technical names nor words of the stored data (which pages may truncate)."""
    stored = {word for value in data for word in LATIN_WORD.findall(value)}
    return [word for word in LATIN_WORD.findall(text) if word.upper() not in TECHNICAL and word not in stored]


def pages(world) -> list[str]:
    """Every page an administrator can open, and the states of pages that show more: errors, results."""
    urls = [url_for(name, world) for name, expect in sorted(TABLE.items()) if expect.admin == OK]
    milestone = world["objects"]["milestones.milestone"]
    return urls + [
        reverse("milestones:dashboard") + "?start=2026-01-01&end=2025-01-01",
        reverse("milestones:dashboard") + f"?year_basis={world['medinet'].pk}&fiscal_year=2026",
        reverse("exports:index") + "?dataset=exchanges&year_basis=calendar&headers=ja",
        reverse("exports:index") + "?dataset=milestones&start=nonsense",
        reverse("training:matrix") + "?as_of=2026-04-01",
        reverse("milestones:detail", args=[milestone.pk + 1000]),
    ]


@pytest.fixture
def bilingual(world, alliance):
    """The world with Japanese names where they are known, MEDINET's fiscal year, and a slipped milestone."""
    for record, name_ja in [
        (alliance.agc, "AGC株式会社"),
        (alliance.agc_bio, "AGCバイオロジクス"),
        (alliance.medinet, "株式会社メディネット"),
        (alliance.yokohama, "横浜テクニカルセンター"),
        (alliance.agc_person, "高橋 結"),
        (alliance.medinet_person, "山田 拓海"),
    ]:
        record.name_ja = name_ja
        record._change_reason = "Japanese name"
        record.save()
    alliance.medinet.fiscal_year_start_month = 10
    alliance.medinet.save()
    MilestoneFactory(
        partnership=alliance.partnership,
        site=alliance.yokohama,
        title="横浜 本格稼働",
        baseline_date=datetime.date(2026, 4, 1),
        forecast_date=datetime.date(2026, 6, 1),
        status=Milestone.Status.IN_PROGRESS,
    )
    return {**world, "medinet": alliance.medinet}


def walk(client, urls: list[str], language: str) -> dict[str, str]:
    """Each page's reader-visible text, with stored data taken out, keyed by URL."""
    data = stored_values()
    seen = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code in {301, 302} or not response["Content-Type"].startswith("text/html"):
            continue
        assert response["Content-Language"] == language, url
        seen[url] = without_data(page_text(response.text, language), data)
    return seen


def as_user_speaking(client, language: str):
    user = UserFactory(username="reader", is_superuser=True)
    Profile.objects.create(user=user, language=language)
    client.force_login(user)
    return client


@heavy("every-page-in-one-language")
def test_a_japanese_user_sees_no_english_label_on_any_page(client, bilingual):
    as_user_speaking(client, "ja")
    seen, data = walk(client, pages(bilingual), "ja"), stored_values()
    untranslated = {url: sorted(set(words)) for url, text in seen.items() if (words := english_words(text, data))}
    assert untranslated == {}


@heavy("every-page-in-one-language")
def test_an_english_user_sees_no_japanese_label_on_any_page(client, bilingual):
    as_user_speaking(client, "en")
    japanese = {url: JAPANESE.findall(text) for url, text in walk(client, pages(bilingual), "en").items()}
    assert {url: chars for url, chars in japanese.items() if chars} == {}


def test_a_japanese_user_sees_japanese_names_and_an_english_user_latin_ones(client, bilingual):
    url = reverse("partners:exchange_detail", args=[bilingual["exchange"].pk])
    as_user_speaking(client, "ja")
    japanese = client.get(url).text
    assert "<title>高橋 結 → MEDINET" in japanese and "株式会社メディネット" in japanese
    assert "高橋 結 (Yui Takahashi)" in japanese  # the name on the ID badge, to recognise the person by
    Profile.objects.filter(user__username="reader").update(language="en")
    client.force_login(Profile.objects.get(user__username="reader").user)
    english = client.get(url).text
    assert "Yui Takahashi" in english and "MEDINET Co., Ltd." in english
    assert "高橋 結" not in page_text(english, "en")


def test_the_login_page_follows_the_browser_language(client, db):
    japanese = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5")
    assert '<html lang="ja">' in japanese.text and "ログイン" in japanese.text
    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="en">' in english.text and "Log in" in english.text


def test_the_language_switcher_remembers_the_choice_for_the_user_on_every_device(client, db):
    user = UserFactory(username="reader", role="Manager")
    client.force_login(user)
    dashboard = reverse("milestones:dashboard")
    response = client.post(reverse("accounts:language"), {"language": "ja", "next": dashboard})
    assert response.status_code == 302 and response.url == dashboard
    assert Profile.objects.get(user=user).language == "ja"
    assert "提携ダッシュボード" in client.get(dashboard, HTTP_ACCEPT_LANGUAGE="en").text

    elsewhere = type(client)()  # another browser, which asks for English
    elsewhere.force_login(user)
    assert "提携ダッシュボード" in elsewhere.get(dashboard, HTTP_ACCEPT_LANGUAGE="en").text


def test_the_language_switcher_works_before_login_and_refuses_to_leave_the_site(client, db):
    response = client.post(reverse("accounts:language"), {"language": "ja", "next": "https://elsewhere.example/"})
    assert response.status_code == 302 and response.url == reverse("milestones:dashboard")
    assert "ログイン" in client.get(reverse("login")).text
    assert client.post(reverse("accounts:language"), {"language": "tlh"}).status_code == 400


def test_times_show_in_the_users_time_zone(client, world):
    user = UserFactory(username="reader", is_superuser=True)
    Profile.objects.create(user=user, language="en", time_zone="Europe/Rome")
    client.force_login(user)
    exchange = world["exchange"]
    when = exchange.history.earliest().history_date
    trail = client.get(reverse("audit:trail", args=["partners", "exchange", exchange.pk])).text
    assert when.astimezone(ZoneInfo("Europe/Rome")).strftime("%Y-%m-%d %H:%M:%S") in trail
    assert when.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d %H:%M:%S") not in trail


def test_preferences_save_language_time_zone_and_years(client, bilingual):
    user = UserFactory(username="reader", role="Manager")
    client.force_login(user)
    url = reverse("accounts:preferences")
    response = client.post(url, {"language": "ja", "time_zone": "Asia/Tokyo", "year_basis": bilingual["medinet"].pk})
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.language, profile.time_zone, profile.year_basis) == ("ja", "Asia/Tokyo", bilingual["medinet"])
    dashboard = client.get(reverse("milestones:dashboard")).text
    assert "2026年9月期" in dashboard  # the dashboard now counts MEDINET's fiscal years


def test_the_preferences_page_offers_every_time_zone_with_the_saved_one_selected(client, db):
    user = UserFactory(username="reader", role="Manager")
    Profile.objects.create(user=user, language="en", time_zone="Europe/Rome")
    client.force_login(user)
    page = client.get(reverse("accounts:preferences")).text
    select = re.search(r'<select([^>]*name="time_zone"[^>]*)>(.*?)</select>', page, re.S)
    assert 'name="time_zone"' in select.group(1) and 'id="id_time_zone"' in select.group(1)
    assert re.search(r'<label\s+for="id_time_zone"', page)
    options = re.findall(r"<option( selected)? value=\"([^\"]+)\">", select.group(2))
    assert {zone for _, zone in options} == available_timezones()
    assert [zone for selected, zone in options if selected] == ["Europe/Rome"]
    assert [zone for _, zone in options] == sorted(zone for _, zone in options)


def test_a_time_zone_that_does_not_exist_is_refused_with_a_clear_message(client, db):
    client.force_login(UserFactory(username="reader", role="Manager"))
    response = client.post(reverse("accounts:preferences"), {"language": "en", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text


def test_staff_can_switch_language_from_the_admin(client, db):
    user = UserFactory(username="reader", role="Staff")
    client.force_login(user)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").text
    assert 'name="language" value="ja" lang="ja">日本語</button>' in page
    response = client.post(reverse("accounts:language"), {"language": "ja", "next": reverse("admin:index")})
    assert response.url == reverse("admin:index")
    assert 'name="language" value="en" lang="en">English</button>' in client.get(response.url).text


def test_japanese_uses_the_terms_of_the_trade():
    with translation.override("ja"):
        assert [Exchange.Kind.SECONDMENT.label, Exchange.Kind.TRAINING.label] == ["出向", "研修"]
        assert [Function.MANUFACTURING.label, Function.QUALITY_ASSURANCE.label, Function.QUALITY_CONTROL.label] == [
            "製造",
            "品質保証",
            "品質管理",
        ]
        assert str(Exchange._meta.verbose_name) == "人材交流"
        assert str(TrainingRecord._meta.verbose_name) == "教育訓練記録"


def test_refusals_and_missing_pages_speak_the_users_language(client, db):
    user = UserFactory(username="reader", role="Staff")
    Profile.objects.create(user=user, language="ja")
    client.force_login(user)
    refused = client.get(reverse("exports:index"))
    assert refused.status_code == 403 and "アクセスできません" in refused.text
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "ページが見つかりません" in missing.text


def test_the_role_editor_names_permissions_in_the_readers_language(client, db):
    as_user_speaking(client, "ja")
    staff = Group.objects.get(name="Staff")
    page = client.get(reverse("admin:auth_group_change", args=[staff.pk])).text
    assert "提携先 | 人材交流 | 人材交流を追加できる" in page
    assert "監査証跡を閲覧できる" in page  # a permission of our own, by its name in the catalog
    assert "Can add" not in page and "historical" not in page


def test_an_administrator_sets_a_new_colleagues_preferences(admin_client, alliance):
    colleague = UserFactory(username="newcomer", role="Staff")
    url = reverse("admin:auth_user_change", args=[colleague.pk])
    assert "profile-0-time_zone" in admin_client.get(url).text
    response = admin_client.post(
        url,
        {
            "username": "newcomer",
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name="Staff").pk],
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-language": "ja",
            "profile-0-time_zone": "Asia/Tokyo",
            "profile-0-year_basis": "",
            "change_reason": "Preferences set before the first login",
            "record_version": version_of(User, colleague.pk),
        },
    )
    assert response.status_code == 302, response.text
    assert (colleague.profile.language, colleague.profile.time_zone) == ("ja", "Asia/Tokyo")
    client = type(admin_client)()
    client.force_login(colleague)
    assert "提携ダッシュボード" in client.get(reverse("milestones:dashboard"), HTTP_ACCEPT_LANGUAGE="en").text


def test_saving_preferences_puts_the_new_language_in_the_cookie(client, db):
    user = UserFactory(username="reader", role="Manager")
    Profile.objects.create(user=user, language="en")
    client.force_login(user)
    response = client.post(reverse("accounts:preferences"), {"language": "ja", "time_zone": "Asia/Tokyo"})
    assert response.cookies["django_language"].value == "ja"
