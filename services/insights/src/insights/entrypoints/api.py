"""The insights HTTP API: the routers in the order the OpenAPI document lists them."""

from insights.entrypoints.routes import mentorships, reports

routers = [reports.router, mentorships.router]
