-- Workshop roster planner (issue 4): series, their participating districts,
-- the current roster and the events it was published as. district_hq holds
-- the headquarters towns of the organisational districts with coordinates
-- (the 52 towns of the January 2022 roster); a district unit's HQ town is
-- its name without " Nagar"/" Gramin".
CREATE TABLE district_hq (
	town TEXT PRIMARY KEY,
	town_hi TEXT NOT NULL,
	lat DOUBLE PRECISION NOT NULL,
	lon DOUBLE PRECISION NOT NULL
);
--bun:split
INSERT INTO district_hq (town, town_hi, lat, lon) VALUES
	('Gwalior', 'ग्वालियर', 26.22, 78.18),
	('Bhind', 'भिण्ड', 26.56, 78.79),
	('Morena', 'मुरैना', 26.50, 78.00),
	('Datia', 'दतिया', 25.67, 78.46),
	('Sagar', 'सागर', 23.84, 78.74),
	('Damoh', 'दमोह', 23.83, 79.44),
	('Rewa', 'रीवा', 24.53, 81.30),
	('Satna', 'सतना', 24.58, 80.83),
	('Sidhi', 'सीधी', 24.40, 81.88),
	('Singrauli', 'सिंगरौली', 24.20, 82.67),
	('Shahdol', 'शहडोल', 23.30, 81.36),
	('Anuppur', 'अनूपपुर', 23.10, 81.69),
	('Umaria', 'उमरिया', 23.52, 80.84),
	('Narsinghpur', 'नरसिंहपुर', 22.95, 79.19),
	('Seoni', 'सिवनी', 22.09, 79.54),
	('Chhindwara', 'छिंदवाडा', 22.06, 78.94),
	('Balaghat', 'बालाघाट', 21.81, 80.18),
	('Hoshangabad', 'होशंगाबाद', 22.75, 77.72),
	('Harda', 'हरदा', 22.34, 77.09),
	('Betul', 'बैतूल', 21.90, 77.90),
	('Bhopal', 'भोपाल', 23.26, 77.41),
	('Vidisha', 'विदिशा', 23.52, 77.81),
	('Raisen', 'रायसेन', 23.33, 77.78),
	('Sehore', 'सीहोर', 23.20, 77.08),
	('Rajgarh', 'राजगढ़', 24.01, 76.73),
	('Mandsaur', 'मंदसौर', 24.07, 75.07),
	('Ratlam', 'रतलाम', 23.33, 75.04),
	('Neemuch', 'नीमच', 24.47, 74.87),
	('Khargone', 'खरगोन', 21.82, 75.61),
	('Khandwa', 'खण्डवा', 21.82, 76.35),
	('Burhanpur', 'बुरहानपुर', 21.31, 76.23),
	('Barwani', 'बड़वानी', 22.03, 74.90),
	('Chhatarpur', 'छतरपुर', 24.92, 79.58),
	('Panna', 'पन्ना', 24.72, 80.19),
	('Tikamgarh', 'टीकमगढ़', 24.74, 78.83),
	('Niwari', 'निवाड़ी', 25.24, 78.80),
	('Shivpuri', 'शिवपुरी', 25.42, 77.66),
	('Sheopur', 'श्योपुर', 25.67, 76.70),
	('Guna', 'गुना', 24.65, 77.31),
	('Ashoknagar', 'अशोकनगर', 24.58, 77.73),
	('Jabalpur', 'जबलपुर', 23.18, 79.95),
	('Katni', 'कटनी', 23.83, 80.39),
	('Mandla', 'मंडला', 22.60, 80.37),
	('Dindori', 'डिंडोरी', 22.94, 81.08),
	('Ujjain', 'उज्जैन', 23.18, 75.78),
	('Shajapur', 'शाजापुर', 23.43, 76.27),
	('Dewas', 'देवास', 22.97, 76.05),
	('Agar', 'आगर', 23.71, 76.02),
	('Dhar', 'धार', 22.60, 75.30),
	('Indore', 'इंदौर', 22.72, 75.86),
	('Jhabua', 'झाबुआ', 22.77, 74.59),
	('Alirajpur', 'अलीराजपुर', 22.30, 74.36);
--bun:split
CREATE TABLE workshop_series (
	id {{.ID}},
	unit_id BIGINT NOT NULL REFERENCES units(id),
	unit_path {{.PathText}} NOT NULL,
	title TEXT NOT NULL,
	title_hi TEXT NOT NULL DEFAULT '',
	spec TEXT NOT NULL,
	plan_result TEXT NOT NULL DEFAULT '',
	check_report TEXT NOT NULL DEFAULT '',
	roster_source TEXT NOT NULL DEFAULT '',
	published_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
--bun:split
CREATE TABLE workshop_districts (
	series_id BIGINT NOT NULL REFERENCES workshop_series(id) ON DELETE CASCADE,
	unit_id BIGINT NOT NULL REFERENCES units(id),
	unit_path {{.PathText}} NOT NULL,
	position INTEGER NOT NULL,
	hq TEXT NOT NULL,
	lat DOUBLE PRECISION NOT NULL,
	lon DOUBLE PRECISION NOT NULL,
	attendees INTEGER NOT NULL,
	host TEXT NOT NULL DEFAULT '',
	date TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (series_id, unit_id)
);
--bun:split
CREATE INDEX workshop_districts_path_idx ON workshop_districts (unit_path);
--bun:split
CREATE TABLE workshop_events (
	series_id BIGINT NOT NULL REFERENCES workshop_series(id) ON DELETE CASCADE,
	host TEXT NOT NULL,
	date TEXT NOT NULL,
	event_id BIGINT NOT NULL REFERENCES events(id),
	PRIMARY KEY (series_id, host, date)
);
