from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "Педагоги и составы"

    def ready(self):
        from django.db.models.signals import post_save

        from .candidates import on_submission_saved

        # 000 а: an agreed delegate becomes a member of the РУМО the moment the candidacy is approved.
        post_save.connect(on_submission_saved, sender="submissions.Submission", dispatch_uid="people_delegate")
