"""Exports of the linked IR to formats other tools read (`docgen export openapi`)."""
