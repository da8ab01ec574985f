// The campaign screens, loaded as a file (the panel's CSP allows no inline script):
// the wizard shows only the chosen kind's fields, counts the audience live as the filter changes
// (debounced), and adds rows for more languages; the campaign page follows a running launch and
// reloads when it is done; the email preview's buyer menu shows the pick at once.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("campaign-form");
  if (!form) { return; }

  // Only the chosen kind's details (the server ignores the others anyway).
  var kinds = form.querySelectorAll("input[name=kind]");
  function showKind() {
    var chosen = form.querySelector("input[name=kind]:checked");
    var kind = chosen ? chosen.value : "";
    form.querySelectorAll("fieldset[data-kinds]").forEach(function (set) {
      set.hidden = set.getAttribute("data-kinds").split(" ").indexOf(kind) === -1;
    });
  }
  kinds.forEach(function (k) { k.addEventListener("change", showKind); });
  showKind();

  // More languages: a copy of the last (empty) row.
  var versions = document.getElementById("versions");
  var add = document.getElementById("add-language");
  if (versions && add) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var rows = versions.querySelectorAll(".version-row");
      var row = rows[rows.length - 1].cloneNode(true);
      var index = rows.length;
      row.setAttribute("data-index", index);
      row.querySelectorAll("input, textarea").forEach(function (field) {
        field.value = "";
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
        field.id = field.id.replace(/-\d+$/, "-" + index);
      });
      row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      versions.appendChild(row);
      row.querySelector("input").focus();
    });
  }

  // The live audience preview.
  var audience = document.getElementById("step-audience");
  var url = form.getAttribute("data-preview-url");
  if (!audience || !url || !window.fetch) { return; }
  var timer = null, sent = 0;
  var $ = function (id) { return document.getElementById(id); };

  function fill(list, items) {
    list.replaceChildren.apply(list, items.map(function (item) {
      var li = document.createElement("li");
      var label = document.createElement("span");
      label.textContent = item.label;
      var count = document.createElement("strong");
      count.textContent = item.shown;
      li.setAttribute("data-key", item.key);
      li.append(label, count);
      return li;
    }));
  }

  function show(data) {
    $("preview-error").hidden = true;
    $("preview-recipients").textContent = data.recipients_shown;
    $("preview-recipients").setAttribute("data-count", data.recipients);
    $("preview-summary").textContent = data.summary;
    fill($("preview-excluded"), data.excluded);
    fill($("preview-by-country"), data.by_country);
    fill($("preview-by-language"), data.by_language);
    fill($("preview-by-segment"), data.by_segment);
  }

  function refresh() {
    var mine = ++sent;
    audience.setAttribute("aria-busy", "true");
    fetch(url, {method: "POST", credentials: "same-origin", body: new FormData(form),
                headers: {"X-CSRFToken": form.querySelector("input[name=csrf_token]").value}})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (answer) {
        if (mine !== sent) { return; }  // a newer request is on its way
        audience.removeAttribute("aria-busy");
        if (answer.ok) { show(answer.data); return; }
        var reasons = Object.values(answer.data.errors || {}).concat(answer.data.general || []);
        $("preview-error").textContent = answer.data.message + " " + reasons.join(" ");
        $("preview-error").hidden = false;
      })
      .catch(function () { audience.removeAttribute("aria-busy"); });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }
  audience.addEventListener("input", later);
  audience.addEventListener("change", later);
  refresh();
});

// The campaign page: a running launch's progress, polled every second; the page reloads when done.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("launch-progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("launch-bar");
  var count = document.getElementById("launch-count");
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { setTimeout(poll, 1000); return; }
        if (!data.running) { window.location.reload(); return; }
        bar.max = data.total || 1;
        bar.value = data.seen;
        count.textContent = data.shown;
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 1000);
});

// The email preview: choosing a buyer shows their email.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
