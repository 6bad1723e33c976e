/* A private receipt link carries the code after "#", which browsers never send to the server
   (so no log keeps it): put it in the receipt form, take it out of the address bar, and send
   the form, whose body is not logged. */
(function () {
  "use strict";
  var form = document.getElementById("receipt-form");
  var code = window.location.hash.slice(1);
  if (!form || !code) { return; }
  form.querySelector("input[name=code]").value = decodeURIComponent(code);
  window.history.replaceState(null, "", window.location.pathname);
  form.submit();
})();
