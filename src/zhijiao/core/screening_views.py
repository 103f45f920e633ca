"""The sensitive-word dictionary page (/manage/screening/): security administrator only.

Add, edit, enable/disable, remove and bulk-import words, and try a text against the live automaton.
Every change goes through zhijiao.core.screening_services, which audits it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhijiao.core import screening, screening_services
from zhijiao.core.models import SensitiveWord, WordCategory
from zhijiao.identity.decorators import admin_page

MAX_IMPORT_BYTES = 2 * 1024 * 1024
CATEGORY_FILTER = [("", gettext_lazy("All categories")), *WordCategory.choices]
STATE_FILTER = [("", gettext_lazy("Enabled and disabled")), ("on", gettext_lazy("Enabled")),
                ("off", gettext_lazy("Disabled"))]


class WordFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Word contains"), max_length=100, required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=CATEGORY_FILTER, required=False)
    state = forms.ChoiceField(label=gettext_lazy("State"), choices=STATE_FILTER, required=False)


class WordForm(forms.Form):
    word = forms.CharField(label=gettext_lazy("Word"), max_length=screening_services.MAX_WORD_LENGTH)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=WordCategory.choices)
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Text file (UTF-8)"), help_text=gettext_lazy(
        "One word a line; optionally a comma or tab and a category code (political, pornographic, violent, "
        "discriminatory, advertising, other). Lines starting with # are ignored."))
    category = forms.ChoiceField(label=gettext_lazy("Category for lines without one"), choices=WordCategory.choices)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text."))


class TryForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Text to check"), max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 4}))


def _words(form: WordFilterForm):
    words = SensitiveWord.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"].strip():
            words = words.filter(normalised__contains=screening.normalise(data["q"]))
        if data["category"]:
            words = words.filter(category=data["category"])
        if data["state"]:
            words = words.filter(enabled=data["state"] == "on")
    return words.order_by("category", "normalised")


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    for field_name, errors in exc.message_dict.items():
        form.add_error(field_name if field_name in form.fields else None, errors)


@admin_page("screening.manage")
def dictionary(request):
    user = request.user
    add_form, import_form, try_form = WordForm(prefix="add"), ImportForm(prefix="import"), TryForm(prefix="try")
    hits = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            add_form = WordForm(request.POST, prefix="add")
            if add_form.is_valid():
                try:
                    entry = screening_services.add_word(user, request=request, **add_form.cleaned_data)
                except ValidationError as exc:
                    _apply_errors(add_form, exc)
                else:
                    messages.success(request, _("“%(word)s” added.") % {"word": entry.word})
                    return redirect(request.get_full_path())
        elif action == "import":
            import_form = ImportForm(request.POST, request.FILES, prefix="import")
            if import_form.is_valid():
                result = screening_services.import_words(user, import_form.cleaned_data["file"], request=request,
                                                         default_category=import_form.cleaned_data["category"])
                messages.success(request, _("Imported: %(added)d added, %(present)d already in the dictionary, "
                                            "%(invalid)d lines not usable.") % {
                    "added": result.added, "present": result.already_present, "invalid": len(result.errors)})
                for number, message in result.errors[:20]:
                    messages.warning(request, _("Line %(n)d: %(message)s") % {"n": number, "message": message})
                return redirect(request.get_full_path())
        elif action == "try":
            try_form = TryForm(request.POST, prefix="try")
            if try_form.is_valid():
                hits = screening.scan(try_form.cleaned_data["text"])
        else:
            return redirect(request.get_full_path())
    filter_form = WordFilterForm(request.GET or None)
    page = Paginator(_words(filter_form), 100).get_page(request.GET.get("page"))
    return render(request, "core/screening.html", {
        "filter_form": filter_form, "page": page, "add_form": add_form, "import_form": import_form,
        "try_form": try_form, "hits": hits, "categories": WordCategory.choices,
        "total": SensitiveWord.objects.count(),
    })


@admin_page("screening.manage")
def word(request, word_id: int):
    """Change, enable/disable or remove one word (POST only), then back to the list."""
    entry = get_object_or_404(SensitiveWord, pk=word_id)
    back = request.POST.get("next") or reverse("manage:screening")
    if not back.startswith("/"):
        back = reverse("manage:screening")
    if request.method != "POST":
        return redirect(back)
    action = request.POST.get("action")
    try:
        if action == "delete":
            screening_services.delete_word(request.user, entry, request=request)
            messages.success(request, _("“%(word)s” removed.") % {"word": entry.word})
        elif action == "toggle":
            screening_services.update_word(request.user, entry, word=entry.word, category=entry.category,
                                           enabled=not entry.enabled, request=request)
            messages.success(request, (_("“%(word)s” enabled.") if entry.enabled else _("“%(word)s” disabled."))
                             % {"word": entry.word})
        elif action == "update":
            form = WordForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect(back)
            screening_services.update_word(request.user, entry, request=request, **form.cleaned_data)
            messages.success(request, _("“%(word)s” saved.") % {"word": entry.word})
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect(back)

