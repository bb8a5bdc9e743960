"""Procedure catalog: model, import, Vietnamese search, online service levels."""
