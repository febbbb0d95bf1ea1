package helpdesk

// Exported for the tests of package helpdesk_test: the matchers compared on
// the tuning corpus.

type BM25Params = bm25Params

var (
	NewBM25With = newBM25
	DefaultBM25 = defaultBM25
	QueryWords  = queryWords
	Confidence  = confidence
)
