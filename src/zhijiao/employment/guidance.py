"""职业兴趣测评: a career-interest assessment in the style of Holland's RIASEC model, with our own items.

36 statements, six for each interest type; the graduate says how much they would like each activity
(0 not at all, 1 somewhat, 2 very much). Each type scores 0–12. The report gives the three highest types
as the Holland code (ties broken in RIASEC order), a short description of each, and occupation groups of
the national classification that suit the leading types, linked to the occupation encyclopedia.

This is a guidance aid for a conversation with a counsellor, not a psychometric instrument: its items
have not been validated, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhijiao.employment.models import Occupation

TYPES = {
    "R": (gettext_lazy("Realistic (实际型)"),
          gettext_lazy("You like working with tools, machines, materials and living things, and seeing a "
                       "concrete result of your work.")),
    "I": (gettext_lazy("Investigative (研究型)"),
          gettext_lazy("You like observing, analysing and solving problems with ideas, data and experiments.")),
    "A": (gettext_lazy("Artistic (艺术型)"),
          gettext_lazy("You like creating, expressing yourself and working without fixed rules: writing, design, "
                       "music, images.")),
    "S": (gettext_lazy("Social (社会型)"),
          gettext_lazy("You like helping, teaching, caring for and working with people.")),
    "E": (gettext_lazy("Enterprising (企业型)"),
          gettext_lazy("You like persuading, leading, selling and taking responsibility for goals and decisions.")),
    "C": (gettext_lazy("Conventional (常规型)"),
          gettext_lazy("You like orderly work with clear procedures: records, numbers, documents and systems.")),
}
ORDER = "RIASEC"
ANSWERS = ((0, gettext_lazy("Not at all")), (1, gettext_lazy("Somewhat")), (2, gettext_lazy("Very much")))

ITEMS: tuple[tuple[str, str], ...] = (
    ("R", gettext_lazy("Repair a bicycle or a household appliance")),
    ("R", gettext_lazy("Operate a machine tool or a 3D printer")),
    ("R", gettext_lazy("Wire and test an electrical circuit")),
    ("R", gettext_lazy("Survey a building site with instruments")),
    ("R", gettext_lazy("Grow plants or look after animals")),
    ("R", gettext_lazy("Assemble furniture or equipment from a drawing")),
    ("I", gettext_lazy("Find out why an experiment gave an unexpected result")),
    ("I", gettext_lazy("Analyse a large set of data to find a pattern")),
    ("I", gettext_lazy("Read research papers on a question that interests you")),
    ("I", gettext_lazy("Write a program that solves a hard puzzle")),
    ("I", gettext_lazy("Work out how a disease spreads")),
    ("I", gettext_lazy("Test a hypothesis with careful measurements")),
    ("A", gettext_lazy("Design a poster or the look of an app")),
    ("A", gettext_lazy("Write a short story or a script")),
    ("A", gettext_lazy("Take and edit photographs or video")),
    ("A", gettext_lazy("Play an instrument or compose music")),
    ("A", gettext_lazy("Decorate or arrange a room")),
    ("A", gettext_lazy("Invent a new game or activity")),
    ("S", gettext_lazy("Explain a difficult idea to a classmate")),
    ("S", gettext_lazy("Volunteer in a community or an old people's home")),
    ("S", gettext_lazy("Listen to someone's worries and help them")),
    ("S", gettext_lazy("Lead a group activity for children")),
    ("S", gettext_lazy("Care for a patient or someone who is injured")),
    ("S", gettext_lazy("Help newcomers settle into a place")),
    ("E", gettext_lazy("Persuade others to support your plan")),
    ("E", gettext_lazy("Sell a product or raise money for an event")),
    ("E", gettext_lazy("Lead a student association or a project team")),
    ("E", gettext_lazy("Negotiate a deal or an agreement")),
    ("E", gettext_lazy("Start a small business")),
    ("E", gettext_lazy("Speak in public for your team")),
    ("C", gettext_lazy("Keep accounts and check that the figures add up")),
    ("C", gettext_lazy("Organise files and records so anything can be found")),
    ("C", gettext_lazy("Enter and check data in a spreadsheet")),
    ("C", gettext_lazy("Follow and improve a step-by-step procedure")),
    ("C", gettext_lazy("Plan a timetable or a budget in detail")),
    ("C", gettext_lazy("Proofread a document for errors")),
)

# Occupation groups (codes of the national classification) that suit each type.
SUGGESTIONS = {
    "R": ("2-02-07", "2-02-11", "2-02-18", "6-18-01", "2-03-02"),
    "I": ("2-01-02", "2-02-10", "2-02-09", "2-05-06", "2-02-27"),
    "A": ("2-09-07", "2-10-01", "2-10-02"),
    "S": ("2-08-03", "2-08-04", "2-05-08", "2-07-07", "4-10-01"),
    "E": ("4-01-02", "1-06-01", "2-06-07", "2-06-10", "2-07-03"),
    "C": ("2-06-03", "2-06-04", "3-01-01", "3-01-02", "4-05-01"),
}


@dataclass(frozen=True)
class TypeScore:
    code: str
    score: int
    maximum: int

    @property
    def label(self) -> str:
        return str(TYPES[self.code][0])

    @property
    def description(self) -> str:
        return str(TYPES[self.code][1])

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.maximum) if self.maximum else 0


@dataclass(frozen=True)
class Report:
    scores: list[TypeScore]  # in RIASEC order
    holland_code: str
    top: list[TypeScore]
    occupations: list[Occupation]


def score(answers: dict[int, int]) -> Report:
    """``answers`` maps item number (0-based) to 0, 1 or 2; every item must be answered."""
    missing = [i + 1 for i in range(len(ITEMS)) if i not in answers]
    if missing:
        raise ValidationError({"answers": _("Answer every statement; %(n)s are still open (first: number "
                                            "%(first)s).") % {"n": len(missing), "first": missing[0]}})
    if any(value not in (0, 1, 2) for value in answers.values()) or any(not 0 <= i < len(ITEMS) for i in answers):
        raise ValidationError({"answers": _("Each answer is 0, 1 or 2.")})
    totals = dict.fromkeys(ORDER, 0)
    counts = dict.fromkeys(ORDER, 0)
    for index, (kind, _text) in enumerate(ITEMS):
        totals[kind] += answers[index]
        counts[kind] += 2
    scores = [TypeScore(k, totals[k], counts[k]) for k in ORDER]
    top = sorted(scores, key=lambda s: (-s.score, ORDER.index(s.code)))[:3]
    codes = [code for t in top[:2] for code in SUGGESTIONS[t.code]]
    by_code = Occupation.objects.in_bulk(codes, field_name="code")
    occupations = [by_code[c] for c in dict.fromkeys(codes) if c in by_code]
    return Report(scores, "".join(t.code for t in top), top, occupations)
