"""Sound-effect engines: one module per backend; ``common`` holds the request and its checks,
``lib/`` the offline library's catalogue, synthesis and mixing."""
