"""The named demo accounts, one per role, that `zj run` prints for people trying the platform.

Every seeded account, named or not, signs in with :data:`DEMO_PASSWORD`. That is acceptable for demo
data only: never seed a database that real people use.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhijiao.demo.people import PeopleFactory, Person
from zhijiao.identity import services
from zhijiao.identity.models import Organisation, OrgKind, Role, User, Verification

DEMO_PASSWORD = "Zhijiao@2026"
DEMO_EMAIL_DOMAIN = "example.com"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    real_name: str
    male: bool


LEARNER = DemoAccount("demo_learner", Role.LEARNER, "林小雨", male=False)
TEACHER = DemoAccount("demo_teacher", Role.TEACHER, "王思远", male=True)
PARENT = DemoAccount("demo_parent", Role.PARENT, "陈静", male=False)
SCHOOL_ADMIN = DemoAccount("demo_school_admin", Role.SCHOOL_ADMIN, "周明华", male=True)
BUREAU_ADMIN = DemoAccount("demo_bureau_admin", Role.BUREAU_ADMIN, "赵建国", male=True)
REVIEWER = DemoAccount("demo_reviewer", Role.REVIEWER, "孙慧敏", male=False)
EMPLOYER_HR = DemoAccount("demo_employer_hr", Role.EMPLOYER_HR, "吴婷", male=False)
PLATFORM_OPERATOR = DemoAccount("demo_platform_operator", Role.PLATFORM_OPERATOR, "郑凯", male=True)
SYSTEM_ADMIN = DemoAccount("demo_sysadmin", Role.SYSTEM_ADMIN, "刘伟", male=True)
SECURITY_ADMIN = DemoAccount("demo_secadmin", Role.SECURITY_ADMIN, "黄芳", male=False)
AUDIT_ADMIN = DemoAccount("demo_auditadmin", Role.AUDIT_ADMIN, "杨立新", male=True)

ACCOUNTS = (
    LEARNER, TEACHER, PARENT, SCHOOL_ADMIN, BUREAU_ADMIN, REVIEWER, EMPLOYER_HR, PLATFORM_OPERATOR,
    SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN,
)
# (username, role label) for `zj run` to print.
DEMO_ACCOUNTS = [(account.username, account.role.label) for account in ACCOUNTS]

LEARNER_GRADE = 3
BUREAU_NAME = "西湖区教育局"
EMPLOYER_NAME = "杭州示例数字科技有限公司"
PLATFORM_NAME = "智教示例在线学习平台"


@dataclass(frozen=True)
class DemoPlaces:
    """Where the named accounts live: the demo school of 西湖区 and one of its third-grade classes."""

    nation: Organisation
    county: Organisation
    school: Organisation
    learner_class: Organisation


def demo_accounts_present() -> bool:
    return User.objects.filter(username__in=[a.username for a in ACCOUNTS]).exists()


def create_demo_accounts(places: DemoPlaces, people: PeopleFactory, password_hash: str) -> list[User]:
    """Create the named accounts through the identity services, so each role grant is in the audit log."""
    make_org = services.create_organisation
    bureau = make_org(None, name=BUREAU_NAME, kind=OrgKind.BUREAU, parent=places.county)
    employer = make_org(None, name=EMPLOYER_NAME, kind=OrgKind.EMPLOYER, parent=places.county)
    platform = make_org(None, name=PLATFORM_NAME, kind=OrgKind.PLATFORM, parent=places.nation)
    area = places.county.code

    pupil = people.pupil(area, LEARNER_GRADE, male=LEARNER.male)
    parent, relation = people.parent_of(pupil, area, male=PARENT.male)
    where = {
        LEARNER: places.learner_class,
        TEACHER: places.school,
        PARENT: places.school,
        SCHOOL_ADMIN: places.school,
        BUREAU_ADMIN: bureau,
        REVIEWER: places.nation,
        EMPLOYER_HR: employer,
        PLATFORM_OPERATOR: platform,
        SYSTEM_ADMIN: places.nation,
        SECURITY_ADMIN: places.nation,
        AUDIT_ADMIN: places.nation,
    }
    known = {LEARNER: pupil, PARENT: parent}
    users = {}
    for account in ACCOUNTS:
        person = known.get(account) or people.teacher(area, male=account.male)
        users[account] = user = _account_user(account, person, password_hash)
        services.grant_role_as_operator(user, where[account], account.role)
    # The school administrator records the guardian, as a school would; this also audits the link.
    services.link_guardian(users[SCHOOL_ADMIN], guardian=users[PARENT], minor=users[LEARNER], relation=relation)
    return list(users.values())


def _account_user(account: DemoAccount, person: Person, password_hash: str) -> User:
    # There is no service for an operator opening an account without a role; the role grant that
    # follows goes through the service and is audited.
    user = User(
        username=account.username, real_name=account.real_name, email=f"{account.username}@{DEMO_EMAIL_DOMAIN}",
        password=password_hash, birth_date=person.birth_date, verification=Verification.VERIFIED,
    )
    user.set_phone(person.phone)
    user.set_id_number(person.id_number)
    user.save()
    return user
