// What the sample population's persons are made of, country by country: first and last
// names, streets, cities with their postal codes, e-mail domains, mobile ranges, and
// each country's dialling code and share of the pool. Data only, kept apart from
// tools/sample-population.c++ so that the generator reads as the steps it takes and
// the tables can grow without it.
//
// Every entry is drawn by index from a seeded stream, so changing, adding or reordering
// one changes every sample made from a seed. Names use ASCII and the Latin-1 letters
// (UTF-8 C3 80..C3 BF) only: the generator folds accents and case the way the
// identifier normaliser will, to keep identifiers unique, and knows no other letters.
#pragma once

#include <cstdint>
#include <span>

namespace entente::sample {

struct City {
  const char* name;
  int postalBase;  // first postal code (its leading digits for Portugal)
  int postalCount;
  int postalStep;
};

struct Country {
  const char* iso;
  const char* dialCode;
  uint32_t weight;  // share of the pool, in percent
  std::span<const char* const> firstNames;
  std::span<const char* const> lastNames;
  std::span<const char* const> streets;
  std::span<const char* const> domains;
  std::span<const City> cities;
  std::span<const char* const> mobilePrefixes;  // leading digits of the national number
};

inline constexpr const char* kFrFirst[] = {
    "Hélène", "François", "Élodie", "Jérôme", "Céline", "Benoît", "Amélie", "Loïc", "Chloé",
    "Théo", "Zoé", "Gaël", "Anaïs", "Noël", "Mathilde", "Camille", "Julien", "Sébastien",
    "Aurélie", "Clément", "Léa", "Maël", "Inès", "Stéphane", "Margaux", "Raphaël", "Océane",
    "Grégoire", "Véronique", "Thérèse", "Jean-Pierre", "Marie-Noëlle"};
inline constexpr const char* kFrLast[] = {
    "Dupont", "Lefèvre", "Bérenger", "Moreau", "Girard", "Fontaine", "Châtelain", "Lemaître",
    "Rousseau", "Mercier", "Le Goff", "Kerjean", "Duchêne", "Pelletier", "Lacroix", "Ménard",
    "Faure", "Rivière", "Leclerc", "Gauthier", "Chevalier", "Le Bihan", "Aubé", "Lévêque",
    "Prévost", "Hébert", "Bréhaut", "Crémieux", "Laîné", "Gaillard"};
inline constexpr const char* kFrStreets[] = {
    "rue des Lilas", "avenue Jean-Jaurès", "boulevard de la Plage", "rue du Général-de-Gaulle",
    "chemin des Pêcheurs", "quai de la Fosse", "place de l'Église", "impasse des Mûriers"};
inline constexpr const char* kFrDomains[] = {"orange.fr", "free.fr", "laposte.net", "gmail.com",
                                             "sfr.fr", "wanadoo.fr"};
inline constexpr City kFrCities[] = {
    {"Paris", 75001, 20, 1},   {"Lyon", 69001, 9, 1},     {"Marseille", 13001, 16, 1},
    {"Bordeaux", 33000, 3, 100}, {"Nantes", 44000, 4, 100}, {"Brest", 29200, 1, 1},
    {"La Rochelle", 17000, 1, 1}, {"Nice", 6000, 4, 100}, {"Saint-Malo", 35400, 1, 1},
    {"Annecy", 74000, 1, 1},   {"Besançon", 25000, 1, 1}, {"Hyères", 83400, 1, 1}};
// 06 and 07 mobile ranges that libphonenumber's metadata accepts (063 9x, 069 0-4, 070-072
// are not all allocated).
inline constexpr const char* kFrMobile[] = {"60", "61", "62", "64", "65", "66", "67", "68",
                                            "75", "76", "77", "78"};

inline constexpr const char* kEsFirst[] = {
    "José", "María", "Jesús", "Ángel", "Lucía", "Sofía", "Martín", "Raúl", "Begoña", "Íñigo",
    "Nuria", "Álvaro", "Inés", "Adrián", "Rocío", "Joaquín", "Montserrat", "Sergio", "Nerea",
    "Andrés", "Ramón", "Pilar", "Víctor", "Alba", "Óscar", "Belén", "Julián", "Concepción"};
inline constexpr const char* kEsLast[] = {
    "García", "Fernández", "Núñez", "Peña", "Muñoz", "Pérez", "Gómez", "Martínez", "Rodríguez",
    "López", "Sánchez", "Jiménez", "Ibáñez", "Ordóñez", "Castaño", "Echeverría", "Gutiérrez",
    "Domínguez", "Vázquez", "Álvarez", "Ruiz", "Serrano", "Navarro", "Cañizares", "Quiñones",
    "Zúñiga", "Ortega", "de la Fuente"};
inline constexpr const char* kEsStreets[] = {
    "Calle de Alcalá", "Avenida de la Constitución", "Calle Mayor", "Paseo de la Castellana",
    "Calle de Núñez de Balboa", "Rúa do Franco", "Carrer de Mallorca", "Calle Peña Prieta"};
inline constexpr const char* kEsDomains[] = {"gmail.com", "telefonica.es", "hotmail.es", "yahoo.es",
                                             "outlook.es"};
inline constexpr City kEsCities[] = {
    {"Madrid", 28001, 50, 1},   {"Barcelona", 8001, 40, 1}, {"Valencia", 46001, 20, 1},
    {"Sevilla", 41001, 20, 1},  {"Bilbao", 48001, 15, 1},   {"Málaga", 29001, 18, 1},
    {"A Coruña", 15001, 11, 1}, {"Palma", 7001, 15, 1},     {"Cádiz", 11001, 12, 1},
    {"Santander", 39001, 12, 1}};
inline constexpr const char* kEsMobile[] = {"60", "61", "62", "63", "64", "65", "66", "67",
                                            "68", "69"};

inline constexpr const char* kPtFirst[] = {
    "João", "Conceição", "Gonçalo", "Inês", "Sebastião", "Margarida", "António", "Beatriz",
    "Tomás", "Leonor", "Afonso", "Mariana", "Simão", "Catarina", "Luís", "Sónia", "Rúben",
    "Patrícia", "Tiago", "Lúcia", "Estêvão", "Joana", "Rodrigo", "Fábio", "Cláudia", "Vítor",
    "Duarte", "Assunção"};
inline constexpr const char* kPtLast[] = {
    "Conceição", "Gonçalves", "Magalhães", "Simões", "Guimarães", "Sequeira", "Brandão",
    "Araújo", "Antunes", "Falcão", "Leitão", "Gusmão", "Mourão", "Fernandes", "Rodrigues",
    "Loureiro", "Veríssimo", "Sampaio", "Figueiredo", "Calçada", "Cardoso", "Pimentel",
    "Albuquerque", "Baptista", "Quintão", "Amaral", "Monteiro", "Carvalho"};
inline constexpr const char* kPtStreets[] = {
    "Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Travessa do Carmo",
    "Rua da Conceição", "Largo do Chiado", "Rua Dom João V", "Avenida dos Aliados"};
inline constexpr const char* kPtDomains[] = {"sapo.pt", "gmail.com", "hotmail.com", "clix.pt",
                                             "netcabo.pt"};
inline constexpr City kPtCities[] = {
    {"Lisboa", 1000, 90, 10}, {"Porto", 4000, 40, 10},  {"Braga", 4700, 10, 10},
    {"Coimbra", 3000, 10, 10}, {"Faro", 8000, 5, 10},   {"Aveiro", 3800, 8, 10},
    {"Funchal", 9000, 6, 10}, {"Setúbal", 2900, 5, 10}, {"Guimarães", 4800, 8, 10}};
inline constexpr const char* kPtMobile[] = {"91", "92", "93", "96"};

inline constexpr const char* kFiFirst[] = {
    "Aino", "Eetu", "Päivi", "Väinö", "Jyrki", "Sanna", "Mikko", "Hannele", "Kaisa", "Jussi",
    "Satu", "Ilkka", "Tuula", "Outi", "Lauri", "Elina", "Heikki", "Riikka", "Sakari", "Mirja",
    "Kyösti", "Yrjö", "Tiina", "Pekka", "Tapio", "Sävel", "Leena", "Ahti"};
inline constexpr const char* kFiLast[] = {
    "Jääskeläinen", "Äijälä", "Hämäläinen", "Mäkinen", "Virtanen", "Korhonen", "Nieminen",
    "Mäkelä", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Salminen",
    "Heinonen", "Heikkilä", "Kinnunen", "Turunen", "Laitinen", "Tuominen", "Rantanen",
    "Karjalainen", "Väisänen", "Häkkinen", "Kärkkäinen", "Pöllänen", "Ylönen", "Öhman"};
inline constexpr const char* kFiStreets[] = {
    "Mannerheimintie", "Hämeenkatu", "Aleksanterinkatu", "Itäinen Pitkäkatu", "Kauppakatu",
    "Yliopistonkatu", "Läntinen Rantakatu", "Pyynikintie"};
inline constexpr const char* kFiDomains[] = {"elisa.fi", "gmail.com", "kolumbus.fi",
                                             "saunalahti.fi", "luukku.com"};
inline constexpr City kFiCities[] = {
    {"Helsinki", 100, 60, 10}, {"Espoo", 2100, 30, 10},  {"Tampere", 33100, 50, 10},
    {"Turku", 20100, 70, 10},  {"Oulu", 90100, 50, 10},  {"Jyväskylä", 40100, 70, 10},
    {"Vaasa", 65100, 30, 10},  {"Lahti", 15100, 60, 10}, {"Kuopio", 70100, 80, 10}};
inline constexpr const char* kFiMobile[] = {"40", "50"};

inline constexpr Country kCountries[] = {
    {"FR", "33", 35, kFrFirst, kFrLast, kFrStreets, kFrDomains, kFrCities, kFrMobile},
    {"ES", "34", 25, kEsFirst, kEsLast, kEsStreets, kEsDomains, kEsCities, kEsMobile},
    {"PT", "351", 20, kPtFirst, kPtLast, kPtStreets, kPtDomains, kPtCities, kPtMobile},
    {"FI", "358", 20, kFiFirst, kFiLast, kFiStreets, kFiDomains, kFiCities, kFiMobile},
};

}  // namespace entente::sample
