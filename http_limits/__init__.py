"""HTTP limits in front of the app: request body size and read deadline, a per-request
timeout (`middleware`), and a deadline and size for request headers (`protocol`)."""
