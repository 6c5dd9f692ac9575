package demo

// Name lists per language. They are common given and family names, not real people.
var (
	firstNames = map[string][]string{
		"de": {"Lena", "Jonas", "Mia", "Leon", "Anna", "Lukas", "Emma", "Felix", "Hannah", "Paul", "Sophie", "Maximilian",
			"Laura", "Tim", "Julia", "Niklas", "Lea", "Jan", "Marie", "Moritz", "Katrin", "Jürgen", "Sabine", "Uwe"},
		"nl": {"Daan", "Emma", "Sem", "Julia", "Lucas", "Sophie", "Finn", "Tess", "Levi", "Zoë", "Milan", "Anna",
			"Jesse", "Eva", "Thijs", "Lotte", "Bram", "Sanne", "Ruben", "Fleur", "Henk", "Ingrid", "Joost", "Marieke"},
		"en": {"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Charlie", "Grace", "Thomas", "Lily",
			"James", "Emily", "William", "Sophie", "Henry", "Freya", "Alfie", "Ella", "Margaret", "David", "Susan", "Peter"},
	}
	lastNames = map[string][]string{
		"de": {"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
			"Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange"},
		"nl": {"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
			"de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "Willems", "Claes"},
		"en": {"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright", "Robinson",
			"Walker", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "O'Brien", "Murphy"},
	}
	cities = map[string][]string{
		"DE": {"Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Stuttgart", "Düsseldorf", "Leipzig", "Dortmund", "Bremen"},
		"NL": {"Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg", "Almere", "Breda", "Nijmegen"},
		"BE": {"Antwerpen", "Gent", "Brugge", "Leuven", "Mechelen", "Hasselt"},
		"GB": {"London", "Manchester", "Birmingham", "Leeds", "Bristol", "Edinburgh", "Glasgow", "Liverpool"},
	}
	mailDomains = map[string][]string{
		"de": {"gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.de"},
		"nl": {"gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.nl", "outlook.com"},
		"en": {"gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk", "icloud.com"},
	}
	companySuffix = map[string][]string{
		"de": {"GmbH", "AG", "KG", "GmbH & Co. KG"},
		"nl": {"B.V.", "N.V.", "Holding B.V."},
		"en": {"Ltd", "plc", "Group Ltd"},
	}
	companyStems = []string{"Nordlicht", "Rheinblick", "Polder", "Havenkant", "Alpen", "Kustlijn", "Brightwater", "Oakfield",
		"Meridian", "Zuiderzee", "Elbe", "Kestrel", "Lindenhof", "Tulp", "Westgate", "Ijsselstein"}
	products = []string{"Espresso machine", "Running shoes", "Winter jacket", "Headphones", "Coffee beans 1 kg", "Desk lamp",
		"Backpack", "Smart watch", "Office chair", "Bed linen set", "Kitchen knife", "Rain boots", "Laptop sleeve", "Wool scarf"}
	callReasons = []string{"delivery late", "wrong item", "invoice question", "refund status", "damaged parcel",
		"change address", "cancel order", "product advice", "login problem", "payment failed"}
)

// asciiFold makes names usable in e-mail addresses.
func asciiFold(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch r {
		case 'ä':
			out = append(out, 'a', 'e')
		case 'ö':
			out = append(out, 'o', 'e')
		case 'ü':
			out = append(out, 'u', 'e')
		case 'ß':
			out = append(out, 's', 's')
		case 'ë':
			out = append(out, 'e')
		case ' ', '\'':
		default:
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			out = append(out, r)
		}
	}
	return string(out)
}
