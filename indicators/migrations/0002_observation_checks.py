from django.db import migrations

# Rules that depend on the indicator (a CHECK constraint cannot look at another table), enforced
# in the database so that no import path can store them.
CREATE = """
CREATE FUNCTION indicators_observation_check() RETURNS trigger AS $$
DECLARE
    ind RECORD;
BEGIN
    SELECT slug, kind, is_proportion INTO ind
    FROM indicators_indicator WHERE id = NEW.indicator_id;
    IF ind.is_proportion AND NEW.numerator IS NOT NULL THEN
        IF NEW.numerator < 0 THEN
            RAISE EXCEPTION 'observation_numerator_not_negative: % has numerator %',
                ind.slug, NEW.numerator USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.denominator IS NOT NULL AND NEW.numerator > NEW.denominator THEN
            RAISE EXCEPTION 'observation_numerator_within_denominator: % has % > %',
                ind.slug, NEW.numerator, NEW.denominator USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF ind.kind = 'count' AND NEW.value < 0 THEN
        RAISE EXCEPTION 'observation_count_not_negative: % has count %',
            ind.slug, NEW.value USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER indicators_observation_check
BEFORE INSERT OR UPDATE ON indicators_observation
FOR EACH ROW EXECUTE FUNCTION indicators_observation_check();
"""

DROP = """
DROP TRIGGER IF EXISTS indicators_observation_check ON indicators_observation;
DROP FUNCTION IF EXISTS indicators_observation_check();
"""


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunSQL(CREATE, DROP)]
