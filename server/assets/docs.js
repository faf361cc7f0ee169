// Confab's API page: Swagger UI over this server's own OpenAPI document.
// "Try it out" calls go to this origin with the browser's session cookie, or
// with a bearer token entered under "Authorize".
window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  withCredentials: true,
  tryItOutEnabled: false,
  // The page's CSP allows no other origin; the validator badge would call one.
  validatorUrl: null,
});
