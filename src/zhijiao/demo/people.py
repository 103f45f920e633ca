"""Believable demo people: Chinese names, birth dates that fit their place, well-formed identifiers.

ID numbers follow GB 11643 (six-digit area code of the person's county, birth date, a three-digit
sequence that is odd for men and even for women, and the ISO 7064 MOD 11-2 check character). Phone
numbers start with 100, a prefix no mobile number has, so a demo number never reaches a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

# Common surnames, most frequent first; the weights fall off with rank like real name frequencies.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁"
    "任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
)
_SURNAME_WEIGHTS = list(accumulate(1 / (rank + 1) ** 0.7 for rank in range(len(SURNAMES))))

# Characters for given names, by generation: children born in the 2010s, adults born 1965–2000.
CHILD_BOY = "浩宇轩子涵博文俊杰睿泽晨阳一航铭皓然天佑昊嘉豪锦程思远毅凯梓鑫瑞诚逸楷奕霖煜哲翔晟沐辰"
CHILD_GIRL = "欣怡婷雨佳琪梓萱诗涵雅静颖思悦可馨一诺紫嘉妍雪晓慧若汐玥彤依茜璐艺瑶语桐芮希安然"
ADULT_MAN = "伟强磊军明辉鹏涛勇超刚平杰斌建华国志峰海波林东亮成文兵龙俊宏飞春卫新立"
ADULT_WOMAN = "芳娜敏静丽艳娟霞燕玲红梅英丹萍琴华慧莉颖洁晶雪琳秀兰凤云玉婷倩蓉"

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PHONE_PREFIX = "100"


def id_check_character(body: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


@dataclass(frozen=True)
class Person:
    real_name: str
    surname: str
    male: bool
    birth_date: date
    id_number: str
    phone: str = ""


class PeopleFactory:
    """Makes people from one random generator, so a given seed always yields the same people.

    Ages follow the school year that is under way: a pupil in grade g was six by 31 August g−1 years
    ago, as the enrolment rule says. Every pupil is therefore between 6 and 15, a minor.
    """

    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.school_year = today.year if today.month >= 9 else today.year - 1
        self._id_numbers: set[str] = set()
        self._phones: set[str] = set()

    def pupil(self, area_code: str, grade: int, male: bool | None = None) -> Person:
        earliest = date(self.school_year - 6 - grade, 9, 1)
        latest = date(self.school_year - 5 - grade, 8, 31)
        birth = earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))
        male = self.rng.random() < 0.52 if male is None else male
        surname = self._surname()
        given = CHILD_BOY if male else CHILD_GIRL
        return Person(surname + self._given(given), surname, male, birth, self._id_number(area_code, birth, male))

    def parent_of(self, child: Person, area_code: str, male: bool | None = None) -> tuple[Person, str]:
        """A parent (father or mother) aged 22–40 at the child's birth, and the relation's name."""
        male = self.rng.random() < 0.5 if male is None else male
        surname = child.surname if male else self._surname()
        birth = self._day_in(child.birth_date.year - self.rng.randint(22, 40))
        person = self._adult(surname, male, birth, area_code)
        return person, ("父亲" if male else "母亲")

    def teacher(self, area_code: str, male: bool | None = None) -> Person:
        """An adult of working age (23–58), for teachers and staff."""
        male = self.rng.random() < 0.3 if male is None else male
        birth = self._day_in(self.school_year - self.rng.randint(23, 58))
        return self._adult(self._surname(), male, birth, area_code)

    def _adult(self, surname: str, male: bool, birth: date, area_code: str) -> Person:
        name = surname + self._given(ADULT_MAN if male else ADULT_WOMAN)
        return Person(name, surname, male, birth, self._id_number(area_code, birth, male), self._phone())

    def _surname(self) -> str:
        return self.rng.choices(SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]

    def _given(self, characters: str) -> str:
        length = 1 if self.rng.random() < 0.25 else 2
        return "".join(self.rng.choice(characters) for _ in range(length))

    def _day_in(self, year: int) -> date:
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    def _id_number(self, area_code: str, birth: date, male: bool) -> str:
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
            body = f"{area_code}{birth:%Y%m%d}{sequence:03d}"
            number = body + id_check_character(body)
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return number

    def _phone(self) -> str:
        while True:
            phone = f"{PHONE_PREFIX}{self.rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone
