// Loaded at the top of <body> (the CSP forbids inline scripts): tells GOV.UK Frontend's CSS that
// JavaScript runs and whether the browser supports ES modules, before the page is drawn.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
