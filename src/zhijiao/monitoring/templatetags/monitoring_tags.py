"""``{% integrity_link %}``: the link to "My learning integrity", shown only to a learner with a decided case."""

from django import template

from zhijiao.monitoring.models import Case, CaseState

register = template.Library()


@register.inclusion_tag("monitoring/_integrity_link.html", takes_context=True)
def integrity_link(context):
    user = context["request"].user
    shown = user.is_authenticated and (
        Case.objects.filter(user=user).exclude(state=CaseState.OPEN)
        .exclude(state=CaseState.DISMISSED, appeal__isnull=True).exists())
    return {"shown": shown}
