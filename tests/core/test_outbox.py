"""The outbox page: the system administrator reads the mail the platform sent (with no mail server, the
only way a password-reset link reaches its owner), and every message opened is recorded."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import make_user, signed_in
from zhijiao.core import selectors
from zhijiao.core.models import AuditEntry, OutboxMessage

pytestmark = pytest.mark.django_db

OUTBOX_URL = reverse("manage:outbox")


def listed_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-message="(\d+)"', response.content.decode())]


def send(n: int = 1) -> list[OutboxMessage]:
    for i in range(n):
        mail.send_mail(f"Subject {i}", f"Body {i}", None, [f"person{i}@example.cn"])
    return list(OutboxMessage.objects.order_by("-id")[:n])


@pytest.fixture
def sysadmin(people):
    return signed_in(people["sysadmin"])


@pytest.fixture(autouse=True)
def _outbox_backend(settings):
    # pytest-django swaps in the in-memory backend; the outbox page is about the real one.
    settings.EMAIL_BACKEND = "zhijiao.core.mail.OutboxBackend"
    settings.ZJ_SMTP_HOST = ""


@pytest.mark.parametrize("who", ["auditor", "secadmin", "county_a_admin", "pupil_a"])
def test_only_the_system_admin_opens_the_outbox(people, who):
    message = send()[0]
    client = signed_in(people[who])
    assert client.get(OUTBOX_URL).status_code == 403
    assert client.get(OUTBOX_URL, {"message": message.pk}).status_code == 403
    assert not AuditEntry.objects.filter(action="outbox.read").exists()


def test_anonymous_visitor_is_sent_to_sign_in(db):
    response = Client().get(OUTBOX_URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("identity:login"))


def test_list_is_newest_first_and_does_not_show_bodies(sysadmin):
    sent = send(3)
    response = sysadmin.get(OUTBOX_URL)
    assert listed_ids(response) == [m.pk for m in sent]
    assert "Body 0" not in response.content.decode()
    assert not AuditEntry.objects.filter(action="outbox.read").exists()


def test_pages_go_older_without_overlap(sysadmin):
    send(selectors.OUTBOX_PAGE_SIZE + 5)
    first = sysadmin.get(OUTBOX_URL)
    older = first.context["page"].older
    second = sysadmin.get(OUTBOX_URL, {"before": older})
    assert len(listed_ids(first)) == selectors.OUTBOX_PAGE_SIZE and len(listed_ids(second)) == 5
    assert not set(listed_ids(first)) & set(listed_ids(second))
    assert max(listed_ids(second)) < min(listed_ids(first))


def test_reading_a_message_is_audited(people, sysadmin):
    message = send()[0]
    response = sysadmin.get(OUTBOX_URL, {"message": message.pk})
    assert response.status_code == 200
    assert "Body 0" in response.content.decode()
    entry = AuditEntry.objects.get(action="outbox.read")
    assert entry.actor == people["sysadmin"]
    assert (entry.target_type, entry.target_id) == ("core.outboxmessage", str(message.pk))
    assert entry.detail == {"to": "person0@example.cn", "subject": "Subject 0"}


def test_missing_message_is_404(sysadmin):
    assert sysadmin.get(OUTBOX_URL, {"message": 424242}).status_code == 404


def test_without_smtp_the_page_says_links_are_delivered_by_hand(settings, sysadmin):
    from django.utils.translation import gettext as _

    with translation.override("zh-hans"):
        no_server = _("No mail server is configured (ZJ_SMTP_HOST is empty), so no message leaves the "
                      "platform: they are only kept here.")
    assert no_server in sysadmin.get(OUTBOX_URL).content.decode()
    settings.ZJ_SMTP_HOST = "smtp.example.cn"
    assert no_server not in sysadmin.get(OUTBOX_URL).content.decode()


def test_operator_can_hand_over_a_password_reset_link(tree, people, sysadmin):
    make_user("forgetful", email="forgetful@example.cn")
    Client().post(reverse("identity:password-reset"), {"email": "forgetful@example.cn"})
    message = OutboxMessage.objects.get(to="forgetful@example.cn")
    assert message.sent_at is None
    page = sysadmin.get(OUTBOX_URL, {"message": message.pk}).content.decode()
    link = re.search(r"https?://testserver(/accounts/password/reset/[^\s<]+)", page).group(1)
    assert Client().get(link, follow=True).context["validlink"] is True
    assert AuditEntry.objects.filter(action="outbox.read", target_id=str(message.pk)).exists()
