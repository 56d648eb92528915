// Small behaviours without inline script: confirm before destructive actions, copy a token.
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) e.preventDefault();
});
document.addEventListener("click", function (e) {
  var btn = e.target.closest("[data-copy]");
  if (!btn) return;
  var el = document.getElementById(btn.getAttribute("data-copy"));
  if (el && navigator.clipboard) navigator.clipboard.writeText(el.textContent.trim());
});
// Ticking a channel opens its variant for writing.
document.addEventListener("change", function (e) {
  var cb = e.target;
  if (cb.matches && cb.matches("details > summary input[type=checkbox]") && cb.checked) cb.closest("details").open = true;
});
// A "select all" box ticks every box of the name it gives, in its form.
document.addEventListener("change", function (e) {
  var all = e.target;
  var name = all.getAttribute && all.getAttribute("data-select-all");
  if (!name || !all.form) return;
  all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (cb) { cb.checked = all.checked; });
});
