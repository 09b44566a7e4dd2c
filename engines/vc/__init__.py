"""Voice-changer engines: one module per backend; ``common`` holds the request and its checks."""
