// Signing out drops every assessment draft this browser kept (draft.js), so the next person to
// use the browser finds nothing of what was typed.
(function () {
  "use strict";
  var form = document.getElementById("sign-out");
  if (!form || !window.localStorage) return;
  form.addEventListener("submit", function () {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (key && key.indexOf("ladder:") === 0) localStorage.removeItem(key);
    }
  });
})();
