// Keeps an unsaved assessment draft in this browser, so nothing typed is lost when a session
// expires or a save is refused; offers it back when the same draft revision is opened again.
// The key names the signed-in user, so someone else on this browser is never offered it; it is
// dropped once the assessment is submitted, and everything kept goes at sign-out (session.js).
(function () {
  "use strict";
  if (!window.localStorage) return;
  var done = document.getElementById("assessment-done");
  if (done) {
    localStorage.removeItem("ladder:" + done.dataset.draftKey);
    return;
  }
  var form = document.getElementById("assessment-form");
  if (!form) return;
  var key = "ladder:" + form.dataset.draftKey;
  var revision = form.dataset.revision;
  var banner = form.querySelector(".restore-banner");

  function snapshot() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "revision") return;
      (data[name] = data[name] || []).push(value);
    });
    return data;
  }
  function apply(data) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || !(field.name in data)) return;
      var values = data[field.name];
      if (field.type === "radio" || field.type === "checkbox") field.checked = values.indexOf(field.value) !== -1;
      else field.value = values[0];
    });
  }
  var stored = null;
  try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
  var current = JSON.stringify(snapshot());
  if (stored && stored.revision === revision && JSON.stringify(stored.data) !== current) {
    banner.hidden = false;
    banner.querySelector("[data-restore]").addEventListener("click", function () {
      apply(stored.data);
      banner.hidden = true;
    });
    banner.querySelector("[data-discard]").addEventListener("click", function () {
      localStorage.removeItem(key);
      banner.hidden = true;
    });
  } else if (stored && stored.revision !== revision) {
    localStorage.removeItem(key);  // the server has a newer draft than what was kept here
  }
  function keep() {
    localStorage.setItem(key, JSON.stringify({ revision: revision, data: snapshot() }));
  }
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
})();
