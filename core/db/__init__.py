"""The database backend of the portal: PostGIS, with health checks only after a pause
(core/db/base.py). Named by ENGINE in the settings."""
