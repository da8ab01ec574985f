// The complaint page: the tone check runs again as the seller edits the reply (debounced), and the
// warnings list is rebuilt from the answer. Loaded as a file: the panel's CSP allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("reply-form");
  var list = document.getElementById("tone-warnings");
  var ok = document.getElementById("tone-ok");
  if (!form || !list || !window.fetch) { return; }
  var token = form.querySelector("input[name=csrf_token]").value;
  var fields = form.querySelectorAll("textarea[data-tone]");
  var timer = null;

  function item(w) {
    var li = document.createElement("li");
    li.className = "tone-" + w.kind;
    var label = document.createElement("strong");
    label.textContent = w.label;
    var phrase = document.createElement("span");
    phrase.lang = form.dataset.language;
    phrase.textContent = w.phrase;
    var better = document.createElement("span");
    better.lang = form.dataset.language;
    better.textContent = w.suggestion;
    li.append(label, ": “", phrase, "” → ", better);
    return li;
  }

  function check() {
    var texts = Array.prototype.map.call(fields, function (f) { return f.value; });
    fetch(form.dataset.toneUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify({text: texts.join("\n\n"), language: form.dataset.language})
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) { return; }
      list.replaceChildren.apply(list, data.warnings.map(item));
      ok.hidden = data.warnings.length > 0;
    });
  }

  fields.forEach(function (f) {
    f.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
  });
});

// A saved reply goes in at the cursor of the message (or at its end), then the tone is checked again.
document.addEventListener("DOMContentLoaded", function () {
  var body = document.getElementById("reply-body");
  if (!body) { return; }
  document.querySelectorAll("button.insert-reply[data-insert]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-insert");
      var at = body.selectionStart || body.value.length;
      body.value = body.value.slice(0, at) + text + body.value.slice(at);
      body.dispatchEvent(new Event("input"));
      body.focus();
    });
  });
});
