"""An order's moves (workflow.engine): проект → подписан. Signing registers that the paper original is
signed; the order is frozen from then on (orders.services refuses edits).

001 §2.2: the composition of a МунУМО is approved «по согласованию» with the municipal education
authority. Such an order (orders.services.needs_agreement) goes проект → на согласовании → согласован
(the letter of the authority entered) → подписан; signing it without the agreement is refused. While it
is on agreement or agreed, its text is frozen: to change it, it goes back to a draft (the reason written,
the agreement withdrawn), and is agreed again.
"""

from django.core.exceptions import ValidationError

from workflow.engine import Machine, Move, register

from .models import Order, OrderAgreement, OrderStatus

AGREEMENT_FIELDS = {
    "authority": "Укажите орган управления образованием, согласовавший состав.",
    "official_name": "Укажите, кто согласовал (фамилия и инициалы).",
    "official_position": "Укажите должность согласовавшего.",
    "letter_number": "Укажите номер письма о согласовании.",
    "letter_date": "Укажите дату письма о согласовании.",
}


def may_issue(user, order) -> bool:
    from .services import may_issue

    return may_issue(user, order.unit)


def signable(step) -> None:
    from .services import sign_problems

    if problems := sign_problems(step.obj):
        raise ValidationError(problems)


def agreed_if_needed(step) -> None:
    from .services import agreement_problems

    if problems := agreement_problems(step.obj):
        raise ValidationError(problems)


def agreement_needed(step) -> None:
    from .services import NO_AGREEMENT_NEEDED, needs_agreement

    if not needs_agreement(step.obj):
        raise ValidationError(NO_AGREEMENT_NEEDED)


def letter_given(step) -> None:
    errors = {}
    for name, message in AGREEMENT_FIELDS.items():
        value = step.params.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = message
    letter_date = step.params.get("letter_date")
    if letter_date and letter_date > step.today:
        errors["letter_date"] = "Дата письма ещё не наступила."
    if errors:
        raise ValidationError(errors)


def on_sign(step) -> None:
    order = step.obj
    order.signed_at = step.now
    order.signed_by = step.user
    # A new version: the PDF loses its «проект» mark.
    order.version += 1


def on_agreed(step) -> None:
    order, params = step.obj, step.params
    scan = params.get("scan")
    agreement = OrderAgreement(
        order=order,
        **{name: params[name].strip() if isinstance(params[name], str) else params[name] for name in AGREEMENT_FIELDS},
        order_version=order.version + 1,
        recorded_by=step.user,
        recorded_at=step.now,
    )
    if scan:
        agreement.scan = scan
        agreement.scan_name = scan.name[:255]
    agreement.save()
    step.reason = f"согласовано: {agreement.stamp}; {agreement.official_position} {agreement.official_name}"
    # A new version: the PDF prints «СОГЛАСОВАНО».
    order.version += 1


def on_back_to_draft(step) -> None:
    order = step.obj
    OrderAgreement.objects.filter(order=order, withdrawn_at__isnull=True).update(
        withdrawn_at=step.now, withdrawn_reason=step.reason
    )
    order.version += 1


ORDERS = register(
    Machine(
        kind="order",
        model=Order,
        state_field="status",
        related=("unit__kind",),
        moves=[
            Move(
                "send_for_agreement",
                (OrderStatus.DRAFT,),
                OrderStatus.AGREEMENT,
                "Направить на согласование",
                allowed=may_issue,
                denied="Приказы подразделения готовят его администраторы, председатель и секретарь.",
                stale="Приказ уже «{state}»: направить его на согласование нельзя. Обновите страницу.",
                requires=(agreement_needed, signable),
            ),
            Move(
                "record_agreement",
                (OrderStatus.AGREEMENT,),
                OrderStatus.AGREED,
                "Внести согласование",
                allowed=may_issue,
                denied="Согласование вносят администраторы, председатель и секретарь подразделения.",
                stale="Приказ «{state}»: согласование вносится только для приказа на согласовании. Обновите страницу.",
                requires=(letter_given,),
                apply=on_agreed,
            ),
            Move(
                "return_to_draft",
                (OrderStatus.AGREEMENT, OrderStatus.AGREED),
                OrderStatus.DRAFT,
                "Вернуть в проект",
                allowed=may_issue,
                denied="Приказы подразделения готовят его администраторы, председатель и секретарь.",
                requires_reason=True,
                reason_message="Укажите причину: замечания органа управления образованием или что нужно изменить.",
                stale="Приказ уже «{state}»: вернуть его в проект нельзя. Обновите страницу.",
                apply=on_back_to_draft,
            ),
            Move(
                "sign",
                (OrderStatus.DRAFT, OrderStatus.AGREED),
                OrderStatus.SIGNED,
                "Отметить как подписанный",
                allowed=may_issue,
                denied="Приказы подразделения готовят его администраторы, председатель и секретарь.",
                stale="Приказ уже {state}: отметить его подписанным сейчас нельзя. Обновите страницу.",
                requires=(signable, agreed_if_needed),
                apply=on_sign,
            ),
        ],
    )
)
