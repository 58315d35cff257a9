// Starts Swagger UI on this service's OpenAPI document. A file of its own, not an inline
// script, so that the page's content security policy allows scripts from this origin only.
"use strict";
window.ui = window.SwaggerUIBundle({
  url: document.body.dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null, // no request to validator.swagger.io
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
