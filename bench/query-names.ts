/**
 * Names for the query benchmark's generated patients and physicians: family names of several countries (Latin-1 only,
 * since the generated files say ISO_IR 100; names outside it are dropped), given names by sex, referring physicians.
 * The order matters: query-corpus.ts weights family names by rank.
 */
export const FAMILY: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Martin', 'Jackson',
  'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams',
  'Nelson', 'Hill', 'Campbell', 'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Parker', 'Collins', 'Edwards', 'Stewart',
  'Morris', 'Murphy', 'Cook', 'Rogers', 'Morgan', 'Cooper', 'Peterson', 'Reed', 'Bailey', 'Bell', 'Kelly', 'Howard', 'Ward', 'Cox', 'Richardson',
  'Wood', 'Watson', 'Brooks', 'Bennett', 'Gray', 'Hughes', 'Price', 'Sanders', 'Myers', 'Long', 'Ross', 'Foster', 'Powell', 'Jenkins', 'Perry',
  'Russell', 'Sullivan', 'Fisher', 'Henderson', 'Coleman', 'Simmons', 'Patterson', 'Jordan', 'Reynolds', 'Hamilton', 'Graham', 'Wallace',
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Schäfer', 'Koch', 'Bauer', 'Richter',
  'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun', 'Krüger', 'Hofmann', 'Hartmann', 'Lange', 'Schmitt', 'Werner',
  'Krause', 'Meier', 'Lehmann', 'Köhler', 'Jäger', 'Böhm', 'Günther', 'Groß', 'Vogel', 'Friedrich', 'Keller', 'Frank', 'Berger', 'Winkler',
  'García', 'Rodríguez', 'González', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Díaz', 'Hernández', 'Ruiz', 'Jiménez',
  'Moreno', 'Muñoz', 'Romero', 'Navarro', 'Torres', 'Domínguez', 'Vázquez', 'Ramos', 'Gil', 'Ramírez', 'Serrano', 'Blanco', 'Molina', 'Castro',
  'Ortega', 'Rubio', 'Núñez', 'Álvarez', 'Iglesias', 'Medina', 'Garrido', 'Cortés', 'Santos', 'Pereira', 'Oliveira', 'Costa', 'Carvalho',
  'Martins', 'Rocha', 'Almeida', 'Ribeiro', 'Gonçalves', 'Dubois', 'Durand', 'Lefèvre', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Leroy',
  'Roux', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Mercier', 'Boucher', 'Rossi', 'Russo',
  'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca', 'Mancini',
  'Giordano', 'Rizzo', 'Lombardi', 'Moretti', 'de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Visser', 'Smit', 'Meijer',
  'de Boer', 'Mulder', 'Bos', 'Vos', 'Peters', 'Hendriks', 'Dekker', 'Brouwer', 'Hansen', 'Nielsen', 'Jensen', 'Pedersen', 'Andersen',
  'Larsen', 'Sørensen', 'Rasmussen', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson',
  'Lindström', 'Åberg', 'Öztürk', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Nowak', 'Kowalski', 'Wiśniewski', 'Novák', 'Horváth', 'Nagy', 'Tóth',
].filter((n) => isLatin1(n));

export const GIVEN_F: readonly string[] = [
  'Anna', 'Maria', 'Emma', 'Sophie', 'Laura', 'Julia', 'Sarah', 'Lena', 'Lea', 'Hannah', 'Mary', 'Patricia', 'Jennifer', 'Linda', 'Elizabeth',
  'Barbara', 'Susan', 'Jessica', 'Karen', 'Nancy', 'Lisa', 'Margaret', 'Sandra', 'Ashley', 'Emily', 'Michelle', 'Carmen', 'Lucía', 'Isabel',
  'Ana', 'Josefa', 'Élodie', 'Chloé', 'Camille', 'Inès', 'Giulia', 'Francesca', 'Chiara', 'Sofia', 'Ingrid', 'Astrid', 'Björg', 'Zoë',
  'Renée', 'Agnès', 'Ursula', 'Käthe', 'Gisela', 'Monika',
];
export const GIVEN_M: readonly string[] = [
  'James', 'John', 'Robert', 'Michael', 'William', 'David', 'Richard', 'Joseph', 'Thomas', 'Charles', 'Daniel', 'Matthew', 'Anthony', 'Mark',
  'Paul', 'Steven', 'Andrew', 'Kenneth', 'Joshua', 'Kevin', 'Hans', 'Peter', 'Klaus', 'Wolfgang', 'Jürgen', 'Günter', 'Dieter', 'Jörg',
  'Uwe', 'Stefan', 'José', 'Antonio', 'Manuel', 'Francisco', 'Jesús', 'Javier', 'Ángel', 'Andrés', 'Raúl', 'João', 'Luís', 'François',
  'Jérôme', 'Frédéric', 'Hervé', 'Luca', 'Marco', 'Giuseppe', 'Niccolò', 'Lars', 'Søren', 'Björn', 'Erik', 'Nils', 'Mehmet', 'Emre',
];
export const PHYSICIANS: readonly string[] = ['Referrer^Rita', 'House^Gregory', 'Quinn^Michaela', 'Schweitzer^Albert', 'Curie^Marie', 'Oslo^Anders', 'Núñez^Pilar', 'Dupré^Hélène'];

function isLatin1(s: string): boolean {
  for (const ch of s) if (ch.codePointAt(0)! > 0xff) return false;
  return true;
}
