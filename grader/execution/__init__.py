"""Running a notebook, nothing more: the client, kernels (sandboxed, warm), the worker pool."""
