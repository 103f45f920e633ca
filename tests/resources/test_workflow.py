"""The content review workflow (内容审核): states, illegal transitions, who may review, updates, takedowns."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import make_user
from tests.resources.conftest import add_word, all_passed, pdf_bytes, png_bytes, upload
from zhijiao.core.models import AuditEntry
from zhijiao.identity.models import Role, Verification
from zhijiao.resources import feedback, selectors, services
from zhijiao.resources.models import (
    Kind,
    Notice,
    ResourceVersion,
    ReviewTask,
    Status,
    TaskKind,
    VersionState,
)


def states(resource):
    return [v.state for v in ResourceVersion.objects.filter(resource=resource).order_by("number")]


def test_draft_to_published_through_machine_screen_and_two_review_levels(centre):
    resource = centre.new_video()
    assert resource.status == Status.DRAFT and states(resource) == [VersionState.DRAFT]
    version = services.submit(centre.provider, resource)
    version.refresh_from_db()
    assert version.state == VersionState.SCREENED
    assert version.screenings.get().passed
    level_one = ReviewTask.objects.get(version=version, level=1)
    services.claim(centre.reviewer, level_one)
    version.refresh_from_db()
    assert version.state == VersionState.IN_REVIEW
    services.decide(centre.reviewer, level_one, outcome="approve", dimensions=all_passed())
    resource.refresh_from_db()
    assert resource.status == Status.DRAFT, "one level is not enough when two are configured"
    level_two = ReviewTask.objects.get(version=version, level=2)
    services.decide(centre.final_reviewer, level_two, outcome="approve", dimensions=all_passed())
    resource.refresh_from_db()
    assert resource.status == Status.PUBLISHED and resource.live_version_id == version.pk
    assert selectors.published_resources().filter(pk=resource.pk).exists()
    actions = list(AuditEntry.objects.filter(target_id=str(resource.pk)).values_list("action", flat=True))
    assert actions.count("review.decide") == 2 and "resource.publish" in actions
    assert Notice.objects.filter(user=centre.provider, resource=resource).exists()


def test_single_review_level_publishes_on_first_approval(centre, settings):
    settings.ZJ_REVIEW_LEVELS = 1
    resource = centre.new_video(submit=True)
    services.decide(centre.reviewer, resource.tasks.get(), outcome="approve", dimensions=all_passed())
    resource.refresh_from_db()
    assert resource.status == Status.PUBLISHED


def test_per_library_levels_override_the_default(centre, settings):
    settings.ZJ_REVIEW_LEVELS_BY_LIBRARY = {"k12": 3}
    resource = centre.new_video(submit=True)
    services.decide(centre.reviewer, resource.tasks.get(level=1), outcome="approve", dimensions=all_passed())
    services.decide(centre.final_reviewer, resource.tasks.get(level=2), outcome="approve", dimensions=all_passed())
    assert resource.tasks.filter(level=3, state="open").exists()


def test_rejection_carries_reasons_and_a_revision_is_a_new_version(centre):
    resource = centre.new_video(submit=True)
    task = resource.tasks.get()
    with pytest.raises(ValidationError) as exc:
        services.decide(centre.reviewer, task, outcome="reject", dimensions=all_passed())
    assert "reasons" in str(exc.value)
    dims = all_passed()
    dims["scientific"] = {"checks": {"facts": False, "sources": True}, "comment": "第3分钟时针位置讲错了"}
    services.decide(centre.reviewer, task, outcome="reject", dimensions=dims)
    first = resource.versions.get(number=1)
    assert first.state == VersionState.REJECTED and "时针位置讲错了" in first.rejection_reasons
    with pytest.raises(ValidationError, match="no draft"):
        services.submit(centre.provider, resource)
    services.update_draft(centre.provider, resource, summary="通过生活中的钟表认识整时，时针指向几就是几时。",
                          change_note="改正时针讲解")
    assert states(resource) == [VersionState.REJECTED, VersionState.DRAFT]
    second = services.submit(centre.provider, resource)
    assert second.number == 2 and second.state == VersionState.SCREENED
    assert resource.versions.get(number=1).files.count() == second.files.count() == 1


def test_approving_needs_every_checklist_item(centre):
    resource = centre.new_video(submit=True)
    dims = all_passed()
    dims["political"]["checks"]["maps"] = False
    with pytest.raises(ValidationError, match="Political"):
        services.decide(centre.reviewer, resource.tasks.get(), outcome="approve", dimensions=dims)


@pytest.mark.parametrize("action", ["submit_twice", "decide_closed", "take_down_draft", "keep_on_publication"])
def test_illegal_transitions_are_refused_with_a_message(centre, action):
    resource = centre.new_video(submit=True)
    task = resource.tasks.get()
    if action == "submit_twice":
        with pytest.raises(ValidationError, match="no draft"):
            services.submit(centre.provider, resource)
    elif action == "decide_closed":
        services.decide(centre.reviewer, task, outcome="reject", comment="画面模糊")
        with pytest.raises(ValidationError, match="closed"):
            services.decide(centre.final_reviewer, task, outcome="approve", dimensions=all_passed())
    elif action == "take_down_draft":
        with pytest.raises(ValidationError, match="Only a published resource"):
            services.take_down(centre.reviewer, resource, reason="测试")
    else:
        with pytest.raises(ValidationError, match="Choose one of"):
            services.decide(centre.reviewer, task, outcome="keep", dimensions=all_passed())
    resource.refresh_from_db()
    assert resource.status == Status.DRAFT


def test_a_version_under_review_cannot_be_edited_until_withdrawn(centre):
    resource = centre.new_video(submit=True)
    with pytest.raises(ValidationError, match="Withdraw"):
        services.update_draft(centre.provider, resource, title="新标题的微课")
    services.withdraw(centre.provider, resource)
    assert resource.tasks.get().state == "cancelled"
    version = services.update_draft(centre.provider, resource, title="新标题的微课")
    assert version.number == 2 and states(resource) == [VersionState.WITHDRAWN, VersionState.DRAFT]
    services.withdraw(centre.provider, resource)  # abandoning the draft
    with pytest.raises(ValidationError, match="cannot become"):
        services.withdraw(centre.provider, resource)


def test_update_of_a_published_resource_keeps_the_old_version_live_until_approved(centre):
    resource = centre.new_video(submit=True)
    centre.approve_all_levels(resource)
    resource.refresh_from_db()
    live = resource.live_version
    services.update_draft(centre.provider, resource, title="认识钟表（修订版）微课")
    services.submit(centre.provider, resource)
    resource.refresh_from_db()
    assert resource.title == "认识钟表 微课" and resource.live_version_id == live.pk
    assert selectors.resource_for_search(resource.pk)["title"] == "认识钟表 微课"
    services.decide(centre.reviewer, resource.tasks.get(state="open"), outcome="approve", dimensions=all_passed())
    resource.refresh_from_db()
    assert resource.title == "认识钟表 微课", "still the old one after the first of two levels"
    services.decide(centre.final_reviewer, resource.tasks.get(state="open"), outcome="approve",
                    dimensions=all_passed())
    resource.refresh_from_db()
    assert resource.title == "认识钟表（修订版）微课" and resource.live_version.number == 2
    assert [v.state for v in selectors.versions_of(resource)] == [VersionState.APPROVED, VersionState.APPROVED]


def test_a_rejected_update_leaves_the_published_version_online(centre):
    resource = centre.new_video(submit=True)
    centre.approve_all_levels(resource)
    services.update_draft(centre.provider, resource, title="认识钟表 错误版本")
    services.submit(centre.provider, resource)
    services.decide(centre.reviewer, resource.tasks.get(state="open"), outcome="reject", comment="标题不规范")
    resource.refresh_from_db()
    assert resource.status == Status.PUBLISHED and resource.title == "认识钟表 微课"


def test_reviewer_cannot_review_own_organisations_resource(centre):
    resource = centre.new_video(submit=True)
    task = resource.tasks.get()
    with pytest.raises(ValidationError, match="own organisation"):
        services.claim(centre.school_reviewer, task)
    with pytest.raises(ValidationError, match="own organisation"):
        services.decide(centre.school_reviewer, task, outcome="approve", dimensions=all_passed())
    assert not selectors.review_queue(centre.school_reviewer).exists()
    assert selectors.review_queue(centre.reviewer).filter(pk=task.pk).exists()
    assert AuditEntry.objects.filter(action="access.denied", actor=centre.school_reviewer).exists()


def test_reviewer_outside_scope_is_refused(centre, tree):
    outsider = make_user("reviewer_b", role=Role.REVIEWER, org=tree.county_b)
    resource = centre.new_video(submit=True)
    with pytest.raises(PermissionDenied):
        services.decide(outsider, resource.tasks.get(), outcome="approve", dimensions=all_passed())
    assert not selectors.review_queue(outsider).exists()


def test_the_same_reviewer_cannot_decide_two_levels(centre):
    resource = centre.new_video(submit=True)
    services.decide(centre.final_reviewer, resource.tasks.get(level=1), outcome="approve", dimensions=all_passed())
    with pytest.raises(ValidationError, match="earlier review level"):
        services.decide(centre.final_reviewer, resource.tasks.get(level=2), outcome="approve",
                        dimensions=all_passed())


def test_claimed_task_belongs_to_its_reviewer(centre):
    resource = centre.new_video(submit=True)
    task = services.claim(centre.reviewer, resource.tasks.get())
    with pytest.raises(ValidationError, match="Another reviewer"):
        services.decide(centre.final_reviewer, task, outcome="approve", dimensions=all_passed())
    services.release(centre.reviewer, task)
    services.decide(centre.final_reviewer, task, outcome="approve", dimensions=all_passed())


def test_provider_must_be_verified_and_accept_the_agreement(centre, tree):
    newcomer = make_user("newcomer", role=Role.TEACHER, org=tree.school_a)
    resource = services.create_resource(newcomer, kind=Kind.DOCUMENT, provider=tree.school_a, title="教学设计文档")
    with pytest.raises(ValidationError) as exc:
        services.submit(newcomer, resource)
    assert len(exc.value.messages) == 2
    newcomer.verification = Verification.VERIFIED
    newcomer.save()
    with pytest.raises(ValidationError, match="agreement"):
        services.submit(newcomer, resource)
    agreement = services.accept_agreement(newcomer)
    assert agreement.version == "2024-1" and agreement.accepted_at is not None
    services.submit(newcomer, resource)  # incomplete metadata: the screen rejects it, but it was accepted
    assert resource.versions.get().state == VersionState.REJECTED


def test_only_providers_create_and_only_managers_edit(centre, tree):
    with pytest.raises(PermissionDenied):
        services.create_resource(centre.learner, kind=Kind.VIDEO, provider=tree.school_b, title="学生上传的视频")
    with pytest.raises(PermissionDenied):
        services.create_resource(centre.provider, kind=Kind.VIDEO, provider=tree.school_b, title="别校的视频")
    resource = centre.new_video()
    with pytest.raises(PermissionDenied):
        services.update_draft(centre.colleague, resource, title="同事改的标题")
    services.update_draft(centre.school_admin, resource, title="校管理员改的标题")


def test_sensitive_word_hits_block_publication_and_are_shown_in_context(centre):
    add_word("法轮功")
    resource = centre.new_video(summary="本节课介绍时钟，另外提到法轮功相关内容，请注意辨别。")
    version = services.submit(centre.provider, resource)
    version.refresh_from_db()
    assert version.state == VersionState.REJECTED
    finding = next(f for f in version.screenings.get().findings if f["check"] == "words")
    assert finding["word"] == "法轮功" and "【法轮功】" in finding["context"] and finding["field"] == "summary"
    assert not ReviewTask.objects.filter(version=version).exists()
    assert resource.status == Status.DRAFT


def test_words_in_extracted_document_text_are_found(centre, tree):
    add_word("casino", "advertising")
    resource = services.create_resource(
        centre.provider, kind=Kind.DOCUMENT, provider=tree.school_a, columns=[centre.column], title="课后阅读材料",
        summary="一份配合课堂使用的英文阅读材料，适合三年级学生。", subject=centre.lesson.unit.volume.subject,
        keywords=["阅读"], authors=["王老师"])
    stored = upload(centre.provider, resource, "main", pdf_bytes("Visit the casino today"), "reading.pdf")
    assert "casino" in stored.text
    version = services.submit(centre.provider, resource)
    words = [f for f in version.screenings.get().findings if f["check"] == "words"]
    assert words and words[0]["field"] == "reading.pdf"


def test_metadata_and_files_are_checked(centre, tree):
    resource = services.create_resource(centre.provider, kind=Kind.LESSON_PACKAGE, provider=tree.school_a,
                                        title="课时包")
    version = services.submit(centre.provider, resource)
    findings = version.screenings.get().findings
    checks = {(f["check"], f["field"]) for f in findings}
    assert ("files", "video") in checks and ("files", "task_sheet") in checks and ("files", "exercises") in checks
    assert ("metadata", "columns") in checks and ("metadata", "lesson") in checks
    assert ("metadata", "summary") in checks


def test_suitability_refuses_a_primary_resource_in_a_junior_column(centre):
    resource = centre.new_video()
    services.update_draft(centre.provider, resource, columns=[centre.column, centre.junior_column])
    version = services.submit(centre.provider, resource)
    finding = next(f for f in version.screenings.get().findings if f["check"] == "suitability")
    assert "初中" in finding["message"] and "小学" in finding["message"]


def test_complaint_takedown_fix_rereview_republish(centre):
    resource = centre.new_video(submit=True)
    centre.approve_all_levels(resource)
    complaint = feedback.complain(centre.learner, resource, category="scientific", text="视频里说3点时分针指向3，这是错的。")
    assert complaint.state == "open"
    assert selectors.complaint_queue(centre.handler).filter(pk=complaint.pk).exists()
    feedback.handle_complaint(centre.handler, complaint, uphold=True, outcome="经核实，视频讲解有误，已下架整改。")
    resource.refresh_from_db()
    complaint.refresh_from_db()
    assert resource.status == Status.TAKEN_DOWN and complaint.state == "upheld"
    assert not selectors.published_resources().filter(pk=resource.pk).exists()
    assert Notice.objects.filter(user=centre.learner, text__contains="经核实").exists()
    services.update_draft(centre.provider, resource, summary="通过生活中的钟表认识整时，3点时分针指向12，时针指向3。",
                          change_note="按投诉意见改正")
    services.submit(centre.provider, resource)
    resource.refresh_from_db()
    assert resource.status == Status.TAKEN_DOWN, "a fixed resource stays offline until it passes review again"
    centre.approve_all_levels(resource)
    resource.refresh_from_db()
    assert resource.status == Status.PUBLISHED and resource.live_version.number == 2


def test_dismissed_complaint_keeps_the_resource_and_tells_the_complainant(centre):
    resource = centre.new_video(submit=True)
    centre.approve_all_levels(resource)
    complaint = feedback.complain(centre.learner, resource, category="other", text="我觉得不好看")
    feedback.handle_complaint(centre.handler, complaint, uphold=False, outcome="内容无误，不予支持。")
    resource.refresh_from_db()
    assert resource.status == Status.PUBLISHED
    assert Notice.objects.get(user=centre.learner).text.endswith("内容无误，不予支持。")
    with pytest.raises(ValidationError, match="already handled"):
        feedback.handle_complaint(centre.handler, complaint, uphold=True, outcome="再次处理")


def test_spot_check_queues_published_resources_and_can_take_one_down(centre):
    resource = centre.new_video(submit=True)
    centre.approve_all_levels(resource)
    tasks = services.queue_spot_checks(count=5)
    assert [t.resource_id for t in tasks] == [resource.pk]
    assert services.queue_spot_checks(count=5) == [], "an open spot check is not drawn again"
    task = tasks[0]
    assert task.kind == TaskKind.SPOT_CHECK and task.version_id == resource.live_version_id
    services.decide(centre.reviewer, task, outcome="take_down", comment="抽查发现画面含广告")
    resource.refresh_from_db()
    assert resource.status == Status.TAKEN_DOWN


def test_manual_spot_check_needs_a_reviewer(centre):
    with pytest.raises(PermissionDenied):
        services.queue_spot_checks(centre.provider, count=1)
    assert services.queue_spot_checks(centre.reviewer, count=1) == []


def test_dynamic_evaluation_queues_low_rated_resources(centre, settings, tree):
    settings.ZJ_EVAL_MIN_RATINGS = 3
    resource = centre.new_video(submit=True)
    centre.approve_all_levels(resource)
    for n in range(3):
        feedback.rate(make_user(f"rater{n}", role=Role.LEARNER, org=tree.class_a), resource, 1)
    tasks = services.evaluate()
    assert len(tasks) == 1 and tasks[0].kind == TaskKind.EVALUATION and "1.0" in tasks[0].reason
    assert services.evaluate() == []
    services.decide(centre.reviewer, tasks[0], outcome="keep", dimensions=all_passed())
    resource.refresh_from_db()
    assert resource.status == Status.PUBLISHED


def test_dynamic_evaluation_queues_much_complained_resources(centre, settings):
    settings.ZJ_EVAL_MIN_VIEWS = 10
    resource = centre.new_video(submit=True)
    centre.approve_all_levels(resource)
    resource.stats.views = 20
    resource.stats.save()
    feedback.complain(centre.learner, resource, category="broken", text="视频无法播放")
    assert [t.resource_id for t in services.evaluate()] == [resource.pk]


def test_upload_into_a_published_resource_starts_a_new_draft(centre):
    resource = centre.new_video(submit=True)
    centre.approve_all_levels(resource)
    upload(centre.provider, resource, "poster", png_bytes(), "poster.png")
    resource.refresh_from_db()
    assert resource.live_version.files.filter(role="poster").count() == 0
    assert resource.versions.get(number=2).files.filter(role="poster").count() == 1
