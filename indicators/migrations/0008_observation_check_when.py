from django.db import migrations

# The check trigger of 0002 runs a query on the indicator for every row written, which makes up
# a fifth of the time of a large import. Only a negative value or numerator, or a numerator above
# its denominator, can break one of its rules, so the trigger fires for those rows only.
WHEN = """
DROP TRIGGER indicators_observation_check ON indicators_observation;
CREATE TRIGGER indicators_observation_check
BEFORE INSERT OR UPDATE ON indicators_observation
FOR EACH ROW
WHEN (NEW.value < 0 OR NEW.numerator < 0 OR NEW.numerator > NEW.denominator)
EXECUTE FUNCTION indicators_observation_check();
"""

ALWAYS = """
DROP TRIGGER indicators_observation_check ON indicators_observation;
CREATE TRIGGER indicators_observation_check
BEFORE INSERT OR UPDATE ON indicators_observation
FOR EACH ROW EXECUTE FUNCTION indicators_observation_check();
"""


class Migration(migrations.Migration):
    dependencies = [("indicators", "0007_indicator_facility_computation")]
    operations = [migrations.RunSQL(WHEN, ALWAYS)]
