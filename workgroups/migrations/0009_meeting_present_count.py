# How many came to each meeting, kept on the meeting by the database: group health read it on
# every group page, the dashboard and the ARS table by counting the people present at every
# meeting (70,000 index entries at 1,000 territories, the page's floor). Triggers on the
# invitations keep it right whatever writes them (services, `.update()`, bulk_create, deletes by
# cascade, contact erasure or merge, the admin, raw SQL); a trigger on the meeting replaces any
# other write of it (a `save()` of a meeting read before attendance was recorded) by the count.
#
# PostgreSQL: statement-level triggers with transition tables (one UPDATE of the meetings per
# statement, not one per invitation: the bulk "mark present" and seed_scale's bulk_create).
# SQLite (`make run`, tests): row-level triggers, WHEN the row is or was present. TRUNCATE
# (PostgreSQL's flush, TransactionTestCase) fires none of them: it empties both tables.
#
# Beware on SQLite: a later migration that remakes workgroups_invitation or workgroups_meeting
# (most AlterField) drops their triggers; recreate them there (`create` below), which
# tests/workgroups/test_present_count.py would otherwise catch.

from django.db import migrations, models

PRESENT = "'present'"
COUNT = (
    "(SELECT COUNT(*) FROM workgroups_invitation i"
    f" WHERE i.meeting_id = {{id}} AND i.attendance = {PRESENT})"
)
BACKFILL = "UPDATE workgroups_meeting SET present_count = " + COUNT.format(
    id="workgroups_meeting.id"
)

POSTGRESQL = [
    f"""
CREATE FUNCTION workgroups_invitation_present_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE workgroups_meeting m SET present_count = m.present_count + d.n
        FROM (SELECT meeting_id, COUNT(*) AS n FROM new_rows
              WHERE attendance = {PRESENT} GROUP BY meeting_id) d
        WHERE m.id = d.meeting_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE workgroups_meeting m SET present_count = m.present_count - d.n
        FROM (SELECT meeting_id, COUNT(*) AS n FROM old_rows
              WHERE attendance = {PRESENT} GROUP BY meeting_id) d
        WHERE m.id = d.meeting_id;
    ELSE
        UPDATE workgroups_meeting m SET present_count = m.present_count + d.n
        FROM (SELECT meeting_id, SUM(n) AS n FROM (
                  SELECT meeting_id, 1 AS n FROM new_rows WHERE attendance = {PRESENT}
                  UNION ALL
                  SELECT meeting_id, -1 AS n FROM old_rows WHERE attendance = {PRESENT}
              ) c GROUP BY meeting_id HAVING SUM(n) <> 0) d
        WHERE m.id = d.meeting_id;
    END IF;
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER workgroups_invitation_present_insert AFTER INSERT ON workgroups_invitation
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION workgroups_invitation_present_count()""",
    """
CREATE TRIGGER workgroups_invitation_present_update AFTER UPDATE ON workgroups_invitation
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION workgroups_invitation_present_count()""",
    """
CREATE TRIGGER workgroups_invitation_present_delete AFTER DELETE ON workgroups_invitation
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION workgroups_invitation_present_count()""",
    # Any write of the column but the triggers' own (nested: depth 1) is replaced by the count;
    # a meeting inserted after its invitations (foreign keys are checked at commit: loaddata)
    # starts from them.
    f"""
CREATE FUNCTION workgroups_meeting_present_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.present_count IS NOT DISTINCT FROM OLD.present_count THEN
        RETURN NEW;
    END IF;
    NEW.present_count := {COUNT.format(id="NEW.id")};
    RETURN NEW;
END $$""",
    """
CREATE TRIGGER workgroups_meeting_present_count
BEFORE INSERT OR UPDATE OF present_count ON workgroups_meeting
FOR EACH ROW WHEN (pg_trigger_depth() < 1)
EXECUTE FUNCTION workgroups_meeting_present_count()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS workgroups_meeting_present_count ON workgroups_meeting",
    "DROP FUNCTION IF EXISTS workgroups_meeting_present_count()",
    "DROP TRIGGER IF EXISTS workgroups_invitation_present_insert ON workgroups_invitation",
    "DROP TRIGGER IF EXISTS workgroups_invitation_present_update ON workgroups_invitation",
    "DROP TRIGGER IF EXISTS workgroups_invitation_present_delete ON workgroups_invitation",
    "DROP FUNCTION IF EXISTS workgroups_invitation_present_count()",
]

_FIX = "UPDATE workgroups_meeting SET present_count = {count} WHERE id = NEW.id".format(
    count=COUNT.format(id="NEW.id")
)
SQLITE = [
    f"""
CREATE TRIGGER workgroups_invitation_present_insert AFTER INSERT ON workgroups_invitation
FOR EACH ROW WHEN NEW.attendance = {PRESENT}
BEGIN
    UPDATE workgroups_meeting SET present_count = present_count + 1 WHERE id = NEW.meeting_id;
END""",
    f"""
CREATE TRIGGER workgroups_invitation_present_delete AFTER DELETE ON workgroups_invitation
FOR EACH ROW WHEN OLD.attendance = {PRESENT}
BEGIN
    UPDATE workgroups_meeting SET present_count = present_count - 1 WHERE id = OLD.meeting_id;
END""",
    f"""
CREATE TRIGGER workgroups_invitation_present_update
AFTER UPDATE OF attendance, meeting_id ON workgroups_invitation
FOR EACH ROW WHEN (OLD.attendance = {PRESENT} OR NEW.attendance = {PRESENT})
    AND (OLD.attendance IS NOT NEW.attendance OR OLD.meeting_id IS NOT NEW.meeting_id)
BEGIN
    UPDATE workgroups_meeting SET present_count = present_count - 1
        WHERE id = OLD.meeting_id AND OLD.attendance = {PRESENT};
    UPDATE workgroups_meeting SET present_count = present_count + 1
        WHERE id = NEW.meeting_id AND NEW.attendance = {PRESENT};
END""",
    # SQLite has no trigger depth: any write of the column that disagrees with the count (the
    # triggers' own never do) is corrected after the fact; SQLite does not fire a trigger from
    # its own body (recursive_triggers off), and the WHEN stops it anyway.
    f"""
CREATE TRIGGER workgroups_meeting_present_count_insert AFTER INSERT ON workgroups_meeting
FOR EACH ROW WHEN NEW.present_count <> {COUNT.format(id="NEW.id")}
BEGIN
    {_FIX};
END""",
    f"""
CREATE TRIGGER workgroups_meeting_present_count_update
AFTER UPDATE OF present_count ON workgroups_meeting
FOR EACH ROW WHEN NEW.present_count <> {COUNT.format(id="NEW.id")}
BEGIN
    {_FIX};
END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS workgroups_meeting_present_count_update",
    "DROP TRIGGER IF EXISTS workgroups_meeting_present_count_insert",
    "DROP TRIGGER IF EXISTS workgroups_invitation_present_update",
    "DROP TRIGGER IF EXISTS workgroups_invitation_present_delete",
    "DROP TRIGGER IF EXISTS workgroups_invitation_present_insert",
]


def create(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"present_count triggers: {vendor}")
    schema_editor.execute(BACKFILL)
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def drop(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL_DROP if vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("workgroups", "0008_invitation_present_by_meeting"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="present_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="personnes présentes"
            ),
        ),
        migrations.RunPython(create, drop),
    ]
