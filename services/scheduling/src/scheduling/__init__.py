"""Mentor availability, booked meetings with video links and .ics invites."""
