"""API Gateway Lab Kit."""
