package directorytest

import (
	"errors"
	"strings"
	"unicode"
)

// filter is a parsed $filter: clauses joined by "or" of "and" groups.
type filter struct {
	any    []([]clause) // or of ands; empty matches everything
	lambda bool         // a clause uses any()
	ors    int
}

// clause is "prop eq 'v'", "prop eq true", or "coll/any(x:x eq 'v')".
type clause struct {
	prop   string
	value  string
	lambda bool
}

// parseFilter parses the subset of OData $filter the fake understands.
// An unsupported construct returns an error naming the property (or the
// text) at fault.
func parseFilter(s string) (filter, error) {
	var f filter
	s = strings.TrimSpace(s)
	if s == "" {
		return f, nil
	}
	toks, err := tokenize(s)
	if err != nil {
		return f, err
	}
	var group []clause
	for i := 0; i < len(toks); {
		c, n, err := parseClause(toks[i:])
		if err != nil {
			return f, err
		}
		group = append(group, c)
		f.lambda = f.lambda || c.lambda
		i += n
		if i == len(toks) {
			break
		}
		switch strings.ToLower(toks[i].text) {
		case "or":
			f.any = append(f.any, group)
			group = nil
			f.ors++
		case "and":
		default:
			return f, errors.New(toks[i].text)
		}
		i++
		if i == len(toks) {
			return f, errors.New("end of filter")
		}
	}
	f.any = append(f.any, group)
	return f, nil
}

// needsAdvanced reports whether Graph serves the filter only as an
// advanced query.
func (f filter) needsAdvanced() bool { return f.lambda && f.ors > 0 }

var (
	scalars     = map[string]string{"id": "id", "userprincipalname": "userPrincipalName", "mail": "mail", "usertype": "userType", "accountenabled": "accountEnabled", "displayname": "displayName"}
	collections = map[string]string{"othermails": "otherMails", "proxyaddresses": "proxyAddresses"}
)

func parseClause(t []token) (clause, int, error) {
	if len(t) == 0 || t[0].kind != word {
		return clause{}, 0, errors.New("clause")
	}
	name := strings.ToLower(t[0].text)
	if coll, lambda := strings.CutSuffix(name, "/any"); lambda {
		// coll/any ( x : x eq 'v' )
		prop, ok := collections[coll]
		if !ok {
			return clause{}, 0, errors.New(coll)
		}
		if len(t) < 8 || t[1].text != "(" || t[2].kind != word || t[3].text != ":" || !strings.EqualFold(t[4].text, t[2].text) ||
			!strings.EqualFold(t[5].text, "eq") || t[6].kind != literal || t[7].text != ")" {
			return clause{}, 0, errors.New(prop)
		}
		return clause{prop: prop, value: t[6].text, lambda: true}, 8, nil
	}
	prop, ok := scalars[name]
	if !ok {
		return clause{}, 0, errors.New(t[0].text)
	}
	if len(t) < 3 || !strings.EqualFold(t[1].text, "eq") {
		return clause{}, 0, errors.New(prop)
	}
	switch {
	case t[2].kind == literal:
	case prop == "accountEnabled" && (t[2].text == "true" || t[2].text == "false"):
	default:
		return clause{}, 0, errors.New(prop)
	}
	return clause{prop: prop, value: t[2].text}, 3, nil
}

func (f filter) match(u User) bool {
	if len(f.any) == 0 {
		return true
	}
	for _, group := range f.any {
		all := true
		for _, c := range group {
			if !c.match(u) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func (c clause) match(u User) bool {
	eq := func(a string) bool { return strings.EqualFold(a, c.value) }
	switch c.prop {
	case "id":
		return eq(u.ID)
	case "userPrincipalName":
		return eq(u.UserPrincipalName)
	case "mail":
		return eq(u.Mail)
	case "userType":
		return eq(u.UserType)
	case "displayName":
		return eq(u.DisplayName)
	case "accountEnabled":
		return (c.value == "true") == !u.Disabled
	case "otherMails":
		for _, m := range u.OtherMails {
			if eq(m) {
				return true
			}
		}
	case "proxyAddresses":
		for _, p := range u.ProxyAddresses {
			if eq(p) {
				return true
			}
		}
	}
	return false
}

type tokenKind int

const (
	word tokenKind = iota
	literal
	punct
)

type token struct {
	kind tokenKind
	text string
}

func tokenize(s string) ([]token, error) {
	var out []token
	r := []rune(s)
	for i := 0; i < len(r); {
		switch c := r[i]; {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')' || c == ':':
			out = append(out, token{punct, string(c)})
			i++
		case c == '\'':
			var b strings.Builder
			i++
			for {
				if i >= len(r) {
					return nil, errors.New("unterminated string")
				}
				if r[i] == '\'' {
					if i+1 < len(r) && r[i+1] == '\'' {
						b.WriteRune('\'')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteRune(r[i])
				i++
			}
			out = append(out, token{literal, b.String()})
		case unicode.IsLetter(c) || unicode.IsDigit(c) || c == '/' || c == '_' || c == '.' || c == '-':
			j := i
			for j < len(r) && (unicode.IsLetter(r[j]) || unicode.IsDigit(r[j]) || r[j] == '/' || r[j] == '_' || r[j] == '.' || r[j] == '-') {
				j++
			}
			out = append(out, token{word, string(r[i:j])})
			i = j
		default:
			return nil, errors.New(string(c))
		}
	}
	return out, nil
}
