"""`Authorization: Token mts_…` (or `Bearer mts_…`): the user of an api.ApiToken, found by the key's hash."""

import datetime

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken, digest_of

SCHEMES = (b"token", b"bearer")
# last_used_at is written at most this often: a busy client does not turn every read into a write.
TOUCH_EVERY = datetime.timedelta(minutes=5)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in SCHEMES:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Неверный заголовок Authorization: ожидается «Token <ключ>».")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Ключ API содержит недопустимые символы.") from None
        token = ApiToken.objects.select_related("user").filter(digest=digest_of(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Ключ API не найден или отозван.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("Учётная запись владельца ключа отключена.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
