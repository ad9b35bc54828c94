"""Engine, sessions and the declarative base shared by every domain package."""

from backend.database.core import Base, SessionFactory, get_db, make_engine

__all__ = ["Base", "SessionFactory", "get_db", "make_engine"]
