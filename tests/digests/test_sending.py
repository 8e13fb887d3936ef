"""Who is sent a digest, when, in which language, and never twice for one day."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import Profile
from digests.models import DigestSent
from digests.services import Result
from tests.digests.conftest import reader, send, today_in_tokyo
from tests.factories import ActionFactory, ExchangeFactory

DAY = datetime.timedelta(days=1)


@pytest.fixture
def overdue(alliance):
    return ActionFactory(
        partnership=alliance.partnership,
        owner=alliance.agc_person,
        due_on=today_in_tokyo() - 3 * DAY,
        title="Send the CAPA plan",
    )


def test_the_digest_is_plain_text_and_html_with_absolute_links(overdue):
    outcome, body = send(reader("manager", roles.MANAGER))
    message = mail.outbox[0]
    assert message.to == ["manager@example.com"]
    assert "https://alliance.example.com/governance/meetings/" in body or "https://alliance.example.com/" in body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert '<a href="https://alliance.example.com/account/preferences/">' in html
    assert "Send the CAPA plan</a>" in html
    assert message.extra_headers["List-Unsubscribe"] == "<https://alliance.example.com/account/preferences/>"


def test_text_is_not_html_escaped_and_html_is(alliance):
    ActionFactory(
        partnership=alliance.partnership, owner=alliance.agc_person, due_on=today_in_tokyo() - DAY, title="R&D <plan>"
    )
    send(reader("manager", roles.MANAGER))
    assert "R&D <plan>" in mail.outbox[0].body
    assert "R&amp;D &lt;plan&gt;" in mail.outbox[0].alternatives[0][0]


def test_a_japanese_reader_gets_the_digest_in_japanese(overdue):
    send(reader("kenji", roles.MANAGER, language="ja"))
    message = mail.outbox[0]
    assert "ダイジェスト" in message.subject
    assert "== 期限超過のアクション ==" in message.body
    assert 'lang="ja"' in message.alternatives[0][0]


def test_the_day_is_the_readers_own_day_in_their_time_zone(alliance):
    # 23:30 in London on 1 March is 08:30 on 2 March in Tokyo: fourteen days on, Tokyo reaches 16 March.
    now = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_site=alliance.shinagawa,
        host_supervisor=alliance.medinet_supervisor,
        planned_start=datetime.date(2026, 3, 16),
        planned_end=datetime.date(2026, 6, 30),
    )
    tokyo = reader("tokyo", roles.STAFF, zone="Asia/Tokyo")
    london = reader("london", roles.STAFF, zone="Europe/London")

    assert send(tokyo, now=now)[0].result == Result.SENT
    assert send(london, now=now)[0].result == Result.NOTHING
    assert DigestSent.objects.get(user=tokyo).day == datetime.date(2026, 3, 2)
    assert "16 March 2026" in mail.outbox[0].body


def test_a_digest_is_sent_once_per_day_and_again_the_next_day(overdue):
    manager = reader("manager", roles.MANAGER)
    assert send(manager)[0].result == Result.SENT
    assert send(manager)[0].result == Result.ALREADY
    assert len(mail.outbox) == 1
    assert send(manager, day=today_in_tokyo() + DAY)[0].result == Result.SENT
    assert DigestSent.objects.filter(user=manager).count() == 2


def test_nothing_is_sent_or_recorded_when_there_is_nothing_to_say(alliance):
    manager = reader("manager", roles.MANAGER)
    assert send(manager)[0].result == Result.NOTHING
    assert mail.outbox == [] and not DigestSent.objects.exists()


def test_opted_out_inactive_and_addressless_users_are_skipped(overdue):
    opted_out = reader("quiet", roles.MANAGER)
    Profile.objects.filter(user=opted_out).update(receives_digest=False)
    opted_out.profile.refresh_from_db()
    assert send(opted_out)[0].result == Result.OPTED_OUT
    assert send(reader("gone", roles.MANAGER, is_active=False))[0].result == Result.INACTIVE
    addressless = reader("nomail", roles.MANAGER)
    addressless.email = ""
    assert send(addressless)[0].result == Result.NO_EMAIL
    assert mail.outbox == []


def test_the_digest_waits_for_the_hour_of_the_readers_own_day(overdue, settings):
    settings.DIGEST_HOUR = 7
    manager = reader("manager", roles.MANAGER, zone="Asia/Tokyo")
    six_in_tokyo = datetime.datetime(2026, 11, 26, 21, 0, tzinfo=datetime.UTC)
    assert send(manager, now=six_in_tokyo)[0].result == Result.NOT_YET
    assert send(manager, now=six_in_tokyo + datetime.timedelta(hours=1))[0].result == Result.SENT


def test_the_preferences_page_turns_the_digest_off(staff_client):
    response = staff_client.post(
        reverse("accounts:preferences"), {"language": "", "time_zone": "Asia/Tokyo", "year_basis": ""}
    )
    assert response.status_code == 302
    assert Profile.objects.get(user__username="staff").receives_digest is False
    page = staff_client.get(reverse("accounts:preferences")).content.decode()
    assert "Daily email digest" in page


def test_a_new_profile_receives_the_digest(db):
    assert Profile().receives_digest is True


def test_a_failed_send_records_nothing_so_the_next_run_tries_again(overdue, monkeypatch):
    reader("manager", roles.MANAGER)

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(Exception, match="1 digest"):
        call_command("send_digests", stdout=out, stderr=err)
    assert "SMTP server down" in err.getvalue()
    assert not DigestSent.objects.exists()


def test_the_command_prints_a_line_per_digest_and_a_summary_of_the_rest(overdue):
    reader("manager", roles.MANAGER)
    reader("staff", roles.STAFF)
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("sent       manager <manager@example.com>") and "1 overdue action" in lines[0]
    assert "sent 1; skipped" in lines[-1] and "nothing to say" in lines[-1]
    assert len(mail.outbox) == 1


def test_dry_run_prints_the_digest_and_neither_sends_nor_records(overdue):
    reader("manager", roles.MANAGER)
    out = io.StringIO()
    call_command("send_digests", "--dry-run", "--date", today_in_tokyo().isoformat(), stdout=out)
    assert "Send the CAPA plan" in out.getvalue()
    assert "would send 1" in out.getvalue()
    assert mail.outbox == [] and not DigestSent.objects.exists()


def test_the_window_reaches_back_a_week_at_most(alliance):
    from digests.services import window_start

    manager = reader("manager", roles.MANAGER)
    now = timezone.now()
    DigestSent.objects.create(user=manager, day=today_in_tokyo() - 30 * DAY, sent_at=now - 30 * DAY)
    assert window_start(manager, today_in_tokyo(), now) == now - 7 * DAY


VNU = Path(__file__).resolve().parents[2] / "tools" / "a11y" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.mark.skipif(
    not VNU.exists() or shutil.which("java") is None,
    reason="the Nu Html Checker needs tools/a11y (npm ci --ignore-scripts) and Java",
)
def test_the_html_part_is_valid_html_in_either_language(overdue, tmp_path):
    files = []
    for language in ("en", "ja"):
        send(reader(f"reader-{language}", roles.MANAGER, roles.STAFF, roles.AUDITOR, language=language))
        files.append(tmp_path / f"{language}.html")
        files[-1].write_text(mail.outbox[-1].alternatives[0][0], encoding="utf-8")
    checked = subprocess.run(
        [shutil.which("java"), "-jar", str(VNU), "--errors-only", *map(str, files)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
