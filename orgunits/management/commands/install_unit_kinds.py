from history.commands import TrackedCommand
from orgunits.kinds import BY_CODE, STANDARD, install_unit_kinds


class Command(TrackedCommand):  # what it changes is attributed to the command in the history
    help = (
        "Установить виды подразделений: стандартную цепочку РУМО → ЦНППМ → МунУМО/ММС → РМО/ГМО → ШМО "
        "(с --all — и региональные варианты). Повторный запуск ничего не меняет."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="также советы, секции, рабочие группы, площадки и другие виды из положений регионов",
        )

    def handle(self, *args, **options):
        # Kinds are shared by all regions, so there is no --region: one run serves every region.
        result = install_unit_kinds(list(BY_CODE) if options["all"] else STANDARD)

        def names(codes):
            return ", ".join(BY_CODE[code]["short_name"] for code in codes)

        if result.created:
            self.stdout.write(f"Созданы: {names(result.created)}.")
        if result.updated:
            self.stdout.write(f"Приведены к поставляемому описанию: {names(result.updated)}.")
        if not result.created and not result.updated:
            self.stdout.write("Виды подразделений уже установлены, изменений нет.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Готово: видов подразделений — {len(result.kinds)}."))
