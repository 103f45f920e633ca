from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Audit actions of this app, added to the audit log's vocabulary when the app loads.
AUDIT_ACTIONS = {
    "hiring.apply": _("Job application submitted"),
    "hiring.withdraw": _("Job application withdrawn"),
    "hiring.state": _("Job application moved in the pipeline"),
    "hiring.resume_view": _("Applicant's résumé opened by an employer"),
    "hiring.offer": _("Employment offer issued and signed by the employer"),
    "hiring.offer_withdraw": _("Employment offer withdrawn"),
    "hiring.accept": _("Agreement signed by the graduate"),
    "hiring.decline": _("Employment offer declined"),
    "hiring.approve": _("Agreement approved and signed by the school"),
    "hiring.return": _("Agreement returned by the school"),
    "hiring.termination_request": _("Agreement termination requested"),
    "hiring.termination_approve": _("Agreement termination approved"),
    "hiring.termination_refuse": _("Agreement termination refused"),
    "hiring.agreement_view": _("Agreement opened"),
    "hiring.destination": _("Graduate destination recorded"),
    "hiring.graduate_view": _("Graduate's employment file opened"),
    "hiring.progress_export": _("Employment progress exported"),
    "hiring.fair": _("Job fair changed"),
    "hiring.notice": _("Notice sent to employment staff"),
}


class HiringConfig(AppConfig):
    """Job fairs, applications, online signing of the three-party agreement, destinations and progress."""

    name = "zhijiao.employment.hiring"
    label = "employment_hiring"
    verbose_name = _("Job fairs, applications and signing")

    def ready(self):
        from zhijiao.core import audit

        audit.ACTIONS.update(AUDIT_ACTIONS)
        # An employer who has opened a graduate's application may read their résumé, whatever its visibility.
        from zhijiao.employment import services as employment_services
        from zhijiao.employment.hiring.selectors import employer_opened_application_of

        employment_services.register_resume_access(employer_opened_application_of)
