"""The order as a PDF (ГОСТ Р 7.0.97-2025): registered with network.pdf once, at start-up."""

from network.pdf import PdfDocument, register

from .models import Order


def build(order: Order) -> tuple[str, dict, str]:
    from .services import current_agreement, needs_agreement

    signatory = order.signatory
    executor = order.executor
    context = {
        "order": order,
        "organisation": order.unit.name,
        "doc_type": "ПРИКАЗ",
        "date": order.date,
        "number": order.number,
        "place": order.place,
        "heading": order.heading,
        "preamble": order.preamble,
        "points": list(order.points.all()),
        "draft": not order.is_signed,
        # 001 §2.2: the agreement mark (гриф согласования) of a composition order, below the signature.
        "agreement": current_agreement(order) if needs_agreement(order) else None,
        "signatures": [
            {"position": order.signatory_position, "name": signatory.short_name if signatory else ""},
        ],
        "executor": ", ".join(p for p in (executor.full_name, order.executor_phone) if p) if executor else "",
    }
    return "orders/order_pdf.html", context, f"prikaz-{order.unit_id}-{order.year}-{order.number}"


DOCUMENT = register(
    PdfDocument(
        kind="order",
        model=Order,
        build=build,
        version=lambda order: order.version,
    )
)
