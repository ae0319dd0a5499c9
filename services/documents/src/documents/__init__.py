"""Documents and media shared with a mentorship, stored in object storage."""
