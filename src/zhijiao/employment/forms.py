"""Forms of the employment pages. They only parse; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhijiao.employment import guidance
from zhijiao.employment.models import (
    CourseKind,
    DegreeLevel,
    DifficultyKind,
    EmployerType,
    Industry,
    JobType,
    Occupation,
    ResumeVisibility,
)
from zhijiao.employment.services import RESUME_ITEM_FIELDS, RESUME_SECTIONS

REGION_HELP = _("GB/T 2260 division code: 6 digits, e.g. 330106 (杭州市西湖区).")


def industry_choices(blank: bool = True):
    # Sections (letters) first with their divisions under them.
    by_section: dict[str, list] = {}
    sections = []
    for industry in Industry.objects.select_related("parent").order_by("code"):
        if industry.parent_id is None:
            sections.append(industry)
        else:
            by_section.setdefault(industry.parent.code, []).append(industry)
    rows = []
    for section in sections:
        rows.append((section.code, f"{section.code} {section.name}"))
        rows += [(d.code, f"　{d.code} {d.name}") for d in by_section.get(section.code, [])]
    return ([("", "—")] if blank else []) + rows


def occupation_choices(blank: bool = True):
    rows = [(o.code, f"{'　' * o.code.count('-')}{o.code} {o.name}") for o in Occupation.objects.order_by("code")]
    return ([("", "—")] if blank else []) + rows


def major_choices():
    from zhijiao.resources.models import Major, MajorLevel

    return [(m.pk, f"{m.code} {m.name}{' (高职)' if m.library == 'vocational' else ''}")
            for m in Major.objects.filter(level=MajorLevel.MAJOR).order_by("library", "code")]


class EmployerForm(forms.Form):
    name = forms.CharField(label=_("Registered name"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code (统一社会信用代码)"), max_length=24,
                                  help_text=_("18 characters, as printed on the business licence."))
    employer_type = forms.ChoiceField(label=_("Type"), choices=EmployerType.choices)
    industry_code = forms.ChoiceField(label=_("Industry"), required=False)
    region_code = forms.CharField(label=_("Location (division code)"), max_length=6, help_text=REGION_HELP)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    size = forms.CharField(label=_("Number of employees"), max_length=32, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry_code"].choices = industry_choices()
        if editing:
            del self.fields["name"]
            del self.fields["credit_code"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("verify", _("Verify")), ("reject", _("Reject"))],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason (shown to the employer)"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("publish", _("Publish")), ("reject", _("Reject"))],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note (shown to the author)"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class JobForm(forms.Form):
    title = forms.CharField(label=_("Job title"), max_length=100)
    occupation_code = forms.ChoiceField(label=_("Occupation"), required=False)
    industry_code = forms.ChoiceField(label=_("Industry"), required=False)
    job_type = forms.ChoiceField(label=_("Job type"), choices=JobType.choices)
    region_code = forms.CharField(label=_("Workplace (division code)"), max_length=6, help_text=REGION_HELP)
    salary_min = forms.IntegerField(label=_("Lowest monthly salary (yuan)"), min_value=0, required=False)
    salary_max = forms.IntegerField(label=_("Highest monthly salary (yuan)"), min_value=0, required=False)
    education = forms.ChoiceField(label=_("Lowest education accepted"), required=False,
                                  choices=[("", _("Any"))] + list(DegreeLevel.choices))
    major_ids = forms.MultipleChoiceField(label=_("Majors wanted"), required=False,
                                          widget=forms.SelectMultiple(attrs={"size": 8, "data-picker": "majors"}),
                                          help_text=_("Type in the box above the list to find a major; hold Ctrl "
                                                      "(or ⌘) to choose several."))
    headcount = forms.IntegerField(label=_("Openings"), min_value=1, initial=1)
    deadline = forms.DateField(label=_("Application deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("Description and requirements"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation_code"].choices = occupation_choices()
        self.fields["industry_code"].choices = industry_choices()
        self.fields["major_ids"].choices = major_choices()


class IntentionForm(forms.Form):
    job_types = forms.MultipleChoiceField(label=_("Kinds of work"), choices=JobType.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    industry_codes = forms.MultipleChoiceField(label=_("Industries"), required=False,
                                               widget=forms.SelectMultiple(attrs={"size": 6}))
    occupation_codes = forms.MultipleChoiceField(label=_("Occupations"), required=False,
                                                 widget=forms.SelectMultiple(attrs={"size": 6}))
    region_codes = forms.CharField(label=_("Regions (division codes)"), required=False, max_length=200,
                                   help_text=_("Division codes separated by commas: 33 for 浙江省, 3301 for 杭州市, "
                                               "330106 for 西湖区."))
    salary_min = forms.IntegerField(label=_("Lowest monthly salary (yuan)"), min_value=0, required=False)
    salary_max = forms.IntegerField(label=_("Highest monthly salary (yuan)"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry_codes"].choices = industry_choices(blank=False)
        self.fields["occupation_codes"].choices = occupation_choices(blank=False)


SECTION_HELP = _("One entry per line: title | organisation | start | end | description.")


class ResumeForm(forms.Form):
    headline = forms.CharField(label=_("Headline"), max_length=200, required=False,
                               help_text=_("One line about what you are looking for."))
    summary = forms.CharField(label=_("About me"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    skills = forms.CharField(label=_("Skills"), required=False, max_length=1000,
                             help_text=_("Separated by commas, e.g. Python, 数据分析, 英语六级."))
    internships = forms.CharField(label=_("Internships"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  help_text=SECTION_HELP)
    projects = forms.CharField(label=_("Projects"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               help_text=SECTION_HELP)
    certificates = forms.CharField(label=_("Certificates"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                   help_text=SECTION_HELP)
    awards = forms.CharField(label=_("Awards"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             help_text=SECTION_HELP)
    visibility = forms.ChoiceField(label=_("Who may see my résumé"), choices=ResumeVisibility.choices,
                                   widget=forms.RadioSelect)

    def data_for_service(self) -> dict:
        data = {k: self.cleaned_data[k] for k in ("headline", "summary", "skills", "visibility")}
        data["sections"] = {key: [dict(zip(RESUME_ITEM_FIELDS, [p.strip() for p in line.split("|")], strict=False))
                                  for line in self.cleaned_data[key].splitlines() if line.strip()]
                            for key in RESUME_SECTIONS}
        return data

    @staticmethod
    def initial_from(resume) -> dict:
        if resume is None:
            return {"visibility": ResumeVisibility.APPLIED}
        initial = {"headline": resume.headline, "summary": resume.summary, "skills": ", ".join(resume.skills),
                   "visibility": resume.visibility}
        for key in RESUME_SECTIONS:
            initial[key] = "\n".join(" | ".join(item.get(f, "") for f in RESUME_ITEM_FIELDS).rstrip(" |")
                                     for item in (resume.sections or {}).get(key, []))
        return initial


class RosterForm(forms.Form):
    school = forms.ChoiceField(label=_("School"))
    file = forms.FileField(label=_("Roster file (CSV or .xlsx)"))

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [(s.pk, s.name) for s in schools]


class FlagForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of difficulty"), choices=DifficultyKind.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    occupation_code = forms.ChoiceField(label=_("Occupation"), required=False)
    body = forms.CharField(label=_("Story"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation_code"].choices = occupation_choices()


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices)
    starts_at = forms.DateTimeField(label=_("Starts (live lessons)"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    resource_id = forms.IntegerField(label=_("Resource-centre resource number"), required=False, min_value=1)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AssessmentForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, (_kind, text) in enumerate(guidance.ITEMS):
            self.fields[f"q{index}"] = forms.TypedChoiceField(
                label=f"{index + 1}. {text}", choices=guidance.ANSWERS, coerce=int, widget=forms.RadioSelect)

    def answers(self) -> dict[int, int]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class SupplyForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Graduation year"), required=False, coerce=int, empty_value=None)
    degree_level = forms.ChoiceField(label=_("Degree level"), required=False,
                                     choices=[("", _("Any"))] + list(DegreeLevel.choices))
    region_code = forms.CharField(label=_("Region (division code)"), required=False, max_length=6)
    school = forms.CharField(label=_("School name contains"), required=False, max_length=50)
    major = forms.CharField(label=_("Major contains"), required=False, max_length=50)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Any"))] + [(y, y) for y in years]
