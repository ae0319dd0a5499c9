"""Private messages and real-time chat between matched members."""
