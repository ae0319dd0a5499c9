"""Explainable mentor recommendations, mentorship requests and bulk matching rounds."""
