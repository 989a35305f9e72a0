"""Building permits: constraints, compliance with the zone, and permit applications."""
