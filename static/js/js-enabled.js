// GOV.UK Frontend's page template sets these classes with an inline script; the CSP allows only
// served scripts (script-src 'self'), so it is this file, loaded first thing in <body>.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
