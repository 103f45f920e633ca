// Suggestions while typing in the resource search box: fetches /api/v1/resources/suggest?q=… (debounced)
// and shows the phrases as a list the keyboard can walk (↑ ↓ Enter, Esc closes).
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest-url]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var timer = null, active = -1, last = "";
    function close() { list.hidden = true; list.innerHTML = ""; active = -1; input.setAttribute("aria-expanded", "false"); }
    function choose(text) { input.value = text; close(); input.form.submit(); }
    function show(items) {
      list.innerHTML = "";
      items.forEach(function (text, i) {
        var li = document.createElement("li");
        li.textContent = text;  // never innerHTML: suggestions are data
        li.id = "zj-suggestion-" + i;
        li.setAttribute("role", "option");
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(text); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      if (active >= 0) input.setAttribute("aria-activedescendant", "zj-suggestion-" + active); else input.removeAttribute("aria-activedescendant");
    }
    input.addEventListener("input", function () {
      var q = input.value.trim();
      clearTimeout(timer);
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        last = q;
        fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) { if (q === last && input.value.trim() === q) show(items); })
          .catch(function () { close(); });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      var n = list.children.length;
      if (list.hidden || !n) return;
      if (e.key === "ArrowDown") { active = (active + 1) % n; mark(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = (active - 1 + n) % n; mark(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(list.children[active].textContent); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });
})();
