"""`Contract.groups_version`, moved on by PostgreSQL's triggers whenever what the state of one of
the contract's groups is made of changes (workgroups.health.state_of; the columns that
evaluation.portfolio.selectors.GROUP_STATES and workgroups.health_sql read): the group itself,
its meetings, its pilots, or a pilot's standing in the directory (active, departure, erasure,
successor). Statement-level triggers with transition tables: one UPDATE of the contracts
concerned per statement, whatever wrote it (the services, the admin, a bulk update, a cascade,
raw SQL). Nothing on SQLite, where the groups' states are read afresh on every page."""

from django.db import migrations, models

# For each table: the column that leads to a contract, the columns the groups' states read
# (an UPDATE that changes none of them moves nothing: a meeting's invitations sent, its
# description), and the contracts of the keys ({keys}) of the changed rows.
TABLES = {
    "workgroups_workgroup": (
        "contract_id",
        ("contract_id", "kind", "status", "target_meetings_per_year"),
        "{keys}",
    ),
    "workgroups_meeting": (
        "group_id",
        ("group_id", "starts_at", "status", "present_count"),
        "SELECT contract_id FROM workgroups_workgroup WHERE id IN ({keys})",
    ),
    "workgroups_workgroup_pilots": (
        "workgroup_id",
        ("workgroup_id", "contact_id"),
        "SELECT contract_id FROM workgroups_workgroup WHERE id IN ({keys})",
    ),
}
# The contracts ({0}) locked in the order of their ids, then moved on: two statements that move
# several contracts on never wait for each other in opposite orders.
BUMP = """UPDATE actions_contract c SET groups_version = c.groups_version + 1
        FROM (SELECT id FROM actions_contract WHERE id IN ({0}) ORDER BY id FOR UPDATE) AS locked
        WHERE c.id = locked.id;"""


def changed(columns: tuple[str, ...]) -> str:
    """The old and new rows of an UPDATE that differ in `columns`, as o and n."""
    old = ", ".join(f"o.{column}" for column in columns)
    new = ", ".join(f"n.{column}" for column in columns)
    return f"old_rows o JOIN new_rows n ON n.id = o.id WHERE ({old}) IS DISTINCT FROM ({new})"


# A pilot's standing: only what `health_sql.PILOT_SEATS` reads of a contact.
STANDING = ("is_active", "left_at", "anonymized_at", "successor_id")
PILOTED = """SELECT g.contract_id FROM workgroups_workgroup g
        JOIN workgroups_workgroup_pilots p ON p.workgroup_id = g.id
        WHERE p.contact_id IN (SELECT o.id FROM {0})"""
CONTACT_FUNCTION = f"""
CREATE FUNCTION trame_groups_changed_partners_contact() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {BUMP.format(PILOTED.format(changed(STANDING)))}
    RETURN NULL;
END $$;
CREATE TRIGGER trame_groups_changed AFTER UPDATE ON partners_contact
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION trame_groups_changed_partners_contact();
"""


def table_function(table: str) -> str:
    key, columns, contracts = TABLES[table]
    updated = f"SELECT o.{key} FROM {changed(columns)} UNION SELECT n.{key} FROM {changed(columns)}"
    return f"""
CREATE FUNCTION trame_groups_changed_{table}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {BUMP.format(contracts.format(keys=f"SELECT {key} FROM new_rows"))}
    ELSIF TG_OP = 'DELETE' THEN
        {BUMP.format(contracts.format(keys=f"SELECT {key} FROM old_rows"))}
    ELSE
        {BUMP.format(contracts.format(keys=updated))}
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER trame_groups_inserted AFTER INSERT ON {table}
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION trame_groups_changed_{table}();
CREATE TRIGGER trame_groups_updated AFTER UPDATE ON {table}
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION trame_groups_changed_{table}();
CREATE TRIGGER trame_groups_deleted AFTER DELETE ON {table}
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION trame_groups_changed_{table}();
"""


def create_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(table_function(table))
    schema_editor.execute(CONTACT_FUNCTION)


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in [*TABLES, "partners_contact"]:
        # The function's triggers go with it.
        schema_editor.execute(f"DROP FUNCTION trame_groups_changed_{table}() CASCADE")


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0009_contract_indicators_version"),
        ("partners", "0004_link_contacts_to_accounts"),
        ("workgroups", "0010_meeting_group_latest"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="groups_version",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
