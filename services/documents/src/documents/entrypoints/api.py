"""HTTP API of the documents service under ``/v1``: the routers, in order."""

from documents.entrypoints.routes import content, documents, uploads

routers = [uploads.router, documents.router, content.router]
