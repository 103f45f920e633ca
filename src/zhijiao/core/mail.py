"""Mail backend: store every message in the outbox, and forward through SMTP when one is configured."""

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils import timezone

from zhijiao.core.models import OutboxMessage


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        smtp = SMTPBackend(fail_silently=self.fail_silently) if settings.ZJ_SMTP_HOST else None
        count = 0
        for message in email_messages:
            stored = OutboxMessage.objects.create(
                to=", ".join(message.to), subject=message.subject[:300], body=message.body
            )
            if smtp is not None and smtp.send_messages([message]):
                stored.sent_at = timezone.now()
                stored.save(update_fields=["sent_at"])
            count += 1
        return count
