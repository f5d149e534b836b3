"""`careerstream load`: a headless Locust run against a stack of its own (see `runner`)."""
