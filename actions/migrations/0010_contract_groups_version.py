"""`Contract.groups_version`, moved on by PostgreSQL's triggers whenever what the state of one of
the contract's groups is made of changes (workgroups.health.state_of): the group itself, its
meetings, its pilots, or a pilot's standing in the directory (active, departure, erasure,
successor). Statement-level triggers with transition tables: one UPDATE of the contracts
concerned per statement, whatever wrote it (the services, the admin, a bulk update, a cascade,
raw SQL). Nothing on SQLite, where the groups' states are read afresh on every page."""

from django.db import migrations, models

# The contracts of the changed rows ({rows}), for each table: how its rows lead to a contract.
CONTRACTS_OF = {
    "workgroups_workgroup": "SELECT contract_id FROM {rows}",
    "workgroups_meeting": (
        "SELECT g.contract_id FROM workgroups_workgroup g"
        " WHERE g.id IN (SELECT group_id FROM {rows})"
    ),
    "workgroups_workgroup_pilots": (
        "SELECT g.contract_id FROM workgroups_workgroup g"
        " WHERE g.id IN (SELECT workgroup_id FROM {rows})"
    ),
}
BUMP = "UPDATE actions_contract SET groups_version = groups_version + 1 WHERE id IN ({0});"

# A pilot's standing: only what `health_sql.PILOT_SEATS` reads of a contact.
STANDING = "is_active, left_at, anonymized_at, successor_id"
CONTACT_FUNCTION = f"""
CREATE FUNCTION trame_groups_changed_partners_contact() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {
    BUMP.format(f'''SELECT g.contract_id FROM workgroups_workgroup g
        JOIN workgroups_workgroup_pilots p ON p.workgroup_id = g.id
        JOIN old_rows o ON o.id = p.contact_id JOIN new_rows n ON n.id = o.id
        WHERE (o.{STANDING.replace(", ", ", o.")}) IS DISTINCT FROM
            (n.{STANDING.replace(", ", ", n.")})''')
}
    RETURN NULL;
END $$;
CREATE TRIGGER trame_groups_changed AFTER UPDATE ON partners_contact
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION trame_groups_changed_partners_contact();
"""


def table_function(table: str) -> str:
    contracts = CONTRACTS_OF[table]
    both = f"{contracts.format(rows='new_rows')} UNION {contracts.format(rows='old_rows')}"
    return f"""
CREATE FUNCTION trame_groups_changed_{table}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {BUMP.format(contracts.format(rows="new_rows"))}
    ELSIF TG_OP = 'DELETE' THEN
        {BUMP.format(contracts.format(rows="old_rows"))}
    ELSE
        {BUMP.format(both)}
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
    for table in CONTRACTS_OF:
        schema_editor.execute(table_function(table))
    schema_editor.execute(CONTACT_FUNCTION)


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in [*CONTRACTS_OF, "partners_contact"]:
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
