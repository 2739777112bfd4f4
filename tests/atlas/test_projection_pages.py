"""The projection's public pages: its track record and its method, of the published run."""

import re

import pytest

from projections.models import ProjectionRun
from projections.selectors import published_run

pytestmark = pytest.mark.django_db
ACCURACY, METHOD = "/vorausberechnung/genauigkeit/", "/vorausberechnung/methode/"


def page(client, url: str, language: str = "de") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_demo_data_publish_a_calibrated_demo_run():
    run = published_run()
    assert run is not None and run.is_demo and run.calibrated


def test_the_track_record_shows_the_backtest_by_horizon_against_the_benchmarks(client):
    html = page(client, ACCURACY)
    table = html.split('id="nach-horizont"', 1)[1].split("</table>", 1)[0]
    assert "<caption" in table
    assert table.count('<th scope="col"') == 14
    rows = re.findall(r'<th scope="row">(\d+)</th>\s*<td class="num">(\d+)</td>', table)
    assert [h for h, _ in rows] == [str(h) for h in range(1, 11)]
    # How many base years reach each horizon: 2014–2019 to a register of 2024.
    assert [int(n) for _, n in rows] == [min(6, 10 - h + 1) for h in range(1, 11)]
    assert "Basisjahre" in table and 'id="wenige-basisjahre"' in html
    assert "MAPE konstante Bevölkerung" in table and "MAPE linearer Trend" in table
    assert "MAPE Kohortenmodell allein" in table
    # The page says that "Modell" is the published weighted average.
    assert "ohne diese Mittelung" in html


def test_the_method_page_shows_the_weights_of_what_is_published(client):
    run = published_run()
    html = page(client, METHOD)
    table = html.split('id="gewichte"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">(\d+)</th>', table)
    assert rows == sorted(run.backtest["weights"], key=int)
    assert "Was veröffentlicht wird" in html


def test_the_method_page_shows_the_factors_extrapolated_beyond_the_backtest(client):
    """The published run reaches further than two base years of its backtest check: those
    years' factors are listed, with the year they apply to, in German number format."""
    run = published_run()
    html = page(client, METHOD)
    table = html.split('id="fortgeschrieben"', 1)[1].split("</table>", 1)[0]
    horizons = [int(h) for h in re.findall(r'<th scope="row">(\d+)</th>', table)]
    assert horizons == list(range(10, run.horizon + 1))
    last = run.calibration["factors"][str(run.horizon)]["80"]
    assert f"<td>{run.base_year + run.horizon}</td>" in table
    assert f"{last:.2f}".replace(".", ",") in table
    assert "Extrapolated factors" in page(client, METHOD, "en")


def test_the_track_record_shows_the_published_run_s_figures(client):
    run = published_run()
    first = run.backtest["by_horizon"][0]
    html = page(client, ACCURACY)
    # German number format, two decimals: the model's MAPE one year ahead.
    assert f"{first['MAPE model']:.2f}".replace(".", ",") in html


def test_the_track_record_says_demo_data_validate_the_machinery_not_accuracy(client):
    assert "nicht, wie genau eine Vorausberechnung für Bottrop wirklich ist" in page(
        client, ACCURACY
    )
    assert "not how accurate a projection for Bottrop really is" in page(client, ACCURACY, "en")


def test_the_pages_say_fewer_simulations_only_for_a_run_of_fewer_than_1000(client):
    """The tests' demo run has 50; the demo as served 1,000 (atlas.demo)."""
    fewer = "statt mit 1.000"
    assert published_run().trajectories < 1000 and fewer in page(client, ACCURACY)
    assert "weniger Simulationen als eine echte" in page(client, METHOD)
    ProjectionRun.objects.filter(pk=published_run().pk).update(trajectories=1000)
    assert fewer not in page(client, ACCURACY)
    assert "weniger Simulationen" not in page(client, METHOD)


def test_the_pages_are_english_in_english(client):
    assert "<h1>How accurate we have been</h1>" in page(client, ACCURACY, "en")
    assert "<h1>Population projection: method</h1>" in page(client, METHOD, "en")
    assert "Jahre voraus" not in page(client, ACCURACY, "en")


def test_without_a_published_run_the_track_record_says_so(client):
    ProjectionRun.objects.update(status=ProjectionRun.Status.WITHDRAWN)
    assert "Es ist noch keine Vorausberechnung veröffentlicht." in page(client, ACCURACY)


def test_the_method_page_states_population_concept_base_period_assumptions_and_calibration(
    client,
):
    html = page(client, METHOD)
    for heading in ("Bevölkerungsbegriff", "Basiszeitraum", "Annahmen und ihre Quellen",
                    "Wie die Spannen entstehen", "Der Backtest", "Bedarf an Plätzen"):  # fmt: skip
        assert f"<h2>{heading}</h2>" in html
    assert "Sterbetafel NRW 2021/2023" in html
    assert published_run().inputs_digest[:16] in html


def test_the_method_page_says_that_migration_waves_reach_every_district_at_once(client):
    html = page(client, METHOD)
    assert "die ganze Stadt gemeinsam" in html
    assert "eine Standardabweichung von 6 % bei den Zuzügen und 3 % bei den Fortzügen" in html
    english = page(client, METHOD, "en")
    assert "a standard deviation of 6 % for moves in and 3 % for moves out" in english


def test_the_method_page_says_that_each_age_group_has_its_own_factors(client):
    assert "Die Faktoren gelten je Altersgruppe" in page(client, METHOD)
    assert "The factors apply per age group" in page(client, METHOD, "en")
