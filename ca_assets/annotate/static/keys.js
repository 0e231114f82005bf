// Keys 1-4 choose an answer (not while typing in a text box). A script file, so the page's CSP forbids inline code.
document.addEventListener("keydown", function (event) {
  if (event.target.tagName === "TEXTAREA" || event.altKey || event.ctrlKey || event.metaKey) return;
  var box = document.querySelector('input[name="choice"][value="' + event.key + '"]');
  if (box) { box.checked = true; box.focus(); }
});
