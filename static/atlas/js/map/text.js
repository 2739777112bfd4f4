/* The map page's texts. Messages come from Django's JavaScript catalogue (the jsi18n script the
   page loads before its modules), translated where every other text of the atlas is: German is
   the source, English the translation. What the server says about marks, symbols and reasons
   comes with the page's data, worded as on its pages. */
import { fill } from "../escape.js";

const { gettext } = window.django;
const page = JSON.parse(document.getElementById("atlas-config").textContent);
const locale = gettext("de-DE");
// Roll-up parts below this share of an area are left out: "1 %", "0,5 %".
const minPartShare = `${new Intl.NumberFormat(locale, { maximumFractionDigits: 6 }).format(page.minPartShare * 100)} %`;

export const text = {
  locale,
  suppressed: gettext("„.“ gesperrt (Geheimhaltung)"),
  missing: gettext("keine Angabe"),
  city: gettext("Stadt"),
  loading: gettext("Karte wird geladen …"),
  error: gettext("Die Daten konnten nicht geladen werden."),
  legend: gettext("Legende"),
  caption: gettext("{indicator} {year}, {unit}"),
  drawn: gettext("{n} Bezirke dargestellt"),
  overviewDrawn: gettext(
    "Übersicht: {n} {name} dargestellt. Zum Anzeigen der einzelnen Gebiete hineinzoomen.",
  ),
  overview: gettext(
    "Übersicht: Werte der {name}, zusammengefasst aus den einzelnen Gebieten. Hineinzoomen zeigt die Gebiete selbst.",
  ),
  outside: gettext("außerhalb des Stadtbezirks"),
  play: gettext("Abspielen"),
  pause: gettext("Anhalten"),
  partly: gettext("zum Teil im Stadtbezirk ({share} der Fläche)"),
  interval: gettext("95-%-Konfidenzintervall"),
  approximate: gettext(
    "angenähert: aus Teilen der statistischen Bezirke geschätzt, ohne Konfidenzintervall",
  ),
  approximateMark: gettext("≈ angenähert: aus Teilen der statistischen Bezirke geschätzt, ohne Konfidenzintervall"),
  reference: gettext("Bezugswert"),
  classNotes: {
    quantiles: gettext("{n} Quantile: je etwa gleich viele Gebiete, gleich wie eng die Werte beieinander liegen"),
    equal_interval: gettext("{n} gleich breite Klassen zwischen dem kleinsten und dem größten Wert"),
    natural_breaks: gettext("{n} Klassen nach natürlichen Brüchen: ähnliche Werte in einer Klasse"),
    std_mean: gettext("Klassen in Standardabweichungen um den Mittelwert"),
    manual: gettext("{n} Klassen mit eigenen Grenzen"),
  },
  marks: page.marks,
  symbols: page.symbols,
  reasons: page.reasons,
  ignoredSources: fill(gettext("Anteile unter {share} nicht berücksichtigt: {names}"), {
    share: minPartShare,
  }),
  found: gettext("{n} von {total} Indikatoren"),
  changeCaption: gettext("{indicator}: Veränderung {from}–{year}, {unit}"),
  rank: gettext("Rang {rank} von {n}"),
  tablePage: gettext("Zeilen {from}–{to} von {n}"),
  tableNone: gettext("Kein Gebiet passt (von {total})."),
  select: gettext("{name} auswählen"),
  selected: gettext("{n} ausgewählt"),
  tooMany: gettext("Höchstens 6 Gebiete lassen sich auswählen."),
  pickTwo: gettext("Wählen Sie in der Tabelle zwei bis sechs Gebiete aus."),
  areaNames: gettext("Gebietsnamen"),
  cityOutline: gettext("Stadtgrenze"),
  neighbours: gettext("Nachbargemeinden"),
  mapLayers: gettext("Kartenebenen"),
  pickOne: gettext("Wählen Sie in der Tabelle mindestens ein Gebiet aus."),
  chartLoading: gettext("Diagramm wird geladen …"),
  pickBezirk: gettext("Die {n} Gebiete von {name} ankreuzen"),
  pickBezirkTop: gettext("Die {n} Gebiete von {name} mit den höchsten Werten ankreuzen"),
  pickTop: gettext("Die {n} Gebiete mit den höchsten Werten ankreuzen"),
  pngSource: gettext("Quelle: {source}"),
  pngRelease: gettext("Datenstand: Veröffentlichung vom {date}"),
  pngMade: gettext("Erstellt am {date} mit dem {atlas}"),
  pngAreas: gettext("Gebiete: {names}"),
  year: gettext("Jahr"),
  area: gettext("Gebiet"),
  value: gettext("Wert"),
  indicator: gettext("Indikator"),
  rankLabel: gettext("Rang"),
  chartLabel: gettext("Die Werte stehen in der Tabelle unter dem Diagramm."),
  embedTitle: gettext("Demografie- und Sozialatlas: Karte"),
  openProfile: gettext("Profil öffnen"),
  closePopup: gettext("Anzeige schließen"),
  twoFingers: gettext("Zum Verschieben zwei Finger verwenden"),
  badBreaks: gettext("Bitte Zahlen eingeben, durch Semikolon getrennt, z. B. 10; 20,5; 30."),
  noCommon: gettext("Für {indicator} gibt es im Jahr {year} keine Werte."),
  charts: {
    series: gettext("Zeitreihe der ausgewählten Gebiete im Vergleich zur Stadt"),
    compare: gettext("Vergleich der ausgewählten Gebiete"),
    ranking: gettext("Rangfolge aller Gebiete"),
    scatter: gettext("Streudiagramm zweier Indikatoren"),
  },
  // A projected year (map/projection.js).
  projectionTitle: gettext("Vorausberechnung {year} (Szenario {scenario})"),
  projectionCaption: gettext("{indicator}: {projection}, Median, {unit}"),
  projectionInterval: gettext("80-%-Intervall der Vorausberechnung"),
  projectionRange: gettext("80 % der simulierten Verläufe"),
  projectionYears: gettext("Vorausberechnung"),
  median: gettext("Median"),
  small: gettext("weniger als 5.000 Einwohner/innen: grobe Vorausberechnung"),
  demo: gettext("Demodaten"),
  method: gettext("Wie die Vorausberechnung entsteht"),
  verdict: { better: gettext("besser"), worse: gettext("schlechter") },
  comparison: {
    above: gettext("signifikant höher als die Stadt"),
    below: gettext("signifikant niedriger als die Stadt"),
    not_different: gettext("nicht signifikant verschieden"),
  },
};
