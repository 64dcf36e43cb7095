// Start Swagger UI on the service's own OpenAPI document (/docs). A file, not an inline
// script, because the page's Content-Security-Policy runs scripts from 'self' only.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  // swagger-ui.css has a dark theme under html.dark-mode; follow the system's choice, as the form does.
  var dark = window.matchMedia("(prefers-color-scheme: dark)");
  function followScheme() { document.documentElement.classList.toggle("dark-mode", dark.matches); }
  followScheme();
  dark.addEventListener("change", followScheme);
  // What Swagger UI draws, mended for screen readers and the keyboard (axe-core), again each
  // time it draws anew: its about box in a named region (it sits outside every landmark), its
  // headings one level up (its tags are h3 under its h1 title), and each example box that
  // scrolls reachable with the keyboard.
  function mend() {
    var about = root.querySelector(".information-container:not([role])");
    if (about) {
      about.setAttribute("role", "region");
      about.setAttribute("aria-label", "About this API");
    }
    root.querySelectorAll("h3:not([aria-level]), h4:not([aria-level]), h5:not([aria-level])").forEach(
      function (heading) { heading.setAttribute("aria-level", String(Number(heading.tagName[1]) - 1)); });
    root.querySelectorAll(".highlight-code > pre:not([tabindex])").forEach(function (example) {
      example.setAttribute("tabindex", "0");
    });
  }
  new MutationObserver(mend).observe(root, {childList: true, subtree: true});
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    // Off: with deep links each operation's path is a link inside its open/close button, a
    // control within a control that screen readers cannot reach (axe: nested-interactive).
    deepLinking: false,
    validatorUrl: null,  // the default badge would ask validator.swagger.io about the document
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
