"""Expertise of methodological developments and the bank of practices (issue 5, part 3)."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest  # django-axes checks every login against its request
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from history.models import LogEntry
from network.models import Notification
from people.models import Subject
from practices import files, services
from practices.models import Development, DevelopmentFile, ExpertAssignment, State
from submissions.forms import CampaignForm
from workflow.engine import moves_of

from . import factories as f

NOW = timezone.make_aware(datetime.datetime(2026, 10, 15, 10, 0))
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def upload(name="Разработка.pdf", content=PDF):
    return SimpleUploadedFile(name, content)


def subject(name="Математика"):
    return Subject.objects.get_or_create(name=name)[0]


TITLE = "Система заданий по функциональной грамотности"


def description(**kwargs):
    data = {
        "title": TITLE,
        "annotation": "Двадцать заданий с критериями оценивания.",
        "subject": subject(),
        "level": "ooo",
        "material": "didactic",
        "topic": "Функциональная грамотность, 5 класс",
    }
    return {**data, **kwargs}


def new_dev(net, unit=None, author=None, by=None, **kwargs):
    return services.create(
        unit=unit or net.terek_rmo,
        author=author or net.users.teacher_person,
        by=by or net.users.teacher,
        data=description(**kwargs),
        uploaded=upload(),
        now=NOW,
    )


STEPS = ["submitted", "in_expertise", "concluded", "recommended", "published"]


def advance(net, dev, target, expert=None):
    """Run the real workflow up to `target`; the reviewer is the expert unless told otherwise."""
    reviewer = net.users.reviewer
    expert = expert or reviewer
    dev.refresh_from_db()
    start = {"draft": 0, "submitted": 1, "resubmitted": 1, "in_expertise": 2, "recommended": 4}[dev.state]
    for step in STEPS[start : STEPS.index(target) + 1]:
        dev.refresh_from_db()
        if step == "submitted":
            services.submit(dev, net.users.teacher, NOW, dev.version)
        elif step == "in_expertise":
            services.assign(dev, [expert], reviewer, NOW, dev.version)
        elif step == "concluded":
            assignment = dev.assignments.get(expert=expert, round=dev.round)
            services.conclude(assignment, expert, "recommend", "Рекомендую.", NOW)
        elif step == "recommended":
            services.decide(dev, reviewer, "recommend", "", NOW, dev.version)
        elif step == "published":
            services.publish(dev, reviewer, NOW, dev.version)
    dev.refresh_from_db()
    return dev


def rumo_expert(net, username="expert2"):
    """A login whose person is an active member of РУМО: may be assigned as an expert."""
    user = f.UserFactory(username=username, first_name="Елена", last_name="Экспертова")
    person = f.PersonFactory(region=net.region, user=user)
    f.member(person, net.rumo)
    return user


def form_data(**kwargs):
    data = {
        "author": "",
        "title": "Технологическая карта урока",
        "annotation": "Урок по теме «Дроби».",
        "subject": subject().pk,
        "level": "ooo",
        "material": "lesson",
        "topic": "дроби, 5 класс",
    }
    return {**data, **kwargs}


# -- the whole route ---------------------------------------------------------------------------------


def test_route_from_submission_to_the_bank(net, login, client):
    teacher, reviewer = net.users.teacher, net.users.reviewer
    expert2 = rumo_expert(net)
    c = login(teacher)
    response = c.post(
        reverse("practices:add", args=[net.terek_rmo.pk]),
        form_data(author=net.users.teacher_person.pk, file=upload("Урок.docx", DOCX)),
    )
    dev = Development.objects.get()
    assert response.status_code == 302 and response.url == dev.get_absolute_url()
    assert dev.state == State.DRAFT and dev.files.count() == 1

    c.post(reverse("practices:submit", args=[dev.pk]), {"expected_version": dev.version})
    dev.refresh_from_db()
    assert dev.state == State.SUBMITTED and dev.expertise_unit == net.rumo
    assert Notification.objects.filter(user=reviewer, text__startswith="На экспертизу").exists()

    c = login(reviewer)
    page = c.get(reverse("practices:inbox") + "?tab=assign").content.decode()
    assert dev.title in page
    c.post(
        reverse("practices:assign", args=[dev.pk]),
        {"experts": [reviewer.pk, expert2.pk], "expected_version": dev.version},
    )
    dev.refresh_from_db()
    assert dev.state == State.IN_EXPERTISE
    assert set(dev.assignments.values_list("expert__username", flat=True)) == {"reviewer", "expert2"}
    assert Notification.objects.filter(user=expert2, text__startswith="Вы назначены экспертом").exists()

    c.post(reverse("practices:conclude", args=[dev.pk]), {"verdict": "recommend", "comment": "Сильная разработка."})
    c = login(expert2)
    assert c.get(reverse("practices:conclude", args=[dev.pk])).status_code == 200
    c.post(reverse("practices:conclude", args=[dev.pk]), {"verdict": "revise", "comment": "Уточнить критерии."})
    assert ExpertAssignment.objects.filter(development=dev).exclude(verdict="").count() == 2

    c = login(reviewer)
    page = c.get(dev.get_absolute_url()).content.decode()
    # The most severe conclusion is offered as the decision.
    assert "«вернуть на доработку»" in page
    dev.refresh_from_db()
    c.post(
        reverse("practices:decide", args=[dev.pk]),
        {"verdict": "recommend", "comment": "", "expected_version": dev.version},
    )
    dev.refresh_from_db()
    assert dev.state == State.RECOMMENDED
    assert Notification.objects.filter(user=teacher, text__contains="рекомендована").exists()
    c.post(reverse("practices:publish", args=[dev.pk]), {"expected_version": dev.version})
    dev.refresh_from_db()
    assert dev.state == State.PUBLISHED and dev.published_at is not None
    assert Notification.objects.filter(user=teacher, text__contains="опубликована").exists()

    outsider = login(net.users.outsider)
    assert dev.title in outsider.get(reverse("practices:bank")).content.decode()
    assert outsider.get(reverse("practices:practice", args=[dev.pk])).status_code == 200
    download = outsider.get(reverse("practices:file", args=[dev.current_file.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == DOCX
    history = list(moves_of(dev).values_list("to_state", flat=True))
    assert history[0] == "draft" and history[-1] == "published" and "recommended" in history


def test_revision_round_keeps_the_old_file(net, login):
    dev = advance(net, new_dev(net), "in_expertise")
    services.conclude(dev.assignments.get(), net.users.reviewer, "revise", "Добавьте критерии.", NOW)
    dev.refresh_from_db()
    services.decide(dev, net.users.reviewer, "revise", "Добавьте критерии оценивания.", NOW, dev.version)
    dev.refresh_from_db()
    assert dev.state == State.TO_REVISE

    c = login(net.users.teacher)
    response = c.post(
        reverse("practices:resubmit", args=[dev.pk]),
        {"file": upload("v2.pdf"), "comment": "Добавлены критерии.", "expected_version": dev.version},
    )
    assert response.status_code == 302
    dev.refresh_from_db()
    assert dev.state == State.RESUBMITTED and dev.round == 2
    assert list(dev.files.values_list("number", "round")) == [(1, 0), (2, 2)]
    # A new round: the expert of the first round may be assigned again.
    dev = advance(net, dev, "recommended")
    assert dev.assignments.filter(round=2, verdict="recommend").count() == 1


def test_unpublish_returns_to_recommended_with_a_reason(net, login):
    dev = advance(net, new_dev(net), "published")
    c = login(net.users.reviewer)
    response = c.post(reverse("practices:unpublish", args=[dev.pk]), {"comment": "", "expected_version": dev.version})
    assert response.status_code == 400
    dev.refresh_from_db()
    assert dev.state == State.PUBLISHED
    c.post(
        reverse("practices:unpublish", args=[dev.pk]),
        {"comment": "Нарушены авторские права.", "expected_version": dev.version},
    )
    dev.refresh_from_db()
    assert dev.state == State.RECOMMENDED and dev.published_at is None
    assert dev.title not in c.get(reverse("practices:bank")).content.decode()


# -- permissions -------------------------------------------------------------------------------------

# view, edit, submit, assign, conclusion page, decide, publish — for a development of the teacher,
# sent from the Terek RMO; the reviewer is the assigned expert.
EXPECTED = {
    "admin": (200, 403, 403, 302, 403, 302, 302),
    "reviewer": (200, 403, 403, 302, 200, 302, 302),
    "methodist": (200, 403, 403, 403, 403, 403, 403),
    "secretary": (200, 403, 403, 403, 403, 403, 403),
    "baksan_methodist": (404, 404, 404, 404, 404, 404, 404),
    "shmo_secretary": (404, 404, 404, 404, 404, 404, 404),
    "teacher": (200, 200, 302, 403, 403, 403, 403),
    "outsider": (404, 404, 404, 404, 404, 404, 404),
    "superuser": (200, 200, 302, 302, 403, 302, 302),
    "anonymous": (302, 302, 302, 302, 302, 302, 302),
}
ALLOWED_STATE = {"submit": "submitted", "assign": "in_expertise", "decide": "recommended", "publish": "published"}


@pytest.mark.parametrize("role", f.MATRIX_ROLES)
def test_permission_matrix(net, client, role):
    viewed = advance(net, new_dev(net), "submitted")
    draft = new_dev(net)
    to_assign = advance(net, new_dev(net), "submitted")
    in_expertise = advance(net, new_dev(net), "in_expertise")
    to_decide = advance(net, new_dev(net), "concluded")
    to_publish = advance(net, new_dev(net), "recommended")
    user = None if role == "anonymous" else getattr(net.users, role)
    if user is not None:
        client.force_login(user)
    got = (
        client.get(reverse("practices:development", args=[viewed.pk])).status_code,
        client.get(reverse("practices:edit", args=[draft.pk])).status_code,
        client.post(reverse("practices:submit", args=[draft.pk]), {"expected_version": draft.version}).status_code,
        client.post(
            reverse("practices:assign", args=[to_assign.pk]),
            {"experts": [net.users.reviewer.pk], "expected_version": to_assign.version},
        ).status_code,
        client.get(reverse("practices:conclude", args=[in_expertise.pk])).status_code,
        client.post(
            reverse("practices:decide", args=[to_decide.pk]),
            {"verdict": "recommend", "comment": "", "expected_version": to_decide.version},
        ).status_code,
        client.post(
            reverse("practices:publish", args=[to_publish.pk]), {"expected_version": to_publish.version}
        ).status_code,
    )
    assert got == EXPECTED[role]
    # Only an allowed action changed anything.
    for name, dev, index in [
        ("submit", draft, 2),
        ("assign", to_assign, 3),
        ("decide", to_decide, 5),
        ("publish", to_publish, 6),
    ]:
        dev_state = Development.objects.get(pk=dev.pk).state
        allowed = EXPECTED[role][index] == 302 and role != "anonymous"
        assert (dev_state == ALLOWED_STATE[name]) == allowed, name


def test_only_the_assigned_expert_posts_a_conclusion(net, login):
    dev = advance(net, new_dev(net), "in_expertise")
    response = login(net.users.admin).post(
        reverse("practices:conclude", args=[dev.pk]), {"verdict": "reject", "comment": "Нет."}
    )
    assert response.status_code == 403
    assert not ExpertAssignment.objects.exclude(verdict="").exists()


def test_an_expert_without_rights_on_the_unit_sees_the_development(net, login):
    expert = rumo_expert(net)
    dev = advance(net, new_dev(net), "in_expertise", expert=expert)
    c = login(expert)
    assert c.get(dev.get_absolute_url()).status_code == 200
    assert c.get(reverse("practices:file", args=[dev.current_file.pk])).status_code == 200
    # …but not another development.
    other = advance(net, new_dev(net), "submitted")
    assert c.get(other.get_absolute_url()).status_code == 404


def test_other_experts_conclusions_are_hidden_until_the_decision(net, login):
    expert2 = rumo_expert(net)
    dev = advance(net, new_dev(net), "submitted")
    services.assign(dev, [net.users.reviewer, expert2], net.users.reviewer, NOW, dev.version)
    services.conclude(
        dev.assignments.get(expert=net.users.reviewer), net.users.reviewer, "reject", "Секретный довод.", NOW
    )
    assert "Секретный довод" not in login(expert2).get(dev.get_absolute_url()).content.decode()
    assert "Секретный довод" in login(net.users.reviewer).get(dev.get_absolute_url()).content.decode()


def test_files_of_unpublished_developments_are_not_public(net, login):
    dev = advance(net, new_dev(net), "recommended")
    stored = dev.current_file
    assert login(net.users.outsider).get(reverse("practices:file", args=[stored.pk])).status_code == 404
    assert login(net.users.outsider).get(reverse("practices:practice", args=[dev.pk])).status_code == 404
    assert login(net.users.teacher).get(reverse("practices:file", args=[stored.pk])).status_code == 200


def test_an_old_version_of_a_published_practice_is_not_public(net, login):
    dev = advance(net, new_dev(net), "submitted")
    old = dev.current_file
    dev = advance(net, dev, "in_expertise")
    services.conclude(dev.assignments.get(), net.users.reviewer, "revise", "Доработать.", NOW)
    dev.refresh_from_db()
    services.decide(dev, net.users.reviewer, "revise", "Доработать.", NOW, dev.version)
    dev.refresh_from_db()
    services.resubmit(dev, net.users.teacher, upload("v2.pdf"), "", NOW, dev.version)
    dev.refresh_from_db()
    services.assign(dev, [net.users.reviewer], net.users.reviewer, NOW, dev.version)
    services.conclude(dev.assignments.get(round=2), net.users.reviewer, "recommend", "Да.", NOW)
    dev.refresh_from_db()
    services.decide(dev, net.users.reviewer, "recommend", "", NOW, dev.version)
    dev.refresh_from_db()
    services.publish(dev, net.users.reviewer, NOW, dev.version)
    c = login(net.users.outsider)
    assert c.get(reverse("practices:file", args=[dev.current_file.pk])).status_code == 200
    assert c.get(reverse("practices:file", args=[old.pk])).status_code == 404


@pytest.mark.parametrize(
    ("role", "unit", "status"),
    [
        ("teacher", "terek_rmo", 200),  # a member sends their own work
        ("teacher", "terek", 403),  # sees the unit's name above, is not a member
        ("teacher", "baksan_rmo", 404),
        ("secretary", "terek", 200),  # files for the unit: sends on behalf of its members
        ("outsider", "terek_rmo", 404),
    ],
)
def test_who_may_send_from_a_unit(net, login, role, unit, status):
    assert (
        login(getattr(net.users, role)).get(reverse("practices:add", args=[getattr(net, unit).pk])).status_code
        == status
    )


def test_a_filer_sends_on_behalf_of_a_member(net, login):
    c = login(net.users.secretary)
    author = net.users.methodist_person  # a member of the Terek МунУМО
    response = c.post(reverse("practices:add", args=[net.terek.pk]), form_data(author=author.pk, file=upload()))
    assert response.status_code == 302
    dev = Development.objects.get()
    assert dev.author == author and dev.created_by == net.users.secretary
    # The author sees it in their own list.
    assert dev.title in login(net.users.methodist).get(reverse("practices:mine")).content.decode()


def test_a_member_cannot_name_another_author(net, login):
    response = login(net.users.teacher).post(
        reverse("practices:add", args=[net.terek_rmo.pk]),
        form_data(author=net.users.methodist_person.pk, file=upload()),
    )
    assert response.status_code == 400
    assert "Автором может быть только член этого подразделения." in response.content.decode()
    assert not Development.objects.exists()


def test_the_author_cannot_be_an_expert(net, login):
    teacher_as_reviewer = net.users.teacher
    dev = advance(net, new_dev(net), "submitted")
    assert teacher_as_reviewer not in services.expert_candidates(dev)
    with pytest.raises(ValidationError):
        services.assign(dev, [teacher_as_reviewer], net.users.reviewer, NOW, dev.version)
    response = login(net.users.reviewer).post(
        reverse("practices:assign", args=[dev.pk]),
        {"experts": [net.users.outsider.pk], "expected_version": dev.version},
    )
    assert response.status_code == 400
    assert "не может быть экспертом" in response.content.decode()
    assert not ExpertAssignment.objects.exists()


# -- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (None, None, "Прикрепите файл разработки."),
        ("virus.exe", b"MZ\x90\x00", "Файлы этого типа принять нельзя (.exe)"),
        ("renamed.pdf", b"MZ\x90\x00 not a pdf", "не соответствует расширению .pdf"),
        ("broken.docx", zipped({"hello.txt": b"hi"}), "не является файлом формата документ Word (DOCX)"),
        ("slides.pptx", DOCX, "не является файлом формата презентация PowerPoint (PPTX)"),
        ("empty.zip", zipped({}), "пустой"),
    ],
)
def test_bad_files_are_refused(net, login, name, content, message):
    data = form_data(author=net.users.teacher_person.pk)
    if name:
        data["file"] = upload(name, content)
    response = login(net.users.teacher).post(reverse("practices:add", args=[net.terek_rmo.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Development.objects.exists() and not DevelopmentFile.objects.exists()


def test_a_too_big_file_is_refused(net, login, monkeypatch):
    monkeypatch.setattr(files, "MAX_BYTES", 20)
    data = form_data(author=net.users.teacher_person.pk, file=upload("big.pdf", PDF))
    response = login(net.users.teacher).post(reverse("practices:add", args=[net.terek_rmo.pk]), data)
    assert response.status_code == 400
    assert "слишком большой" in response.content.decode()
    assert not Development.objects.exists()


@pytest.mark.parametrize("name", ["ok.pdf", "ok.docx", "ok.zip", "slides.pptx"])
def test_good_files_are_accepted(name):
    content = {
        "ok.pdf": PDF,
        "ok.docx": DOCX,
        "ok.zip": zipped({"lesson/plan.txt": b"plan"}),
        "slides.pptx": zipped({"ppt/presentation.xml": b"<p/>"}),
    }[name]
    assert files.validate(upload(name, content)) == "." + name.rsplit(".", 1)[1]


def test_required_description_fields(net, login):
    data = form_data(author=net.users.teacher_person.pk, title="  ", topic="", file=upload())
    response = login(net.users.teacher).post(reverse("practices:add", args=[net.terek_rmo.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Укажите название разработки." in page and "Укажите тему и ключевые слова" in page
    assert not Development.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"verdict": "recommend", "comment": "   "}, "заключение без обоснования не принимается"),
        ({"verdict": "maybe", "comment": "Хорошо."}, "Выберите заключение: рекомендовать"),
        ({"comment": "Хорошо."}, "Выберите заключение."),
    ],
)
def test_bad_conclusions_are_refused(net, login, data, message):
    dev = advance(net, new_dev(net), "in_expertise")
    response = login(net.users.reviewer).post(reverse("practices:conclude", args=[dev.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExpertAssignment.objects.exclude(verdict="").exists()


def test_a_conclusion_is_written_once(net, login):
    dev = advance(net, new_dev(net), "concluded")
    c = login(net.users.reviewer)
    response = c.post(reverse("practices:conclude", args=[dev.pk]), {"verdict": "reject", "comment": "Передумал."})
    assert response.status_code == 302
    assert ExpertAssignment.objects.get().verdict == "recommend"
    with pytest.raises(ValidationError):
        services.conclude(ExpertAssignment.objects.get(), net.users.reviewer, "reject", "Передумал.", NOW)


@pytest.mark.parametrize(
    ("verdict", "message"),
    [("revise", "Напишите, что нужно доработать"), ("reject", "Укажите причину отклонения.")],
)
def test_return_and_reject_need_a_comment(net, login, verdict, message):
    dev = advance(net, new_dev(net), "concluded")
    response = login(net.users.reviewer).post(
        reverse("practices:decide", args=[dev.pk]),
        {"verdict": verdict, "comment": " ", "expected_version": dev.version},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    dev.refresh_from_db()
    assert dev.state == State.IN_EXPERTISE


def test_no_decision_while_a_conclusion_is_missing(net, login):
    expert2 = rumo_expert(net)
    dev = advance(net, new_dev(net), "submitted")
    services.assign(dev, [net.users.reviewer, expert2], net.users.reviewer, NOW, dev.version)
    services.conclude(dev.assignments.get(expert=net.users.reviewer), net.users.reviewer, "recommend", "Да.", NOW)
    dev.refresh_from_db()
    c = login(net.users.reviewer)
    response = c.post(
        reverse("practices:decide", args=[dev.pk]), {"verdict": "recommend", "expected_version": dev.version}
    )
    assert response.status_code == 302
    dev.refresh_from_db()
    assert dev.state == State.IN_EXPERTISE
    assert "Ещё не все эксперты написали заключения: Елена Экспертова" in c.get(dev.get_absolute_url()).content.decode()


def test_the_only_expert_cannot_be_withdrawn(net, login):
    dev = advance(net, new_dev(net), "in_expertise")
    c = login(net.users.reviewer)
    c.post(reverse("practices:unassign", args=[dev.assignments.get().pk]), {"expected_version": dev.version})
    assert ExpertAssignment.objects.count() == 1
    expert2 = rumo_expert(net)
    dev.refresh_from_db()
    services.assign(dev, [expert2], net.users.reviewer, NOW, dev.version)
    dev.refresh_from_db()
    c.post(
        reverse("practices:unassign", args=[dev.assignments.get(expert=expert2).pk]), {"expected_version": dev.version}
    )
    assert list(ExpertAssignment.objects.values_list("expert__username", flat=True)) == ["reviewer"]


@pytest.mark.parametrize(
    ("step", "call"),
    [
        ("draft", lambda net, dev: services.publish(dev, net.users.reviewer, NOW, dev.version)),
        ("submitted", lambda net, dev: services.submit(dev, net.users.teacher, NOW, dev.version)),
        ("in_expertise", lambda net, dev: services.publish(dev, net.users.reviewer, NOW, dev.version)),
        ("recommended", lambda net, dev: services.resubmit(dev, net.users.teacher, upload(), "", NOW, dev.version)),
        ("published", lambda net, dev: services.decide(dev, net.users.reviewer, "reject", "Нет.", NOW, dev.version)),
    ],
)
def test_invalid_transitions_are_refused(net, step, call):
    dev = new_dev(net)
    if step != "draft":
        dev = advance(net, dev, step)
    before = LogEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        call(net, dev)
    assert "нельзя" in " ".join(exc.value.messages)
    dev.refresh_from_db()
    assert dev.state == step and LogEntry.objects.count() == before


def test_an_invalid_transition_through_the_page_changes_nothing(net, login):
    dev = advance(net, new_dev(net), "in_expertise")
    response = login(net.users.reviewer).post(
        reverse("practices:publish", args=[dev.pk]), {"expected_version": dev.version}, follow=True
    )
    assert "нельзя перевести в состояние «в банке практик»" in response.content.decode()
    dev.refresh_from_db()
    assert dev.state == State.IN_EXPERTISE


def test_a_stale_page_changes_nothing(net, login):
    dev = new_dev(net)
    stale = dev.version
    c = login(net.users.teacher)
    c.post(
        reverse("practices:edit", args=[dev.pk]),
        {**form_data(title="Новое название"), "expected_version": stale},
    )
    dev.refresh_from_db()
    assert dev.title == "Новое название"
    response = c.post(
        reverse("practices:edit", args=[dev.pk]), {**form_data(title="Другое"), "expected_version": stale}
    )
    assert response.status_code == 400
    assert "изменил другой пользователь" in response.content.decode()
    response = c.post(reverse("practices:submit", args=[dev.pk]), {"expected_version": stale}, follow=True)
    assert "изменил другой пользователь" in response.content.decode()
    dev.refresh_from_db()
    assert dev.title == "Новое название" and dev.state == State.DRAFT


def test_a_form_posted_after_the_development_moved_on_explains_why(net, login):
    # The assign form was open while another reviewer already decided: the page no longer offers
    # the form, so the refusal comes back as a message instead of a blank 400 page.
    dev = advance(net, new_dev(net), "recommended")
    response = login(net.users.reviewer).post(
        reverse("practices:assign", args=[dev.pk]),
        {"experts": [rumo_expert(net).pk], "expected_version": dev.version},
        follow=True,
    )
    assert response.redirect_chain == [(dev.get_absolute_url(), 302)]
    assert "Назначать экспертов нельзя: разработка — «рекомендована»." in response.content.decode()


def test_resubmission_needs_a_file(net, login):
    dev = advance(net, new_dev(net), "in_expertise")
    services.conclude(dev.assignments.get(), net.users.reviewer, "revise", "Доработать.", NOW)
    dev.refresh_from_db()
    services.decide(dev, net.users.reviewer, "revise", "Доработать.", NOW, dev.version)
    dev.refresh_from_db()
    response = login(net.users.teacher).post(
        reverse("practices:resubmit", args=[dev.pk]), {"comment": "Готово.", "expected_version": dev.version}
    )
    assert response.status_code == 400
    assert "Прикрепите файл разработки." in response.content.decode()
    dev.refresh_from_db()
    assert dev.state == State.TO_REVISE and dev.files.count() == 1


def test_development_cannot_be_edited_under_expertise(net, login):
    dev = advance(net, new_dev(net), "submitted")
    response = login(net.users.teacher).post(
        reverse("practices:edit", args=[dev.pk]), {**form_data(title="Подмена"), "expected_version": dev.version}
    )
    assert response.status_code == 400
    dev.refresh_from_db()
    assert dev.title != "Подмена"


# -- the bank ----------------------------------------------------------------------------------------


def published(net, **kwargs):
    return advance(net, new_dev(net, **kwargs), "published")


def test_bank_search_by_subject_level_and_topic(net, login):
    math = published(net, title="Дроби в 5 классе", topic="Функциональная грамотность")
    history = published(
        net, title="Проект по истории края", subject=subject("История"), level="soo", topic="краеведение"
    )
    draft = new_dev(net, title="Черновик про дроби", topic="функциональная грамотность")
    c = login(net.users.outsider)

    def found(**params):
        page = c.get(reverse("practices:bank"), params).content.decode()
        return {d.title for d in (math, history, draft) if d.title in page}

    assert found() == {math.title, history.title}
    assert found(subject=subject("История").pk) == {history.title}
    assert found(level="ooo") == {math.title}
    assert found(q="ФУНКЦИОНАЛЬНАЯ грамотность") == {math.title}
    assert found(q="Краеведение") == {history.title}
    assert found(q="нет такого") == set()
    assert found(level="bogus", subject="x") == {math.title, history.title}


@pytest.mark.parametrize("size", [3, 15])
def test_bank_queries_are_bounded(net, login, django_assert_max_num_queries, size):
    for i in range(size):
        published(net, title=f"Практика {i}")
    c = login(net.users.outsider)
    with django_assert_max_num_queries(6):
        response = c.get(reverse("practices:bank"))
    assert response.status_code == 200


def test_bank_count_is_capped(net, login, monkeypatch):
    monkeypatch.setattr("network.pagination.CappedPaginator.cap", 2)
    for i in range(3):
        published(net, title=f"Практика {i}")
    assert "Найдено практик: больше 2" in login(net.users.outsider).get(reverse("practices:bank")).content.decode()


def test_development_page_queries_do_not_grow_with_experts(net, login):
    def page_queries(experts):
        dev = advance(net, new_dev(net), "submitted")
        services.assign(dev, experts, net.users.reviewer, NOW, dev.version)
        for user in experts:
            services.conclude(dev.assignments.get(expert=user), user, "recommend", "Да.", NOW)
        c = login(net.users.reviewer)
        with CaptureQueriesContext(connection) as captured:
            page = c.get(dev.get_absolute_url())
        assert page.status_code == 200 and "Решение по итогам экспертизы" in page.content.decode()
        return len(captured)

    one = page_queries([net.users.reviewer])
    three = page_queries([rumo_expert(net, "e2"), rumo_expert(net, "e3"), rumo_expert(net, "e4")])
    assert one == three


@pytest.mark.parametrize("size", [2, 10])
def test_inbox_queries_are_bounded(net, login, django_assert_max_num_queries, size):
    for _ in range(size):
        advance(net, new_dev(net), "submitted")
        advance(net, new_dev(net), "in_expertise")
        advance(net, new_dev(net), "concluded")
    c = login(net.users.reviewer)
    for tab in ("assign", "conclusions", "decide", "mine"):
        with django_assert_max_num_queries(12):
            page = c.get(reverse("practices:inbox"), {"tab": tab})
        assert page.status_code == 200
        assert page.content.decode().count(TITLE) == size


def test_inbox_tabs_sort_the_queues(net, login):
    waiting = advance(net, new_dev(net, title="Ждёт назначения"), "submitted")
    concluding = advance(net, new_dev(net, title="Ждёт заключения"), "in_expertise")
    deciding = advance(net, new_dev(net, title="Ждёт решения"), "concluded")
    c = login(net.users.reviewer)

    def tab(name):
        page = c.get(reverse("practices:inbox"), {"tab": name}).content.decode()
        return {d.title for d in (waiting, concluding, deciding) if d.title in page}

    assert tab("assign") == {waiting.title}
    assert tab("conclusions") == {concluding.title}
    assert tab("decide") == {deciding.title}
    assert tab("mine") == {concluding.title}
    outsider = login(net.users.outsider).get(reverse("practices:inbox"), {"tab": "assign"}).content.decode()
    assert waiting.title not in outsider


def test_unit_list_and_my_list(net, login):
    dev = new_dev(net, title="Моя разработка")
    page = login(net.users.methodist).get(reverse("practices:unit_list", args=[net.terek_rmo.pk])).content.decode()
    assert dev.title in page
    assert (
        login(net.users.baksan_methodist).get(reverse("practices:unit_list", args=[net.terek_rmo.pk])).status_code
        == 404
    )
    mine = login(net.users.teacher).get(reverse("practices:mine")).content.decode()
    assert dev.title in mine and reverse("practices:choose_unit") in mine
    nowhere = login(net.users.outsider).get(reverse("practices:choose_unit"))
    assert nowhere.status_code == 200 and "Вы пока не состоите ни в одном" in nowhere.content.decode()
    # One unit to send from: the chooser goes straight to the form.
    response = login(net.users.teacher).get(reverse("practices:choose_unit"))
    assert response.url == reverse("practices:add", args=[net.terek_rmo.pk])


# -- portfolio, demo, configuration ------------------------------------------------------------------


def test_portfolio_lists_what_the_viewer_may_open(net):
    draft = new_dev(net, title="Черновик")
    public = published(net, title="Опубликованная")
    own = services.portfolio_developments(net.users.teacher_person, net.users.teacher)
    assert [d.title for d in own] == [public.title, draft.title]
    assert own[1].link == draft.get_absolute_url()
    outsider = services.portfolio_developments(net.users.teacher_person, net.users.outsider)
    assert [(d.title, d.link) for d in outsider] == [(public.title, reverse("practices:practice", args=[public.pk]))]
    request = RequestFactory().get("/")
    request.user = net.users.outsider
    html = Template("{% load practices %}{% practices_portfolio person %}").render(
        Context({"request": request, "person": net.users.teacher_person})
    )
    assert "Опубликованная" in html and "Черновик" not in html and "в банке практик" in html


def test_demo_expertise_runs_to_the_bank(db, client):
    call_command("load_demo_network", "--date", "2026-11-24")
    teacher = Development.objects.filter(author__user__username="teacher")
    assert teacher.filter(state=State.PUBLISHED, assignments__expert__username="reviewer").exists()
    waiting = teacher.get(state=State.IN_EXPERTISE)
    assert waiting.assignments.get(expert__username="reviewer").verdict == ""
    assert 4 <= Development.objects.published().exclude(author__user__username="teacher").count() <= 6
    client.login(request=HttpRequest(), username="reviewer", password="metodset-demo")
    assert waiting.title in client.get(reverse("practices:inbox"), {"tab": "mine"}).content.decode()
    bank = client.get(reverse("practices:bank"), {"q": "грамотность"}).content.decode()
    assert "математической грамотности" in bank


def test_campaigns_are_not_opened_for_developments():
    assert "development" not in dict(CampaignForm.base_fields["document_type"].choices)
    assert dict(CampaignForm.base_fields["document_type"].choices).keys() == {"plan", "report"}
