"""The résumé as a PDF (zhijiao.core.pdf: A4, Chinese text)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhijiao.core.pdf import Fields, Heading, Paragraph, render
from zhijiao.employment.models import DegreeLevel, GraduateRecord, Resume
from zhijiao.employment.services import RESUME_SECTIONS


def section_titles() -> dict[str, str]:
    return {"internships": _("Internships"), "projects": _("Projects"), "certificates": _("Certificates"),
            "awards": _("Awards")}


def resume_pdf(resume: Resume, record: GraduateRecord | None) -> bytes:
    """The résumé with the verified education first, then the graduate's own sections."""
    user = resume.user
    blocks = [Heading(user.get_full_name())]
    if resume.headline:
        blocks.append(Paragraph(resume.headline))
    if record is not None:
        blocks.append(Heading(_("Education (verified student status)")))
        blocks.append(Fields([
            (_("School"), record.school.name),
            (_("College"), record.college.name if record.college else ""),
            (_("Major"), record.major_name),
            (_("Degree level"), str(DegreeLevel(record.degree_level).label)),
            (_("Graduation year"), str(record.graduation_year)),
        ]))
    if resume.summary:
        blocks += [Heading(_("About me")), Paragraph(resume.summary)]
    if resume.skills:
        blocks += [Heading(_("Skills")), Paragraph("、".join(resume.skills))]
    titles = section_titles()
    for key in RESUME_SECTIONS:
        items = (resume.sections or {}).get(key) or []
        if not items:
            continue
        blocks.append(Heading(titles[key]))
        for item in items:
            when = " – ".join(x for x in (item.get("start"), item.get("end")) if x)
            line = " · ".join(x for x in (item.get("title"), item.get("organisation"), when) if x)
            blocks.append(Paragraph(line))
            if item.get("description"):
                blocks.append(Paragraph(item["description"], small=True))
    return render(_("Résumé") + " · " + user.get_full_name(), blocks, author=user.get_full_name(),
                  subject=_("Résumé"))
