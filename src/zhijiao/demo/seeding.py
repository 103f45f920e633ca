"""`zj seed`: deterministic demo data at several scales.

One random generator, seeded from ``--seed``, drives every choice in a fixed order, so the same seed
gives the same names, codes and usernames. Birth dates follow the school year under way, so pupils'
ages stay right for their grade whenever the data is seeded.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from zhijiao.demo import accounts, schools
from zhijiao.demo.divisions import build_divisions
from zhijiao.demo.people import PeopleFactory
from zhijiao.demo.writer import BulkWriter, Node
from zhijiao.identity.models import GuardianLink, Membership, Organisation, OrgKind, Role, User

DEFAULT_SEED = 2026
DEFAULT_SCALE = "small"
# The named demo accounts live in the first demo school of 西湖区, a 小学 with this name.
SHOWCASE_COUNTY_CODE = "330106"
SHOWCASE_SCHOOL_WORD = "文澜"


@dataclass(frozen=True)
class Scale:
    """How much to generate. Ranges are inclusive and drawn per county or per school."""

    synthetic_divisions: bool  # demo cities and counties for provinces without reference data
    schools_per_county: tuple[int, int]
    classes_per_grade: int
    teachers_per_school: tuple[int, int]
    pupils_per_school: tuple[int, int]  # each with one parent
    showcase_pupils_per_class: int
    showcase_teachers: int


SCALES = {
    # Enough to click around: a few hundred schools in 北京, 浙江 and 贵州, a few thousand people.
    "small": Scale(False, (1, 3), 2, (3, 6), (4, 8), 20, 8),
    # National shape: about 50,000 schools in every province and about 100,000 people.
    "medium": Scale(True, (10, 25), 1, (1, 1), (0, 1), 20, 8),
}


class SeedRefused(Exception):
    """The database holds organisations that are not demo data; seeding would mix the two."""


@dataclass(frozen=True)
class Summary:
    scale: str
    seed: int
    organisations: dict[str, int]
    users: int
    memberships: int
    guardian_links: int
    seconds: float


def demo_data_present() -> bool:
    return accounts.demo_accounts_present()


def seed_demo_data(scale: str = DEFAULT_SCALE, seed: int = DEFAULT_SEED) -> Summary:
    """Fill an empty database. Call :func:`demo_data_present` first; this refuses a non-empty tree."""
    if Organisation.objects.exists():
        raise SeedRefused(_("The database already holds organisations; demo data goes only into an empty one."))
    started = time.monotonic()
    rng = random.Random(seed)
    people = PeopleFactory(rng, timezone.localdate())
    # Hashed once and shared by every demo account: demo data only (see accounts.DEMO_PASSWORD).
    password_hash = make_password(accounts.DEMO_PASSWORD)
    with transaction.atomic():
        writer = BulkWriter(password_hash=password_hash)
        tree = build_divisions(writer, synthetic=SCALES[scale].synthetic_divisions)
        populate = _SchoolPopulator(writer, people, rng, SCALES[scale])
        showcase = None
        for county in tree.counties:
            showcase = populate.county(county) or showcase
        writer.finish()
        nodes = (tree.nation, tree.by_code[SHOWCASE_COUNTY_CODE], *showcase)
        orgs = Organisation.objects.in_bulk([node.pk for node in nodes])
        accounts.create_demo_accounts(accounts.DemoPlaces(*(orgs[node.pk] for node in nodes)), people, password_hash)
    return Summary(
        scale=scale,
        seed=seed,
        organisations=dict(Organisation.objects.values_list("kind").annotate(n=Count("id")).order_by("kind")),
        users=User.objects.count(),
        memberships=Membership.objects.count(),
        guardian_links=GuardianLink.objects.count(),
        seconds=time.monotonic() - started,
    )


class _SchoolPopulator:
    """Schools of one county with their grades, classes, teachers, pupils and parents."""

    def __init__(self, writer: BulkWriter, people: PeopleFactory, rng: random.Random, scale: Scale):
        self.writer, self.people, self.rng, self.scale = writer, people, rng, scale

    def county(self, county: Node) -> tuple[Node, Node] | None:
        """Write the county's schools. For the showcase county, the first is the named accounts' school;
        return it with the class the demo learner joins."""
        count = self.rng.randint(*self.scale.schools_per_county)
        taken: set[str] = set()
        showcase = None
        if county.code == SHOWCASE_COUNTY_CODE:
            name = f"{county.name}{SHOWCASE_SCHOOL_WORD}{schools.PRIMARY.suffix}"
            taken.add(name)
            school, classes = self._school(county, 1, name, schools.PRIMARY, showcase=True)
            showcase = (school, next(c for grade, c in classes if grade == accounts.LEARNER_GRADE))
        first = 1 if showcase is None else 2
        for number in range(first, first + count):
            name, school_type = schools.pick_school(self.rng, county.name, taken)
            self._school(county, number, name, school_type)
        return showcase

    def _school(self, county, number, name, school_type, *, showcase=False):
        write, scale = self.writer, self.scale
        school = write.organisation(name, OrgKind.SCHOOL, county, schools.school_code(county.code, number))
        per_grade = max(2, scale.classes_per_grade) if showcase else scale.classes_per_grade
        classes = []
        for grade in school_type.grades:
            department = write.organisation(schools.GRADE_NAMES[grade], OrgKind.DEPARTMENT, school)
            for k in range(1, per_grade + 1):
                classes.append((grade, write.organisation(schools.class_name(grade, k), OrgKind.CLASS, department)))

        teachers = scale.showcase_teachers if showcase else self.rng.randint(*scale.teachers_per_school)
        for k in range(1, teachers + 1):
            teacher = self._user(f"t{school.code}{k:02d}", self.people.teacher(county.code))
            write.membership(teacher, school, Role.TEACHER)

        if showcase:
            placements = [place for place in classes for _ in range(scale.showcase_pupils_per_class)]
        else:
            placements = [self.rng.choice(classes) for _ in range(self.rng.randint(*scale.pupils_per_school))]
        for k, (grade, klass) in enumerate(placements, 1):
            person = self.people.pupil(county.code, grade)
            pupil = self._user(f"s{school.code}{k:03d}", person)
            write.membership(pupil, klass, Role.LEARNER)
            parent_person, relation = self.people.parent_of(person, county.code)
            parent = self._user(f"p{school.code}{k:03d}", parent_person)
            write.membership(parent, school, Role.PARENT)
            write.guardian_link(parent, pupil, relation)
        return school, classes

    def _user(self, username, person):
        return self.writer.user(username, person.real_name, birth_date=person.birth_date, phone=person.phone,
                                id_number=person.id_number)
