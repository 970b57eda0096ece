"""create-user, create-token (accounts work fills these in)."""
