"""Short codes that let a public reporter carry a draft into a new conversation (a later call, or SMS)."""
