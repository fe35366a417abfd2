// Progressive enhancement only: every page works without JavaScript. GOV.UK Frontend's
// components (error summary focus, character count, notification banners, service navigation)
// are started here, from a served module (the CSP keeps script-src 'self').
import { initAll } from "../govuk/govuk-frontend.min.js";
import { startTimeoutWarning } from "./timeout-warning.js";

initAll();
startTimeoutWarning();

// Confirm before destructive buttons that ask for it.
document.querySelectorAll("[data-confirm]").forEach(function (el) {
  el.addEventListener("click", function (event) {
    if (!window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
});
