"""`careerstream chaos`: faults injected into a running stack under load (see `scenarios`)."""
