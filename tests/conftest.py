"""Suite-wide test settings. PostgreSQL-backed tests read DATABASE_URL_PG (set by `make test`)."""
