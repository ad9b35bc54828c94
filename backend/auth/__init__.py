"""Who is calling: password and token authentication, the service credential, and access rules."""
