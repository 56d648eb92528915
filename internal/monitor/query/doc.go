// Package query parses monitoring topics' boolean queries and matches texts against many of them
// at once, saying which words matched where. It knows no database and no HTTP.
//
// # Query syntax
//
//	banjir jakarta            both words (words side by side mean AND)
//	banjir AND jakarta        the same; DAN is the same as AND
//	banjir OR rob             either word; ATAU is the same as OR
//	banjir NOT bekasi         banjir, but not in a text that mentions bekasi; also BUKAN, or -bekasi
//	"banjir rob"              the words one right after the other (a phrase)
//	banjir NEAR/5 jakarta     both, at most 5 words apart in either order (NEAR/1 is side by side);
//	                          DEKAT/5 is the same. Each side is a word, a phrase or a wildcard.
//	bencan*                   any word starting with "bencan" (bencana, bencananya); at least 3
//	                          letters before the *, and not inside quotes
//	(banjir OR rob) jakarta   brackets group
//
// Operators are written in capitals, so "dan", "atau", "and", "or" and "not" in lower case are
// ordinary words to look for. NEAR binds tightest, then NOT, then AND, then OR:
// "a OR b c" is "a OR (b AND c)". A query that would match a text containing none of its words
// ("NOT x", "a OR NOT b") is refused, since it would match nearly every item.
//
// # Words
//
// Text and query are read the same way: words are runs of letters and digits in any script,
// folded to lower case without diacritics ("Café" is "cafe"), so "COVID-19" is the two-word
// phrase covid 19. A query word matches a text word when they have the same stem under the
// Indonesian stemmer (StemIndonesian: "banjir" matches "kebanjiran", "pembangunan" matches
// "dibangun") or under the light English stemmer (StemEnglish: "floods" matches "flooding").
// A wildcard compares the folded letters without stemming.
//
// # Matching many topics
//
// The words of all topics' queries are found in one pass over the text, then only the queries
// with a word found are evaluated: what an Aho-Corasick automaton does for literal strings, done
// on whole words, since a query word matches by stem, not by spelling. NewMatcher makes every
// distinct query word a term and indexes the terms by their two stems and by wildcard prefix.
// Matcher.Match reads the text word by word and looks each folded word up in a memory of the
// words it has met before, which gives the terms the word matches (most words match none): a word
// is stemmed and compared with the index the first time only. The memory is bounded: when full
// it starts afresh, taking over from the previous one the words still in use. Hits are built
// only for the queries that match. Query.Match evaluates one query alone, for previews, with the
// same answers. BenchmarkMatcher measures 200 topics of the kinds communications teams write
// against news items of about 1,500 characters.
//
// Parse errors are *Error values carrying a catalog key of Catalog and the position in the query;
// show them with locale.T(err.Key, err.Args()...).
package query

import (
	"embed"

	"warta.dev/warta/internal/platform/i18n"
)

//go:embed i18n/*.json
var catalogFiles embed.FS

// Catalog holds the query errors' words.
var Catalog = i18n.Catalog{Name: "monitor-query", FS: i18n.Dir(catalogFiles, "i18n")}
