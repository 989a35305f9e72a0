"""The one window: services, applications (cases), their clocks, documents and decisions."""
