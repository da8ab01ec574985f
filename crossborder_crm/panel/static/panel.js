// Panel-wide behaviour, loaded as a file (the CSP allows only 'self' scripts, no inline handlers):
// forms with data-confirm ask before they submit; inputs with data-filter narrow a select's options.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter"));
    if (!select) { return; }
    input.hidden = false;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = (option.textContent + " " + option.value).toLowerCase();
        var shown = words.every(function (w) { return text.indexOf(w) !== -1; }) || option.selected;
        option.hidden = !shown;
        if (shown && !first && !option.selected) { first = option; }
      });
    });
  });
});
