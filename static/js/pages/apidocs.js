// /docs: Swagger UI (the vendored bundle's global) over the server's OpenAPI schema.
const root = document.getElementById("swagger-ui");
window.ui = window.SwaggerUIBundle({ url: root.dataset.openapi, dom_id: "#swagger-ui" });
