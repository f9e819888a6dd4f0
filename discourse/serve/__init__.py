"""`discourse serve`: the review queue as a web application and an HTTP API for moderators."""
