"""Portal-wide request and response guards: the Content-Security-Policy header and NUL bytes in input."""

from csp.middleware import CSPMiddleware
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

NUL = "\x00"

NUL_BYTE_MESSAGE = (
    "Введённые данные содержат недопустимый символ (нулевой байт). Ничего не изменено. "
    "Вернитесь назад, уберите этот символ из поля — он мог попасть туда при копировании текста "
    "из другой программы — и повторите действие."
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, minus PDF responses.

    Chromium shows a PDF in a built-in viewer page of its own; under a policy with `object-src 'none'`
    and no inline styles that page stays blank, so a plan or a protocol could no longer be read in the
    browser. A PDF runs no script of ours, so leaving it without the header gives nothing away.
    """

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/pdf"):
            return response
        return super().process_response(request, response)


def _form_data(request):
    """The query string, and for a POST its form fields.

    Uploaded file names need no check: Django's multipart parser already drops unprintable characters
    from them. A POST body that cannot be read as a form (broken multipart, JSON) is left to the view
    and the CSRF check, which answer it as they did before.
    """
    yield from request.GET.lists()
    if request.method != "POST":
        return
    try:
        posted = request.POST
    except (MultiPartParserError, UnreadablePostError):
        return
    yield from posted.lists()


def carries_nul(request) -> bool:
    if NUL in request.path:
        return True
    return any(NUL in key or any(NUL in value for value in values) for key, values in _form_data(request))


class RejectNulBytesMiddleware:
    """Answer 400 to a request that carries a NUL byte in its path, a query parameter or a form field.

    PostgreSQL cannot store or even compare a string with NUL in it: a search or a save with "%00" used
    to end in a 500. No one types a NUL; it comes from a paste out of another program, a broken client or
    someone probing. Refusing (rather than silently stripping it) means what is saved or searched is
    always exactly what was sent, and the person is told why nothing happened and what to do.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if carries_nul(request):
            return render(request, "400.html", {"reason": NUL_BYTE_MESSAGE}, status=400)
        return self.get_response(request)


class RegionTimeZoneMiddleware:
    """Pages show times in the viewer's region (issue 13): the time zone of the viewer's region is active
    while the request is answered, so `|date`, `|time` and timezone.localtime() give local times (an entry
    at 12:00 UTC reads 20:00 to a user in Buryatia). Looked up at login and kept in the session
    (network.clock.remember_viewer_zone); deactivated afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import timezone

        from network.clock import viewer_zone

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        timezone.activate(viewer_zone(request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
