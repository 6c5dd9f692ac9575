package web

import (
	"fmt"
	"net/http"
	"strings"

	tp "github.com/touchpoint-cx/touchpoint"
)

// catalogue holds every UI string in en, de and nl. A missing key shows the
// key itself, and TestCatalogueComplete fails, so gaps cannot ship silently.
var catalogue = map[string][3]string{ // en, de, nl
	"app.tagline":             {"Customer experience, one view", "Kundenerlebnis, eine Sicht", "Klantbeleving, één overzicht"},
	"nav.customers":           {"Customers", "Kunden", "Klanten"},
	"nav.surveys":             {"Surveys", "Umfragen", "Enquêtes"},
	"surveys.new":             {"New survey", "Neue Umfrage", "Nieuwe enquête"},
	"surveys.edit":            {"Edit survey", "Umfrage bearbeiten", "Enquête bewerken"},
	"surveys.none":            {"No surveys yet.", "Noch keine Umfragen.", "Nog geen enquêtes."},
	"surveys.saved":           {"Survey saved (version %d).", "Umfrage gespeichert (Version %d).", "Enquête opgeslagen (versie %d)."},
	"surveys.closeloop":       {"Close the loop: open a case for every detractor (NPS 0–6, CSAT and CES 1–2)", "Den Kreis schließen: für jeden Kritiker einen Fall eröffnen (NPS 0–6, CSAT und CES 1–2)", "De cirkel sluiten: voor elke criticaster een zaak openen (NPS 0–6, CSAT en CES 1–2)"},
	"surveys.aftercase":       {"Send to the customer when a case is resolved (the CSAT about the handling)", "An den Kunden senden, wenn ein Fall gelöst ist (CSAT zur Bearbeitung)", "Naar de klant sturen als een zaak is opgelost (CSAT over de afhandeling)"},
	"surveys.preview":         {"Preview", "Vorschau", "Voorbeeld"},
	"surveys.versionhelp":     {"Changing the questions or texts of an active survey creates a new version; earlier answers keep theirs.", "Änderungen an Fragen oder Texten einer aktiven Umfrage erzeugen eine neue Version; frühere Antworten behalten ihre.", "Wijzigingen in vragen of teksten van een actieve enquête maken een nieuwe versie; eerdere antwoorden houden de hunne."},
	"surveys.questionshelp":   {"Extra questions as JSON, e.g. [{\"id\":\"reason\",\"kind\":\"single\",\"options\":[\"price\",\"service\"]}]; kinds: single, multi, rating, text. Labels per language are set in the texts above; empty texts use the built-in wording shown greyed.", "Zusatzfragen als JSON, z. B. [{\"id\":\"reason\",\"kind\":\"single\",\"options\":[\"price\",\"service\"]}]; Arten: single, multi, rating, text.", "Extra vragen als JSON, bijv. [{\"id\":\"reason\",\"kind\":\"single\",\"options\":[\"price\",\"service\"]}]; soorten: single, multi, rating, text."},
	"col.status":              {"Status", "Status", "Status"},
	"col.version":             {"Version", "Version", "Versie"},
	"col.score":               {"Score", "Wert", "Score"},
	"col.ci":                  {"95 % interval", "95-%-Intervall", "95%-interval"},
	"col.n":                   {"n", "n", "n"},
	"col.month":               {"Month", "Monat", "Maand"},
	"col.distribution":        {"Distribution", "Verteilung", "Verdeling"},
	"col.language":            {"Language", "Sprache", "Taal"},
	"col.texts":               {"Texts", "Texte", "Teksten"},
	"col.question":            {"Question", "Frage", "Vraag"},
	"col.low":                 {"Low end label", "Beschriftung unten", "Label laag"},
	"col.high":                {"High end label", "Beschriftung oben", "Label hoog"},
	"col.commentprompt":       {"Comment prompt", "Kommentarfrage", "Vraag om toelichting"},
	"col.thanks":              {"Thank-you text", "Danketext", "Bedanktekst"},
	"col.title":               {"Title", "Titel", "Titel"},
	"col.questionlabels":      {"Extra question labels (JSON: id → {label, options})", "Beschriftungen der Zusatzfragen (JSON: id → {label, options})", "Labels van extra vragen (JSON: id → {label, options})"},
	"col.questions":           {"Extra questions", "Zusatzfragen", "Extra vragen"},
	"triggers.title":          {"Automatic invitations", "Automatische Einladungen", "Automatische uitnodigingen"},
	"triggers.help":           {"When the event arrives, the customer is invited by e-mail after the delay: at most once per event, and within the contact budget.", "Wenn das Ereignis eintrifft, wird der Kunde nach der Wartezeit per E-Mail eingeladen: höchstens einmal je Ereignis und im Rahmen des Kontaktbudgets.", "Als de gebeurtenis binnenkomt, wordt de klant na de wachttijd per e-mail uitgenodigd: hoogstens één keer per gebeurtenis en binnen het contactbudget."},
	"triggers.event":          {"Event", "Ereignis", "Gebeurtenis"},
	"triggers.delay":          {"Delay (minutes)", "Wartezeit (Minuten)", "Wachttijd (minuten)"},
	"triggers.any":            {"any", "alle", "alle"},
	"triggers.add":            {"Add trigger", "Auslöser hinzufügen", "Trigger toevoegen"},
	"triggers.added":          {"Trigger added.", "Auslöser hinzugefügt.", "Trigger toegevoegd."},
	"triggers.remove":         {"Remove", "Entfernen", "Verwijderen"},
	"comments.title":          {"Responses and comments", "Antworten und Kommentare", "Antwoorden en opmerkingen"},
	"comments.min":            {"Score from", "Wert von", "Score vanaf"},
	"comments.max":            {"to", "bis", "tot"},
	"comments.words":          {"Words", "Wörter", "Woorden"},
	"comments.only":           {"with comment only", "nur mit Kommentar", "alleen met opmerking"},
	"comments.comment":        {"Comment", "Kommentar", "Opmerking"},
	"comments.none":           {"No responses match.", "Keine passenden Antworten.", "Geen antwoorden gevonden."},
	"comments.more":           {"Older responses", "Ältere Antworten", "Oudere antwoorden"},
	"send.title":              {"Invite by e-mail", "Per E-Mail einladen", "Uitnodigen per e-mail"},
	"send.help":               {"Each address gets a personal link, sent in the customer's language at the configured rate, with one reminder. Nobody is invited more than once in 30 days, and never after opting out.", "Jede Adresse erhält einen persönlichen Link in der Sprache des Kunden, im eingestellten Tempo, mit einer Erinnerung. Niemand wird öfter als einmal in 30 Tagen eingeladen, und nie nach einer Abmeldung.", "Elk adres krijgt een persoonlijke link in de taal van de klant, in het ingestelde tempo, met één herinnering. Niemand wordt vaker dan eens per 30 dagen uitgenodigd, en nooit na afmelden."},
	"send.emails":             {"E-mail addresses (one per line)", "E-Mail-Adressen (eine pro Zeile)", "E-mailadressen (één per regel)"},
	"send.file":               {"or a CSV file", "oder eine CSV-Datei", "of een CSV-bestand"},
	"send.submit":             {"Send invitations", "Einladungen senden", "Uitnodigingen versturen"},
	"send.count":              {"Give 1 to 5000 e-mail addresses.", "Geben Sie 1 bis 5000 E-Mail-Adressen an.", "Geef 1 tot 5000 e-mailadressen op."},
	"send.done":               {"%d invitations queued, %d skipped.", "%d Einladungen eingeplant, %d übersprungen.", "%d uitnodigingen ingepland, %d overgeslagen."},
	"skip.contacted_recently": {"contacted in the last 30 days", "in den letzten 30 Tagen kontaktiert", "in de afgelopen 30 dagen benaderd"},
	"skip.opted_out":          {"opted out", "abgemeldet", "afgemeld"},
	"skip.no_email":           {"no e-mail address", "keine E-Mail-Adresse", "geen e-mailadres"},
	"skip.unknown_customer":   {"unknown customer", "unbekannter Kunde", "onbekende klant"},
	"results.toofew":          {"too few responses", "zu wenige Antworten", "te weinig reacties"},
	"results.responserate":    {"%d invited, %d responded (%.0f %%)", "%d eingeladen, %d geantwortet (%.0f %%)", "%d uitgenodigd, %d gereageerd (%.0f %%)"},
	"results.by":              {"By", "Nach", "Per"},
	"results.trend":           {"By month", "Nach Monat", "Per maand"},
	"results.up":              {"significantly higher than the month before", "signifikant höher als im Vormonat", "significant hoger dan de maand ervoor"},
	"results.down":            {"significantly lower than the month before", "signifikant niedriger als im Vormonat", "significant lager dan de maand ervoor"},
	"results.definition":      {"Definition", "Definition", "Definitie"},
	"nav.segments":            {"Segments", "Segmente", "Segmenten"},
	"segments.help":           {"A segment is a saved rule over traits and recent events; its members are computed when it is used, so they are always current.", "Ein Segment ist eine gespeicherte Regel über Merkmale und jüngste Ereignisse; die Mitglieder werden bei Gebrauch berechnet und sind daher immer aktuell.", "Een segment is een opgeslagen regel over kenmerken en recente gebeurtenissen; de leden worden bij gebruik berekend en zijn dus altijd actueel."},
	"segments.rules":          {"Rules", "Regeln", "Regels"},
	"segments.members":        {"Members now", "Mitglieder jetzt", "Leden nu"},
	"segments.none":           {"No segments yet.", "Noch keine Segmente.", "Nog geen segmenten."},
	"segments.new":            {"New segment", "Neues Segment", "Nieuw segment"},
	"segments.description":    {"Description", "Beschreibung", "Beschrijving"},
	"segments.conditions":     {"Conditions (all must hold)", "Bedingungen (alle müssen zutreffen)", "Voorwaarden (alle moeten gelden)"},
	"segments.condhelp":       {"JSON list. Trait: {\"kind\":\"trait\",\"key\":…,\"op\":\"eq|neq|contains|exists\",\"value\":…}. Event: {\"kind\":\"event\",\"event\":…,\"days\":90} (add \"op\":\"none\" for did not).", "JSON-Liste. Merkmal: {\"kind\":\"trait\",\"key\":…,\"op\":\"eq|neq|contains|exists\",\"value\":…}. Ereignis: {\"kind\":\"event\",\"event\":…,\"days\":90} (\"op\":\"none\" für nicht).", "JSON-lijst. Kenmerk: {\"kind\":\"trait\",\"key\":…,\"op\":\"eq|neq|contains|exists\",\"value\":…}. Gebeurtenis: {\"kind\":\"event\",\"event\":…,\"days\":90} (\"op\":\"none\" voor niet)."},
	"segments.saved":          {"Segment %q saved.", "Segment %q gespeichert.", "Segment %q opgeslagen."},
	"send.segment":            {"or a segment", "oder ein Segment", "of een segment"},
	"nav.cases":               {"Cases", "Fälle", "Zaken"},
	"cases.openstatuses":      {"Open (new, open, waiting)", "Offen (neu, offen, wartend)", "Open (nieuw, open, wachtend)"},
	"cases.priority":          {"Priority", "Priorität", "Prioriteit"},
	"cases.assignee":          {"Assignee", "Bearbeiter", "Behandelaar"},
	"cases.me":                {"Mine", "Meine", "Mijn"},
	"cases.unassigned":        {"Unassigned", "Nicht zugewiesen", "Niet toegewezen"},
	"cases.overdue":           {"overdue", "überfällig", "te laat"},
	"cases.triage":            {"triage", "Triage", "triage"},
	"cases.select":            {"Select", "Auswählen", "Selecteren"},
	"cases.subject":           {"Subject", "Betreff", "Onderwerp"},
	"cases.due":               {"Due", "Fällig", "Uiterlijk"},
	"cases.assignto":          {"Assign the selected cases to", "Ausgewählte Fälle zuweisen an", "Geselecteerde zaken toewijzen aan"},
	"cases.assign":            {"Assign", "Zuweisen", "Toewijzen"},
	"cases.assigned":          {"%d cases assigned.", "%d Fälle zugewiesen.", "%d zaken toegewezen."},
	"cases.new":               {"Record a case (phone, counter…)", "Fall erfassen (Telefon, Schalter…)", "Zaak vastleggen (telefoon, balie…)"},
	"cases.customeremail":     {"Customer's e-mail", "E-Mail des Kunden", "E-mail van de klant"},
	"cases.category":          {"Category", "Kategorie", "Categorie"},
	"cases.create":            {"Create case", "Fall anlegen", "Zaak aanmaken"},
	"cases.none":              {"No cases match.", "Keine passenden Fälle.", "Geen zaken gevonden."},
	"cases.firstdue":          {"First response", "Erste Antwort", "Eerste reactie"},
	"cases.resolvedue":        {"Resolution", "Lösung", "Oplossing"},
	"case.message":            {"Message", "Nachricht", "Bericht"},
	"case.reply":              {"Reply to customer", "Dem Kunden antworten", "Klant antwoorden"},
	"case.note":               {"Internal note", "Interne Notiz", "Interne notitie"},
	"case.takeit":             {"Take it", "Übernehmen", "Oppakken"},
	"case.saved.reply":        {"Reply sent to the customer.", "Antwort an den Kunden gesendet.", "Antwoord naar de klant verstuurd."},
	"case.saved.note":         {"Note saved.", "Notiz gespeichert.", "Notitie opgeslagen."},
	"case.moved":              {"Case is now: %s.", "Fall ist jetzt: %s.", "Zaak is nu: %s."},
	"status.new":              {"new", "neu", "nieuw"},
	"status.open":             {"open", "offen", "open"},
	"status.pending_customer": {"waiting for customer", "wartet auf Kunden", "wacht op klant"},
	"status.resolved":         {"resolved", "gelöst", "opgelost"},
	"status.closed":           {"closed", "geschlossen", "gesloten"},
	"move.open":               {"Open", "Öffnen", "Openen"},
	"move.pending_customer":   {"Wait for customer", "Auf Kunden warten", "Wachten op klant"},
	"move.resolved":           {"Resolve", "Lösen", "Oplossen"},
	"move.closed":             {"Close", "Schließen", "Sluiten"},
	"prio.low":                {"low", "niedrig", "laag"},
	"prio.normal":             {"normal", "normal", "normaal"},
	"prio.high":               {"high", "hoch", "hoog"},
	"prio.urgent":             {"urgent", "dringend", "urgent"},
	"ev.created":              {"opened", "eröffnet", "geopend"},
	"ev.status":               {"status", "Status", "status"},
	"ev.note":                 {"internal note", "interne Notiz", "interne notitie"},
	"ev.reply":                {"reply to customer", "Antwort an Kunden", "antwoord aan klant"},
	"ev.inbound":              {"customer wrote", "Kunde schrieb", "klant schreef"},
	"ev.assign":               {"assigned", "zugewiesen", "toegewezen"},
	"ev.priority":             {"priority", "Priorität", "prioriteit"},
	"ev.department":           {"routed", "weitergeleitet", "doorgestuurd"},
	"ev.sla":                  {"SLA", "SLA", "SLA"},
	"ev.mail_failed":          {"mail failed", "Mail fehlgeschlagen", "mail mislukt"},
	"nav.kpis":                {"KPIs", "KPIs", "KPI's"},
	"kpis.intro":              {"Every number in touchpoint is computed from these definitions, in code, in one place. Intervals are 95 %; a change is called significant when it exceeds 1.96 times the standard error of the difference.", "Jede Zahl in touchpoint wird aus diesen Definitionen berechnet, im Code, an einer Stelle. Intervalle sind 95 %; eine Veränderung gilt als signifikant, wenn sie größer ist als das 1,96-Fache des Standardfehlers der Differenz.", "Elk getal in touchpoint wordt uit deze definities berekend, in de code, op één plek. Intervallen zijn 95 %; een verandering heet significant als ze groter is dan 1,96 maal de standaardfout van het verschil."},
	"kpis.survey":             {"Survey metrics", "Umfragekennzahlen", "Enquêtemaatstaven"},
	"kpis.case":               {"Complaint handling", "Beschwerdebearbeitung", "Klachtafhandeling"},
	"kpis.customer":           {"Customers", "Kunden", "Klanten"},
	"kpis.formula":            {"Formula", "Formel", "Formule"},
	"kpis.interval":           {"Interval", "Intervall", "Interval"},
	"kpis.scale":              {"Scale", "Skala", "Schaal"},
	"kpis.better":             {"Better when", "Besser, wenn", "Beter als"},
	"kpis.higher":             {"higher", "höher", "hoger"},
	"kpis.lower":              {"lower", "niedriger", "lager"},
	"nav.admin":               {"Administration", "Verwaltung", "Beheer"},
	"nav.logout":              {"Log out", "Abmelden", "Afmelden"},
	"nav.language":            {"Language", "Sprache", "Taal"},
	"nav.skip":                {"Skip to content", "Zum Inhalt springen", "Naar de inhoud"},
	"keys.queue":              {"Keyboard: j / k next / previous case, Enter opens, / first filter", "Tastatur: j / k nächster / vorheriger Fall, Enter öffnet, / erster Filter", "Toetsenbord: j / k volgende / vorige zaak, Enter opent, / eerste filter"},
	"case.template":           {"Reply template", "Antwortvorlage", "Antwoordsjabloon"},
	"case.usetemplate":        {"Use template", "Vorlage verwenden", "Sjabloon gebruiken"},
	"keys.case":               {"Keyboard: r writes a reply", "Tastatur: r schreibt eine Antwort", "Toetsenbord: r schrijft een antwoord"},
	"lang.auto":               {"Browser language", "Browsersprache", "Browsertaal"},
	"action.save":             {"Save", "Speichern", "Opslaan"},
	"login.title":             {"Log in", "Anmelden", "Inloggen"},
	"login.email":             {"E-mail", "E-Mail", "E-mail"},
	"login.password":          {"Password", "Passwort", "Wachtwoord"},
	"login.submit":            {"Log in", "Anmelden", "Inloggen"},
	"login.failed":            {"Wrong e-mail or password.", "E-Mail oder Passwort falsch.", "Onjuist e-mailadres of wachtwoord."},
	"customers.title":         {"Customers", "Kunden", "Klanten"},
	"customers.search":        {"Search by name, e-mail, phone or any trait", "Suche nach Name, E-Mail, Telefon oder Merkmal", "Zoek op naam, e-mail, telefoon of kenmerk"},
	"customers.submit":        {"Search", "Suchen", "Zoeken"},
	"customers.none":          {"No customer matches.", "Kein Kunde gefunden.", "Geen klant gevonden."},
	"customers.recent":        {"Recently active customers", "Zuletzt aktive Kunden", "Recent actieve klanten"},
	"customers.results":       {"%d customers found", "%d Kunden gefunden", "%d klanten gevonden"},
	"col.text":                {"Text", "Text", "Tekst"},
	"admin.templates":         {"Reply templates", "Antwortvorlagen", "Antwoordsjablonen"},
	"admin.templates.help":    {"Agents start replies from these; the case page offers the customer's language. Placeholders: {name}, {case}, {subject}, {agent}. Saving a known name and language replaces its text.", "Agenten beginnen Antworten mit diesen Vorlagen; die Fallseite zeigt die Sprache des Kunden. Platzhalter: {name}, {case}, {subject}, {agent}. Speichern unter bekanntem Namen und Sprache ersetzt den Text.", "Agenten beginnen antwoorden met deze sjablonen; de zaakpagina toont de taal van de klant. Plaatshouders: {name}, {case}, {subject}, {agent}. Opslaan onder een bekende naam en taal vervangt de tekst."},
	"admin.notemplates":       {"No reply templates yet.", "Noch keine Antwortvorlagen.", "Nog geen antwoordsjablonen."},
	"admin.template.save":     {"Save template", "Vorlage speichern", "Sjabloon opslaan"},
	"admin.template.saved":    {"Template %s saved.", "Vorlage %s gespeichert.", "Sjabloon %s opgeslagen."},
	"admin.template.delete":   {"Delete", "Löschen", "Verwijderen"},
	"admin.template.deleted":  {"Template deleted.", "Vorlage gelöscht.", "Sjabloon verwijderd."},
	"col.name":                {"Name", "Name", "Naam"},
	"col.email":               {"E-mail", "E-Mail", "E-mail"},
	"col.phone":               {"Phone", "Telefon", "Telefoon"},
	"col.country":             {"Country", "Land", "Land"},
	"col.lastseen":            {"Last seen", "Zuletzt aktiv", "Laatst actief"},
	"col.when":                {"When", "Wann", "Wanneer"},
	"col.what":                {"What", "Was", "Wat"},
	"col.channel":             {"Channel", "Kanal", "Kanaal"},
	"col.department":          {"Department", "Abteilung", "Afdeling"},
	"col.division":            {"Division", "Sparte", "Divisie"},
	"col.source":              {"Source", "Quelle", "Bron"},
	"col.details":             {"Details", "Details", "Details"},
	"col.key":                 {"Trait", "Merkmal", "Kenmerk"},
	"col.value":               {"Value", "Wert", "Waarde"},
	"col.type":                {"Type", "Typ", "Type"},
	"col.role":                {"Role", "Rolle", "Rol"},
	"col.created":             {"Created", "Erstellt", "Aangemaakt"},
	"col.lastused":            {"Last used", "Zuletzt benutzt", "Laatst gebruikt"},
	"col.writekey":            {"Write key", "Write-Key", "Write key"},
	"customer.unnamed":        {"Unnamed customer", "Unbenannter Kunde", "Naamloze klant"},
	"customer.traits":         {"Traits", "Merkmale", "Kenmerken"},
	"customer.identities":     {"Identities", "Identitäten", "Identiteiten"},
	"customer.merges":         {"Merges", "Zusammenführungen", "Samenvoegingen"},
	"customer.merged":         {"Customer %d was merged into this profile", "Kunde %d wurde in dieses Profil zusammengeführt", "Klant %d is samengevoegd met dit profiel"},
	"customer.undone":         {"undone", "rückgängig gemacht", "ongedaan gemaakt"},
	"customer.unmerge":        {"Undo merge", "Zusammenführung aufheben", "Samenvoeging ongedaan maken"},
	"customer.unmerged":       {"The merge was undone; customer %d is separate again.", "Die Zusammenführung wurde aufgehoben; Kunde %d ist wieder eigenständig.", "De samenvoeging is ongedaan gemaakt; klant %d staat weer apart."},
	"customer.since":          {"First seen %s", "Erstmals gesehen %s", "Eerst gezien %s"},
	"customer.lastseen":       {"last seen %s", "zuletzt aktiv %s", "laatst actief %s"},
	"customer.notraits":       {"No traits yet.", "Noch keine Merkmale.", "Nog geen kenmerken."},
	"timeline.title":          {"Timeline", "Zeitleiste", "Tijdlijn"},
	"timeline.all":            {"All", "Alle", "Alle"},
	"timeline.filter":         {"Filter", "Filtern", "Filteren"},
	"timeline.more":           {"Show older events", "Ältere Ereignisse zeigen", "Oudere gebeurtenissen tonen"},
	"timeline.empty":          {"No events match.", "Keine passenden Ereignisse.", "Geen gebeurtenissen gevonden."},
	"admin.sources":           {"Sources", "Quellen", "Bronnen"},
	"admin.sources.help":      {"A source is a system that sends events. Point a Segment or RudderStack SDK at this server with the source's write key.", "Eine Quelle ist ein System, das Ereignisse sendet. Richten Sie ein Segment- oder RudderStack-SDK mit dem Write-Key der Quelle auf diesen Server.", "Een bron is een systeem dat gebeurtenissen stuurt. Richt een Segment- of RudderStack-SDK met de write key van de bron op deze server."},
	"admin.source.create":     {"Create source", "Quelle anlegen", "Bron aanmaken"},
	"admin.source.created":    {"Source %q created. Its write key is shown in the table.", "Quelle %q angelegt. Ihr Write-Key steht in der Tabelle.", "Bron %q aangemaakt. De write key staat in de tabel."},
	"admin.tokens":            {"API tokens", "API-Tokens", "API-tokens"},
	"admin.tokens.help":       {"Tokens authenticate calls to /api/v1 as \"Authorization: Bearer <token>\".", "Tokens authentifizieren Aufrufe von /api/v1 als \"Authorization: Bearer <Token>\".", "Tokens authenticeren aanroepen van /api/v1 als \"Authorization: Bearer <token>\"."},
	"admin.token.create":      {"Create token", "Token anlegen", "Token aanmaken"},
	"admin.token.created":     {"Copy this token now; it is not shown again:", "Kopieren Sie dieses Token jetzt; es wird nicht erneut angezeigt:", "Kopieer dit token nu; het wordt niet opnieuw getoond:"},
	"admin.token.revoke":      {"Revoke", "Widerrufen", "Intrekken"},
	"admin.token.revoked":     {"The token was revoked.", "Das Token wurde widerrufen.", "Het token is ingetrokken."},
	"admin.notokens":          {"No tokens yet.", "Noch keine Tokens.", "Nog geen tokens."},
	"admin.nosources":         {"No sources yet.", "Noch keine Quellen.", "Nog geen bronnen."},
	"respond.title":           {"Survey", "Umfrage", "Enquête"},
	"respond.submit":          {"Send", "Absenden", "Versturen"},
	"respond.saved":           {"Your answer has been saved.", "Ihre Antwort wurde gespeichert.", "Uw antwoord is opgeslagen."},
	"respond.change":          {"Change my answer", "Antwort ändern", "Mijn antwoord wijzigen"},
	"respond.preview":         {"Preview: answers are not saved.", "Vorschau: Antworten werden nicht gespeichert.", "Voorbeeld: antwoorden worden niet opgeslagen."},
	"respond.unknown":         {"This survey link is not valid. Please use the link from your e-mail.", "Dieser Umfrage-Link ist ungültig. Bitte verwenden Sie den Link aus Ihrer E-Mail.", "Deze enquêtelink is niet geldig. Gebruik de link uit uw e-mail."},
	"respond.expired":         {"This survey link has expired. Thank you for your interest.", "Dieser Umfrage-Link ist abgelaufen. Vielen Dank für Ihr Interesse.", "Deze enquêtelink is verlopen. Bedankt voor uw interesse."},
	"respond.closed":          {"This survey is closed. Thank you for your interest.", "Diese Umfrage ist beendet. Vielen Dank für Ihr Interesse.", "Deze enquête is gesloten. Bedankt voor uw interesse."},
	"respond.failed":          {"Sorry, your answer could not be saved. Please try again later.", "Ihre Antwort konnte leider nicht gespeichert werden. Bitte versuchen Sie es später erneut.", "Uw antwoord kon helaas niet worden opgeslagen. Probeer het later opnieuw."},
	"respond.busy":            {"Too many requests. Please wait a minute and try again.", "Zu viele Anfragen. Bitte warten Sie eine Minute.", "Te veel verzoeken. Wacht een minuut en probeer het opnieuw."},
	"respond.badform":         {"The form could not be read.", "Das Formular konnte nicht gelesen werden.", "Het formulier kon niet worden gelezen."},
	"respond.badscore":        {"That score is not on the scale; please choose one below.", "Diese Bewertung liegt nicht auf der Skala; bitte wählen Sie unten.", "Die score ligt niet op de schaal; kies hieronder."},
	"respond.invalid":         {"Please check your answer.", "Bitte prüfen Sie Ihre Antwort.", "Controleer uw antwoord."},
	"respond.field.score":     {"score", "Bewertung", "score"},
	"respond.field.comment":   {"comment", "Kommentar", "opmerking"},
	"unsub.title":             {"Unsubscribe", "Abmelden", "Afmelden"},
	"unsub.ask":               {"Do you want to stop receiving survey invitations from us?", "Möchten Sie keine Umfrage-Einladungen mehr von uns erhalten?", "Wilt u geen enquête-uitnodigingen meer van ons ontvangen?"},
	"unsub.confirm":           {"Yes, unsubscribe me", "Ja, abmelden", "Ja, afmelden"},
	"unsub.done":              {"Done: you will not receive survey invitations from us any more.", "Erledigt: Sie erhalten keine Umfrage-Einladungen mehr von uns.", "Gelukt: u ontvangt geen enquête-uitnodigingen meer van ons."},
	"complaint.title":         {"Tell us what went wrong", "Sagen Sie uns, was schiefgelaufen ist", "Vertel ons wat er misging"},
	"complaint.intro":         {"We answer every complaint. You will hear from us by e-mail.", "Wir beantworten jede Beschwerde. Sie hören per E-Mail von uns.", "We beantwoorden elke klacht. U hoort per e-mail van ons."},
	"complaint.name":          {"Your name", "Ihr Name", "Uw naam"},
	"complaint.email":         {"Your e-mail address", "Ihre E-Mail-Adresse", "Uw e-mailadres"},
	"complaint.subject":       {"Subject", "Betreff", "Onderwerp"},
	"complaint.message":       {"What happened?", "Was ist passiert?", "Wat is er gebeurd?"},
	"complaint.send":          {"Send", "Absenden", "Versturen"},
	"complaint.thanks":        {"Thank you. Your complaint has number %d; we will answer by e-mail.", "Danke. Ihre Beschwerde hat die Nummer %d; wir antworten per E-Mail.", "Dank u. Uw klacht heeft nummer %d; we antwoorden per e-mail."},
	"complaint.invalid":       {"Please give a valid e-mail address, a subject and a message.", "Bitte geben Sie eine gültige E-Mail-Adresse, einen Betreff und eine Nachricht an.", "Geef een geldig e-mailadres, een onderwerp en een bericht op."},
	"error.title":             {"Something went wrong", "Etwas ist schiefgelaufen", "Er ging iets mis"},
	"error.notfound":          {"This page does not exist.", "Diese Seite existiert nicht.", "Deze pagina bestaat niet."},
	"error.forbidden":         {"Your role may not do this.", "Ihre Rolle darf das nicht.", "Uw rol mag dit niet."},
	"error.back":              {"Back to customers", "Zurück zu den Kunden", "Terug naar klanten"},
}

func langIndex(lang string) int {
	switch lang {
	case "de":
		return 1
	case "nl":
		return 2
	}
	return 0
}

// translate returns the catalogue text for key in lang, formatted with args.
func translate(lang, key string, args ...any) string {
	e, ok := catalogue[key]
	if !ok {
		return key
	}
	s := e[langIndex(lang)]
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

// negotiateLanguage picks the user's setting, then the best Accept-Language
// match among en, de and nl, then English.
func negotiateLanguage(r *http.Request, u *tp.User) string {
	if u != nil && u.Locale != "" {
		return u.Locale
	}
	best, bestQ := "en", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, l := range tp.Locales {
			if base == l && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}
