"""Fixtures for the real services (PostgreSQL, Redis, a Celery worker). Filled in separately."""
