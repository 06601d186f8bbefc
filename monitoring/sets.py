"""Editing indicator sets in the portal: who may, what a closed year freezes, one versioned save.

Who: an administrator of the set's region (`manage` granted at the region's root) and the superuser.
Anyone else who sees the region sees the set read-only.

What a closed campaign freezes. A campaign's results keep their numbers, scores and records, but
the indicator itself — what it assesses, how it is obtained, its thresholds — is read live from the
set by the results table, its legend, the export and the drill-down. Changing those on a set used
by a closed campaign would make the closed year state thresholds and rules it was not scored by
(a 65 % scored «1» next to a legend saying «1 from 70 %»), and adding or deleting an indicator would
add or drop a column of the closed table. So while a closed campaign uses the set, those changes are
refused with the reason; the wording (names, criteria, the hint), the order and the passport stay
editable, and a new rule or threshold goes into a new set for the next campaigns.

An indicator that already has values in any campaign is not deleted (its values would be lost) and
keeps what it assesses and how it is obtained (the values already stored would no longer match).
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError

from orgunits.access import access_for

from .models import IndicatorSet, MonitoringCampaign, Result

# Fields that decide a score: frozen while a closed campaign uses the set.
SCORING_FIELDS = ("code", "assessed", "method", "rule", "params", "scoring", "mid", "high")
# Fields the stored values depend on: frozen once the indicator has values anywhere.
VALUE_FIELDS = ("assessed", "method")

HAS_VALUES = "По показателю уже есть значения в мониторинге: удалить его нельзя. Обновите страницу."
DUPLICATE = "Набор с таким названием в этом регионе уже есть, или коды показателей повторяются: исправьте и сохраните."


def may_edit(user, indicator_set) -> bool:
    return access_for(user).is_regional("manage", indicator_set.region_id)


def editable_regions(user):
    """The regions where `user` may create sets."""
    from orgunits.models import Region

    access = access_for(user)
    regions = Region.objects.order_by("name")
    return regions if access.superuser else regions.filter(pk__in=access.regions("manage"))


def may_create(user) -> bool:
    access = access_for(user)
    return access.superuser or bool(access.regions("manage"))


def closed_years(indicator_set) -> list[int]:
    """Years of the closed campaigns that use the set (its scoring rules are frozen while any exist)."""
    if indicator_set.pk is None:
        return []
    years = MonitoringCampaign.objects.filter(indicator_set=indicator_set, state=MonitoringCampaign.State.CLOSED)
    return sorted(set(years.values_list("year", flat=True)))


def open_computed_years(indicator_set) -> list[int]:
    """Years of the open campaigns already computed with the set: they apply an edit when recomputed."""
    campaigns = MonitoringCampaign.objects.filter(
        indicator_set=indicator_set, state=MonitoringCampaign.State.OPEN, computed_at__isnull=False
    )
    return sorted(set(campaigns.values_list("year", flat=True)))


def indicators_with_values(indicator_set) -> set[int]:
    if indicator_set.pk is None:
        return set()
    results = Result.objects.filter(indicator__indicator_set=indicator_set)
    return set(results.order_by().values_list("indicator_id", flat=True).distinct())


def frozen_message(years) -> str:
    listed = ", ".join(str(y) for y in years)
    return (
        f"Набор использован в закрытом мониторинге ({listed} г.): итоги того года посчитаны по нынешним правилам "
        "и порогам, поэтому их, а также состав показателей, изменить нельзя. Название, формулировки, критерии, "
        "рекомендации и порядок показателей менять можно. Для новых правил создайте новый набор."
    )


@transaction.atomic
def save_set(form, formset, expected_version: int | None) -> IndicatorSet:
    """Save the passport and the indicators as one edit; raise StaleVersionError if someone saved since.

    The version is checked first (the conditional UPDATE locks the set's row), so a stale edit changes
    nothing: neither the passport nor any indicator.
    """
    indicator_set = form.save(commit=False)
    try:
        with transaction.atomic():
            if indicator_set.is_default:
                # One default per region: the mark moves here (the form names the set it leaves). That set's
                # version moves too, so an editor holding it open cannot put the mark back unseen.
                IndicatorSet.objects.filter(region_id=indicator_set.region_id, is_default=True).exclude(
                    pk=indicator_set.pk
                ).update(is_default=False, version=models.F("version") + 1)
            if indicator_set.pk is None:
                indicator_set.save()
            else:
                indicator_set.save_versioned(expected_version)
            form.save_m2m()
            formset.instance = indicator_set
            formset.save()
    except IntegrityError as exc:  # a set of the same name or an indicator code written at the same moment
        raise SaveRefused(DUPLICATE) from exc
    except ProtectedError as exc:  # values appeared for an indicator being deleted since the form was checked
        raise SaveRefused(HAS_VALUES) from exc
    return indicator_set


class SaveRefused(Exception):
    """The edit cannot be saved as it is; the message says why and what to do."""
