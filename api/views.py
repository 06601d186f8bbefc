"""The read-only API, version 1: every list is the model's `restrict(user, "view")` (the pages' one door),
a detail is an object of that list (else 404), reads of people and memberships go to the 152-ФЗ journal.

Each list costs a fixed number of queries whatever the size of the network: the page query (cursor
pagination never counts the register), the user's grants, and at most one query per prefetched relation
(the chains of the units, the subjects of the people, the results of the monitoring rows) and one insert
into the journal."""

import math
from functools import reduce
from operator import or_

from django.db.models import F, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from events.models import Event
from meetings.models import Meeting
from monitoring.models import MonitoringCampaign, Result, Row
from network.clock import today_of
from orders.models import Order
from orgunits.models import DocumentType, OrgUnit
from people.models import Membership, Person, PersonalDataAccess
from people.services import log_personal_data_many
from submissions import dashboard
from submissions.models import Submission
from submissions.reminders import last_reminded
from submissions.services import campaigns_for

from . import filters, serializers
from .schema import described


def seconds_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} секунду"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} секунды"
    return f"{n} секунд"


class ApiViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of a restricted register: the list is `queryset.restrict(user, "view")`."""

    lookup_value_converter = "int"
    model = None
    related: tuple[str, ...] = ()

    def base_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        qs = self.base_queryset().restrict(self.request.user, "view")
        return qs.select_related(*self.related) if self.related else qs

    def throttled(self, request, wait):
        exc = exceptions.Throttled(
            detail="Слишком много запросов к API."
            + (f" Повторите через {seconds_ru(math.ceil(wait))}." if wait is not None else " Повторите позже.")
        )
        exc.wait = math.ceil(wait) if wait is not None else None
        raise exc

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(
                "Нужна авторизация: передайте заголовок «Authorization: Token <ключ>» "
                "(ключ — на странице «Доступ к API» портала)."
            )
        super().permission_denied(request, message, code)


class PersonalDataMixin:
    """152-ФЗ: every person whose data a response carries is written to the journal, one row each, in one
    insert for a page (people.services.log_personal_data_many, as the people list does)."""

    pd_details = ""

    def person_ids(self, objects) -> list[int]:  # pragma: no cover - overridden
        raise NotImplementedError

    def log_read(self, objects):
        ids = list(dict.fromkeys(self.person_ids(objects)))
        if ids:
            log_personal_data_many(self.request.user, ids, PersonalDataAccess.Action.VIEW, self.pd_details)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.log_read(page if page is not None else [])
        return page

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self.log_read([obj])
        return Response(self.get_serializer(obj).data)


def chains_of(units) -> dict[int, list[dict]]:
    """The ancestors of each unit, from the region's root down, as the API shows them: one query for the page,
    each ancestor made into a dict once however many units of the page sit below it."""
    units = list(units)
    conditions = [Q(tree_id=u.tree_id, lft__lt=u.lft, rght__gt=u.rght) for u in units if u.parent_id]
    if not conditions:
        return {}
    above = [
        (a.tree_id, a.lft, a.rght, {"id": a.pk, "name": a.name, "short_name": a.short_name, "kind": a.kind.code})
        for a in OrgUnit.objects.filter(reduce(or_, conditions))
        .select_related("kind")
        .only("pk", "name", "short_name", "kind__code", "tree_id", "lft", "rght")
        .order_by("tree_id", "lft")
    ]
    return {
        u.pk: [ref for tree_id, lft, rght, ref in above if tree_id == u.tree_id and lft < u.lft and rght > u.rght]
        for u in units
    }


@extend_schema_view(
    list=described("Подразделения", "Подразделения, которые пользователь видит на портале, с цепочкой вышестоящих."),
    retrieve=described("Подразделение", "Подразделение с цепочкой вышестоящих; не видимое пользователю — 404."),
)
class UnitViewSet(ApiViewSet):
    model = OrgUnit
    related = ("kind", "region")
    serializer_class = serializers.UnitSerializer
    filterset_class = filters.UnitFilter

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["chains"] = getattr(self, "chains", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.chains = chains_of(page or [])
        return page

    def get_object(self):
        unit = super().get_object()
        self.chains = chains_of([unit])
        return unit


@extend_schema_view(
    list=described(
        "Педагоги",
        "Карточки педагогов, которые пользователь может открыть на портале (то же правило, что у раздела "
        "«Педагоги»). Каждое чтение записывается в журнал доступа к персональным данным (152-ФЗ).",
    ),
    retrieve=described("Педагог", "Карточка педагога; чтение записывается в журнал 152-ФЗ."),
)
class PersonViewSet(PersonalDataMixin, ApiViewSet):
    model = Person
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilter
    pd_details = "API: карточки педагогов"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("subjects")

    def person_ids(self, objects):
        return [p.pk for p in objects]


@extend_schema_view(
    list=described(
        "Членство",
        "Составы подразделений, которые пользователь видит. Каждый педагог страницы записывается в журнал "
        "доступа к персональным данным (152-ФЗ).",
    ),
    retrieve=described("Членство", "Одна запись о членстве; чтение записывается в журнал 152-ФЗ."),
)
class MembershipViewSet(PersonalDataMixin, ApiViewSet):
    model = Membership
    serializer_class = serializers.MembershipSerializer
    filterset_class = filters.MembershipFilter
    pd_details = "API: членство в подразделениях"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(None)
            .select_related("person")
            .only(
                "pk",
                "unit_id",
                "role",
                "starts_on",
                "ends_on",
                "left_on",
                "person__id",
                "person__last_name",
                "person__first_name",
                "person__middle_name",
            )
        )

    def person_ids(self, objects):
        return [m.person_id for m in objects]


@extend_schema_view(
    list=described(
        "Кампании",
        "Кампании планов и отчётов регионов, где пользователь видит подразделения: даты открытия, срока и "
        "закрытия; состояние каждого подразделения — по ссылке units_url.",
    ),
    retrieve=described("Кампания", "Кампания с датами; кампания региона, которого пользователь не видит, — 404."),
)
class CampaignViewSet(ApiViewSet):
    serializer_class = serializers.CampaignSerializer
    filterset_class = filters.CampaignFilter

    def get_queryset(self):
        # Campaigns are regional, not a unit's rows: seen wherever one sees a unit of the region — the rule of
        # the campaign pages (submissions.services.campaigns_for). Candidacies ride on campaigns nobody files in.
        return (
            campaigns_for(self.request.user)
            .filter(document_type__in=[DocumentType.PLAN, DocumentType.REPORT])
            .prefetch_related("filer_kinds")
        )


@extend_schema_view(
    list=extend_schema(
        summary="Состояние документов кампании по подразделениям",
        description="Подразделения, которые должны представить документ кампании и которые пользователь видит: "
        "состояние документа на сегодня (в часовом поясе региона), даты представления и согласования, "
        "когда напоминали. Как сводка кампании на портале; кампания, которой пользователь не видит, — 404.",
    )
)
class CampaignUnitViewSet(ApiViewSet):
    """/campaigns/<pk>/units/: the campaign's dashboard rows (submissions.dashboard), the expected units restricted."""

    serializer_class = serializers.CampaignUnitSerializer
    filterset_class = filters.CampaignUnitFilter
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no campaign in the URL
            return OrgUnit.objects.none()
        user = self.request.user
        campaign = get_object_or_404(
            campaigns_for(user).filter(document_type__in=[DocumentType.PLAN, DocumentType.REPORT]),
            pk=self.kwargs["pk"],
        )
        today = today_of(campaign, timezone.now())
        return (
            dashboard.with_submission(campaign.expected_units().restrict(user, "view"), campaign)
            .annotate(
                dash_state=dashboard.state_expression(campaign, today),
                sub_id=F("sub__id"),
                submitted_on=F("sub__first_submitted_on"),
                on_time=F("sub__on_time"),
                approved_at=F("sub__approved_at"),
                approver_id=F("sub__approver_id"),
                historical=F("sub__historical"),
                last_reminded=last_reminded(campaign),
            )
            .select_related("kind")
        )


class SubmissionViewSet(ApiViewSet):
    model = Submission
    document_type = ""
    related = ("campaign", "unit__kind")
    serializer_class = serializers.SubmissionSerializer
    filterset_class = filters.SubmissionFilter

    def base_queryset(self):
        kind = self.document_type
        return Submission.objects.filter(Q(campaign__document_type=kind) | Q(campaign__isnull=True, own_kind=kind))


@extend_schema_view(
    list=described(
        "Планы работы",
        "Планы работы подразделений, которые пользователь видит: состояние и даты, без "
        "содержания (оно — на странице и в PDF по ссылкам).",
    ),
    retrieve=described("План работы", "План работы: состояние и даты."),
)
class PlanViewSet(SubmissionViewSet):
    document_type = DocumentType.PLAN


@extend_schema_view(
    list=described(
        "Годовые отчёты", "Годовые отчёты подразделений, которые пользователь видит: состояние и даты, без содержания."
    ),
    retrieve=described("Годовой отчёт", "Годовой отчёт: состояние и даты."),
)
class ReportViewSet(SubmissionViewSet):
    document_type = DocumentType.REPORT


@extend_schema_view(
    list=described("Заседания", "Заседания подразделений, которые пользователь видит: дата, форма, статус протокола."),
    retrieve=described("Заседание", "Заседание и статус его протокола."),
)
class MeetingViewSet(ApiViewSet):
    model = Meeting
    serializer_class = serializers.MeetingSerializer
    filterset_class = filters.MeetingFilter


@extend_schema_view(
    list=described("Приказы", "Приказы подразделений, которые пользователь видит: реквизиты, заголовок, статус."),
    retrieve=described("Приказ", "Приказ: реквизиты, заголовок, статус."),
)
class OrderViewSet(ApiViewSet):
    model = Order
    serializer_class = serializers.OrderSerializer
    filterset_class = filters.OrderFilter

    def get_queryset(self):
        return super().get_queryset().defer("purpose", "search")


@extend_schema_view(
    list=described(
        "Мероприятия", "Мероприятия и конкурсы подразделений, которые пользователь видит, с числом участников."
    ),
    retrieve=described("Мероприятие", "Мероприятие с числом участников."),
)
class EventViewSet(ApiViewSet):
    model = Event
    serializer_class = serializers.EventSerializer
    filterset_class = filters.EventFilter

    def get_queryset(self):
        return super().get_queryset().with_participant_count().defer("description", "search")


@extend_schema_view(
    list=described(
        "Кампании мониторинга", "Мониторинг эффективности, который пользователь видит, с показателями набора."
    ),
    retrieve=described("Кампания мониторинга", "Кампания мониторинга с показателями набора."),
)
class MonitoringCampaignViewSet(ApiViewSet):
    model = MonitoringCampaign
    related = ("root", "indicator_set")
    serializer_class = serializers.MonitoringCampaignSerializer
    filterset_class = filters.MonitoringCampaignFilter

    def get_queryset(self):
        return super().get_queryset().prefetch_related("indicator_set__indicators")


@extend_schema_view(
    list=described(
        "Результаты мониторинга",
        "Строки результатов (подразделение или школа): баллы по каждому показателю, сумма. Видны строки "
        "кампаний, которые пользователь видит, и строки подразделений, которые он видит, — как на портале.",
    ),
    retrieve=described("Результат мониторинга", "Строка результатов с баллами по показателям."),
)
class MonitoringRowViewSet(ApiViewSet):
    serializer_class = serializers.MonitoringRowSerializer
    filterset_class = filters.MonitoringRowFilter

    def get_queryset(self):
        user = self.request.user
        # The campaign page shows every row of a campaign one sees; a row's own page, the rows of the units one
        # sees (monitoring.views.get_row): both through restrict().
        campaigns = MonitoringCampaign.objects.restrict(user, "view").values("pk")
        units = OrgUnit.objects.restrict(user, "view").values("pk")
        results = Result.objects.select_related("indicator").only(
            "pk",
            "row_id",
            "indicator__code",
            "source",
            "numerator",
            "denominator",
            "percent",
            "score",
            "note",
        )
        return Row.objects.filter(Q(campaign__in=campaigns) | Q(guard__in=units)).prefetch_related(
            Prefetch("results", queryset=results.order_by("indicator__position", "pk"))
        )


class DocsView(TemplateView):
    """/api/v1/docs/: the endpoints and their filters, rendered by the server from the OpenAPI schema (no
    script from elsewhere: the portal's Content-Security-Policy allows none)."""

    template_name = "api/docs.html"

    def get_context_data(self, **kwargs):
        from .schema import endpoints, schema_dict

        schema = schema_dict()
        return super().get_context_data(info=schema["info"], endpoints=endpoints(schema), **kwargs)
