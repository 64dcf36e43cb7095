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
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,  // the default badge would ask validator.swagger.io about the document
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
