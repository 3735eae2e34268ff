"""The API contract: response models per area, with the examples the OpenAPI document shows."""
