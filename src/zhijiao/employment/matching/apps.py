from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

AUDIT_ACTIONS = {
    "matching.candidates_view": _("Recommended candidates listed for an employer"),
}


class MatchingConfig(AppConfig):
    """Job search, recommendations with reasons, and the daily push of new matching jobs."""

    name = "zhijiao.employment.matching"
    label = "employment_matching"
    verbose_name = _("Job matching and push")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_save

        from zhijiao.core import audit
        from zhijiao.employment.matching import handlers
        from zhijiao.employment.models import Employer, Job
        from zhijiao.employment.signals import job_published

        audit.ACTIONS.update(AUDIT_ACTIONS)
        job_published.connect(handlers.job_published, dispatch_uid="matching.job_published")
        post_save.connect(handlers.job_saved, sender=Job, dispatch_uid="matching.job_saved")
        m2m_changed.connect(handlers.job_majors_changed, sender=Job.majors.through, dispatch_uid="matching.job_majors")
        post_save.connect(handlers.employer_saved, sender=Employer, dispatch_uid="matching.employer_saved")
