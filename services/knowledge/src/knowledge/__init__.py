"""The program library: exchanges its authors consented to share, redacted and searchable."""
