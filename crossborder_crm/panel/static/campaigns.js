// The campaign screens, loaded as a file (the panel's CSP allows no inline script):
// the wizard shows only the chosen kind's fields (and the A/B test's when it is on), counts the audience
// live as the filter changes (debounced), fills the filter from a saved audience or saves it under a
// name, and adds rows for more languages; the campaign page follows a running launch and reloads when
// it is done; the email preview's buyer menu shows the pick at once.
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

  // The A/B test's fields (the second subjects included) only while the box is ticked.
  var abOn = document.getElementById("f-ab_on");
  function showAb() {
    form.querySelectorAll("[data-ab]").forEach(function (el) { el.hidden = !abOn.checked; });
  }
  if (abOn) {
    abOn.addEventListener("change", showAb);
    showAb();
  }

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

  function later(event) {
    // The saved audiences' own controls change no filter (choosing one fills the fields, then counts).
    if (event && event.target.closest && event.target.closest("[data-no-preview]")) { return; }
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }
  audience.addEventListener("input", later);
  audience.addEventListener("change", later);
  refresh();
  savedAudiences(form, later);
});

// Saved audiences: choosing one fills the audience fields from its filter (JSON in the option's
// data-filter); "Save this audience as…" saves the current filter and adds it to the menu.
function savedAudiences(form, recount) {
  var box = document.getElementById("saved-audiences");
  if (!box) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var menu = $("saved-audience"), name = $("f-saved_audience_name"), save = $("save-audience");
  var error = $("saved-audience-error"), status = $("saved-audience-status"), note = $("saved-audience-note");
  var marked = [];
  box.hidden = false;

  function fill(values) {
    Object.keys(values).forEach(function (key) {
      var field = $("f-" + key);
      var value = values[key];
      if (!field) { return; }
      if (!Array.isArray(value)) { field.value = value; return; }
      value.forEach(function (v) {  // a value no buyer has yet is still a choice
        if (!Array.prototype.some.call(field.options, function (o) { return o.value === v; })) {
          field.add(new Option(v, v));
        }
      });
      Array.prototype.forEach.call(field.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
    });
  }

  menu.addEventListener("change", function () {
    var option = menu.options[menu.selectedIndex];
    note.hidden = true;
    if (!option || !option.value) { return; }
    fill(JSON.parse(option.getAttribute("data-filter")));
    if (option.getAttribute("data-note")) {
      note.textContent = option.getAttribute("data-note");
      note.hidden = false;
    }
    recount();
  });

  function labelOf(key) {
    var field = $("f-" + key);
    var label = field && field.closest("label");
    return label && label.firstChild ? label.firstChild.textContent.trim() : key;
  }

  function refused(data) {
    var lines = [data.message];
    Object.keys(data.errors || {}).forEach(function (key) {
      var field = $("f-" + key);
      if (field) { field.setAttribute("aria-invalid", "true"); marked.push(field); }
      lines.push(field === name ? data.errors[key] : labelOf(key) + ": " + data.errors[key]);
    });
    error.textContent = lines.concat(data.general || []).join(" ");
    error.hidden = false;
  }

  function saved(data) {
    var option = new Option(data.audience.name, data.audience.id);
    option.setAttribute("data-filter", JSON.stringify(data.audience.fields));
    option.setAttribute("data-note", data.audience.note);
    menu.add(option);
    menu.value = String(data.audience.id);
    name.value = "";
    status.textContent = data.message;
  }

  function send() {
    marked.forEach(function (field) { field.removeAttribute("aria-invalid"); });
    marked = [];
    error.hidden = true;
    status.textContent = "";
    save.setAttribute("aria-busy", "true");
    fetch(box.getAttribute("data-save-url"), {
      method: "POST", credentials: "same-origin", body: new FormData(form),
      headers: {"X-CSRFToken": form.querySelector("input[name=csrf_token]").value}})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (answer) {
        save.removeAttribute("aria-busy");
        (answer.ok ? saved : refused)(answer.data);
      })
      .catch(function () { save.removeAttribute("aria-busy"); });
  }

  save.addEventListener("click", send);
  name.addEventListener("keydown", function (event) {  // Enter saves the audience, not the campaign
    if (event.key === "Enter") { event.preventDefault(); send(); }
  });
}

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
