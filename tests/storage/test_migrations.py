"""The migrations produce exactly the schema the models declare, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage import migrate
from storage.models import TABLES


def test_migrated_schema_equals_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_every_model_has_a_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert {model.__tablename__ for model in TABLES} <= tables


def test_upgrade_is_idempotent_and_at_head(engine):
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
