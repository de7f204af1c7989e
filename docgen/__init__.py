"""docgen: generate a typed Python client from Markdown API reference pages."""

__version__ = "0.1.0"
