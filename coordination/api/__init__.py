"""The JSON API for partner systems (/api/v1), described by OpenAPI 3."""
