"""The scheduling API: one router per resource, in the order the docs list them."""

from scheduling.entrypoints.routes import availability, feeds, meetings

routers = [availability.router, meetings.router, feeds.router]
