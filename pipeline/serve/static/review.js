// Keyboard shortcuts of the review page (pipeline serve). First-party, no inline script:
// the Content-Security-Policy allows only scripts from this site.
"use strict";
document.addEventListener("keydown", function (event) {
  var form = document.getElementById("entry-form");
  var box = document.getElementById("text");
  var target = event.target;
  var typing = target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT");
  function press(id) {
    var button = document.getElementById(id);
    if (form && button) { event.preventDefault(); form.requestSubmit(button); }
  }
  function follow(id) {
    var link = document.getElementById(id);
    if (link) { event.preventDefault(); window.location.assign(link.href); }
  }
  if (typing) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { press("save"); }
    else if (event.key === "Escape") { target.blur(); }
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) { return; }
  if (event.key === "a") { press("approve"); }
  else if (event.key === "e" && box && box.tagName === "TEXTAREA") {
    event.preventDefault();
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }
  else if (event.key === "s" || event.key === "n") { follow("skip"); }
  else if (event.key === "b") { follow("back"); }
});
