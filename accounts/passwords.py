"""Password reset that tells nobody which e-mails have accounts and cannot be used to flood mailboxes.

The answer must not reveal whether an address is known, neither by its text (Django already says the same
thing) nor by its timing. Before, a known address rendered and sent a letter inside the request (an SMTP
round trip of 0.1–1 s) and an unknown one returned at once. Now both paths do the same work: a letter is
rendered for a decoy account when nobody has the address, sending happens in a background thread in both
cases, and the response waits until a fixed time after the request began.
"""

import logging
import math
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.mail import EmailMultiAlternatives
from django.db.models import Min
from django.template import loader
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .lockouts import client_ip
from .models import PasswordResetRequest

log = logging.getLogger("accounts.security")

WINDOW = timedelta(hours=1)


def email_hash(email: str) -> str:
    return salted_hmac("accounts.password-reset", email.strip().lower()).hexdigest()


def reset_refusal(ip_address: str | None, email: str) -> str | None:
    """Why this request must wait (a Russian sentence), or None when it is within the limits."""
    since = timezone.now() - WINDOW
    PasswordResetRequest.objects.filter(at__lt=since).delete()  # the counter only ever needs the last hour
    recent = PasswordResetRequest.objects.filter(at__gte=since)
    for rows, limit in (
        (recent.filter(ip_address=ip_address), settings.PASSWORD_RESET_PER_ADDRESS),
        (recent.filter(email_hash=email_hash(email)), settings.PASSWORD_RESET_PER_EMAIL),
    ):
        if rows.count() >= limit:
            oldest = rows.aggregate(first=Min("at"))["first"]
            minutes = max(1, math.ceil((oldest + WINDOW - timezone.now()).total_seconds() / 60))
            return (
                f"Слишком много запросов на восстановление пароля. Повторите через {minutes} мин. "
                f"Если письмо не приходит, проверьте папку «Спам» или обратитесь к администратору региона."
            )
    return None


class PortalPasswordResetForm(PasswordResetForm):
    """Renders letters without sending them; an unknown address gets a letter for a decoy account."""

    def get_users(self, email):
        users = list(super().get_users(email))
        if users:
            return users
        # Never saved, never sent: it only makes the unknown address cost the same token and templates.
        decoy = get_user_model()(username="", email=email, password="!")
        decoy.is_decoy = True
        return [decoy]

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        letter = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name is not None:
            letter.attach_alternative(loader.render_to_string(html_email_template_name, context), "text/html")
        if not getattr(context["user"], "is_decoy", False):
            self.letters.append(letter)

    def save(self, *args, **kwargs):
        self.letters = []
        super().save(*args, **kwargs)
        return self.letters


def send_letters(letters) -> None:
    for letter in letters:
        try:
            letter.send()
        except Exception:
            log.exception("Не удалось отправить письмо для восстановления пароля")


class PortalPasswordResetView(PasswordResetView):
    form_class = PortalPasswordResetForm

    def form_valid(self, form):
        ip_address = client_ip(self.request)
        email = form.cleaned_data["email"]
        refusal = reset_refusal(ip_address, email)
        if refusal:
            form.add_error(None, refusal)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        PasswordResetRequest.objects.create(ip_address=ip_address, email_hash=email_hash(email))

        deadline = time.monotonic() + settings.PASSWORD_RESET_MIN_SECONDS
        letters = form.save(
            use_https=self.request.is_secure(),
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        # A thread in both cases (an empty one for an unknown address); a slow mail server finishes after
        # the response instead of stretching it.
        sender = threading.Thread(target=send_letters, args=(letters,), name="password-reset-mail", daemon=True)
        sender.start()
        sender.join(timeout=max(0.0, deadline - time.monotonic()))
        time.sleep(max(0.0, deadline - time.monotonic()))
        return super(PasswordResetView, self).form_valid(form)  # the redirect, without Django's second save()
