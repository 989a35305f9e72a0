"""Datasets that GIS staff upload: versions of features with their attribute schema."""
