// Settings page: readonly secrets select themselves on focus; copy buttons copy them.
// Loaded as a file (the panel's CSP allows only 'self' scripts, no inline handlers).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input.copy-source").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("button.copy-button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      input.select();
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
});
