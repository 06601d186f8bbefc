"""The protocol as a PDF (ГОСТ Р 7.0.97-2025, full form): registered with network.pdf at start-up."""

from network.pdf import PdfDocument, register

from . import services
from .models import Meeting

# Over this many present, the protocol gives the count and attaches the list (DESIGN.md).
LISTED_INLINE = 10


def build(meeting: Meeting) -> tuple[str, dict, str]:
    meeting = Meeting.objects.select_related("unit", "chair", "secretary").get(pk=meeting.pk)
    attendance = list(meeting.attendance.select_related("person"))
    present = [a.person for a in attendance if a.present]
    quorum = services.Quorum(present=len(present), members=len(attendance))
    items = list(meeting.items.all())
    for item in items:
        item.outcome = services.outcome(item, quorum)
        item.outcome_label = services.Outcome.LABELS[item.outcome]
    signatures = []
    if meeting.chair:
        signatures.append({"position": "Председатель", "name": meeting.chair.short_name})
    if meeting.secretary:
        signatures.append({"position": "Секретарь", "name": meeting.secretary.short_name})
    executor = ""
    if meeting.secretary:
        executor = ", ".join(p for p in (meeting.secretary.full_name, meeting.secretary.phone) if p)
    context = {
        "meeting": meeting,
        "organisation": meeting.unit.name,
        "doc_type": "ПРОТОКОЛ",
        "date": meeting.date,
        "number": meeting.number,
        "place": meeting.place_label,
        "heading": meeting.heading,
        "signatures": signatures,
        # The executor's mark is printed by this template before the attached list, not by the base.
        "executor": "",
        "executor_mark": executor,
        "present": present,
        "list_attached": len(present) > LISTED_INLINE,
        "quorum": quorum,
        "items": items,
        "guest_lines": meeting.guest_lines,
    }
    return "meetings/protocol_pdf.html", context, f"Протокол_{meeting.number}_{meeting.date:%d.%m.%Y}"


PROTOCOL = register(PdfDocument(kind="protocol", model=Meeting, build=build, version=lambda m: m.version))
