from indicators.read.values import PlausibilityWarning


def test_a_plausibility_warning_names_the_indicator_and_writes_german_numbers():
    warning = PlausibilityWarning(
        "kinderarmut", 2023, 20.30114, 20.08221, name="Kinderarmut (SGB-II-Quote)", decimals=2
    )
    assert str(warning) == (
        "Kinderarmut (SGB-II-Quote) 2023: städtischer Wert 20,30 weicht von der Summe der "
        "Bezirke (20,08) ab"
    )
    count = PlausibilityWarning("einwohner", 2024, 118705, 118698, name="Einwohner", decimals=1)
    assert "118.705,0" in str(count) and "118.698,0" in str(count)
