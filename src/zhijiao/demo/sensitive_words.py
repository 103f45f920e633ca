"""A mild starter dictionary for the sensitive-word screening (advertising, gambling and fraud terms).

The real list is deployment configuration, imported by the security administrator on /manage/screening/.
"""

from zhijiao.core import screening_services

STARTER_WORDS = [
    ("网络赌博", "advertising"), ("博彩", "advertising"), ("六合彩", "advertising"), ("时时彩", "advertising"),
    ("百家乐", "advertising"), ("刷单返利", "advertising"), ("兼职刷单", "advertising"), ("高利贷", "advertising"),
    ("裸贷", "pornographic"), ("校园贷", "advertising"), ("代考", "other"), ("替考", "other"), ("代写论文", "other"),
    ("考试答案出售", "other"), ("办证刻章", "other"), ("加微信领红包", "advertising"), ("免费领取话费", "advertising"),
    ("传销", "other"), ("翻墙软件", "other"), ("约架", "violent"),
]


def seed() -> int:
    return screening_services.seed_starter_dictionary(STARTER_WORDS)
