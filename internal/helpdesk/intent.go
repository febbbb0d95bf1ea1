package helpdesk

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The intent of a message is decided by weighted phrases: each phrase that
// occurs adds its weight to its intent, and the strongest intent wins. The
// phrases are general vocabulary of the topics, in English and the most
// common languages of our users; a word ending in * matches any word that
// starts with it. Misspelt words are corrected to the nearest vocabulary
// word first.
var phraseTable = map[Intent][]wp{
	Classify: {
		{"personal or work", 3}, {"work or personal", 3}, {"personal or business", 3}, {"business or personal", 3},
		{"personal or school", 3}, {"school or personal", 3}, {"work or school or personal", 3},
		{"personal or a work", 3}, {"personal or a school", 3}, {"work or a personal", 3},
		{"what kind of account", 3}, {"what type of account", 3}, {"which kind of account", 3}, {"which type of account", 3},
		{"what kind of microsoft account", 3}, {"kind of account", 2}, {"type of account", 2},
		{"is my account personal", 3}, {"is my account a work", 3}, {"is my account work", 3}, {"is my account", 2},
		{"am i using", 3}, {"which account am i", 3}, {"signed in with", 2}, {"logged in with", 2},
		{"is this a work", 2}, {"is this a personal", 2}, {"is it a work", 2}, {"is it a personal", 2}, {"is that a work", 2}, {"is that a personal", 2},
		{"is this personal", 2}, {"is it personal", 2}, {"is this work", 2},
		{"check", 1}, {"look up", 1}, {"lookup", 1}, {"verify", 1}, {"classify", 2}, {"personal only", 2}, {"always a work", 2},
		{"work account or", 2}, {"personal account or", 2}, {"managed by us", 2}, {"private one", 2}, {"entra account", 1},
		{"does * have", 0},
		// es, fr, de, nl, pt, it
		{"personal o de trabajo", 3}, {"cuenta personal o", 3}, {"personal o profesional", 3}, {"que tipo de cuenta", 3},
		{"personnel ou professionnel", 3}, {"professionnel ou personnel", 3}, {"compte personnel ou", 3}, {"quel type de compte", 3},
		{"privat oder", 3}, {"geschaftlich oder", 3}, {"privates oder", 3}, {"welche art von konto", 3}, {"geschaftskonto oder", 3},
		{"persoonlijk of", 3}, {"zakelijk of", 3}, {"prive of", 3}, {"wat voor account", 3},
		{"pessoal ou", 3}, {"conta pessoal ou", 3}, {"ou corporativa", 3}, {"que tipo de conta", 3},
		{"personale o", 3}, {"o di lavoro", 3}, {"account personale", 2}, {"che tipo di account", 3},
	},
	Difference: {
		{"difference", 3}, {"different", 2}, {"differ", 2}, {"what is a microsoft account", 3}, {"what's a microsoft account", 3},
		{"what is a work or school account", 3}, {"what is a work account", 3}, {"what is an msa", 3}, {"what is msa", 3},
		{"what does msa mean", 3}, {"same as", 2}, {"same thing", 2}, {"the same", 1}, {"entra id", 1}, {"azure ad", 1}, {"azure active directory", 1},
		{"aad", 1}, {"me-id", 1}, {"renamed", 2}, {"rename of", 2}, {"vs", 1}, {"versus", 1}, {"compared to", 2},
		{"exchange online", 2}, {"explain", 1}, {"what is entra", 3}, {"what's entra", 3}, {"windows live id", 2},
		{"microsoft account exactly", 2}, {"what is a microsoft", 2},
		{"diferencia", 3}, {"difference entre", 3}, {"unterschied", 3}, {"verschil", 3}, {"diferenca", 3}, {"differenza", 3},
		{"que es una cuenta", 3}, {"qu'est-ce qu'un compte", 3}, {"was ist ein", 2}, {"wat is een", 2}, {"o que e uma conta", 3}, {"cos'e un account", 3},
	},
	WhichToUse: {
		{"which account should", 3}, {"which account do i", 3}, {"which one should i use", 3}, {"which account for", 3},
		{"what account do i", 3}, {"what account should", 3}, {"which account to use", 3}, {"which account to", 2}, {"which email should", 3},
		{"should i sign in with", 3}, {"should i use my work", 3}, {"should i use my personal", 3}, {"sign in with work or personal", 3},
		{"licence", 2}, {"license", 2}, {"licensed", 2}, {"unlicensed", 3}, {"activate", 2}, {"activation", 2}, {"product key", 2},
		{"xbox", 2}, {"minecraft", 3}, {"power bi", 3}, {"azure portal", 2}, {"azure subscription", 2}, {"azure", 1},
		{"microsoft store", 2}, {"store", 1}, {"family", 1}, {"m365 family", 2}, {"microsoft 365 family", 2}, {"365 personal", 1},
		{"windows sign", 2}, {"sign in to windows", 2}, {"access work or school", 3}, {"outlook app", 2}, {"msdn", 2},
		{"visual studio", 2}, {"game pass", 1}, {"gamertag", 1}, {"for my home", 1}, {"on my own", 1}, {"my own pc", 1}, {"my own laptop", 1},
		{"que cuenta", 3}, {"quelle compte", 3}, {"quel compte", 3}, {"welches konto", 3}, {"welk account", 3}, {"qual conta", 3}, {"quale account", 3},
		{"que cuenta uso", 3}, {"utiliser pour", 2}, {"verwenden", 1}, {"gebruiken", 1}, {"usar para", 2}, {"usare per", 2},
	},
	PasswordReset: {
		{"password", 3}, {"passwd", 3}, {"pw", 2}, {"pwd", 3}, {"reset", 2}, {"forgot", 2}, {"forgotten", 2}, {"locked out", 3},
		{"lockout", 3}, {"locked", 2}, {"sspr", 3}, {"authenticator", 3}, {"mfa", 3}, {"2fa", 3}, {"two-step", 3}, {"two step", 3},
		{"two-factor", 3}, {"recovery", 2}, {"recover", 2}, {"verification code", 3}, {"security code", 2}, {"new phone", 2},
		{"lost my phone", 3}, {"passkey", 2}, {"can't sign in", 1}, {"cant sign in", 1}, {"cannot sign in", 1}, {"can't log in", 1},
		{"expired", 1}, {"get back in", 2}, {"get back into", 2},
		{"contrasena", 3}, {"clave", 2}, {"mot de passe", 3}, {"passwort", 3}, {"kennwort", 3}, {"wachtwoord", 3}, {"senha", 3},
		{"restablecer", 2}, {"reinitialiser", 2}, {"zurucksetzen", 2}, {"vergessen", 2}, {"vergeten", 2}, {"olvide", 2}, {"oublie", 2},
		{"esqueci", 2}, {"dimenticato", 2}, {"redefinir", 2}, {"reimpostare", 2}, {"bloqueado", 2}, {"bloque", 2}, {"gesperrt", 2},
	},
	AccountPickerConflict: {
		{"more than one account", 4}, {"used with more than one", 4}, {"two accounts", 2}, {"2 accounts", 2}, {"pick between", 3},
		{"choose between", 3}, {"choose which", 2}, {"which one do you want to use", 4}, {"pick an account", 3}, {"asks me to choose", 3},
		{"asks me to pick", 3}, {"asks which", 2}, {"keeps asking", 2}, {"every time i log in", 2}, {"every time i sign in", 2}, {"account picker", 4},
		{"picker", 3}, {"tile", 3}, {"tiles", 3}, {"created by your it department", 4}, {"created by you", 3},
		{"rename my personal", 4}, {"rename the personal", 4}, {"rename", 2}, {"alias", 2}, {"make primary", 3},
		{"work or school account or personal account", 4}, {"wrong account", 2}, {"wrong one", 2},
		{"mas de una cuenta", 4}, {"plus d'un compte", 4}, {"mehr als einem konto", 4}, {"meer dan een account", 4}, {"mais de uma conta", 4},
		{"piu di un account", 4}, {"plusieurs comptes", 4}, {"varias cuentas", 4}, {"mehreren konten", 4}, {"meerdere accounts", 4}, {"varias contas", 4}, {"piu account", 4}, {"deux comptes", 2}, {"zwei konten", 2}, {"dos cuentas", 2}, {"twee accounts", 2}, {"duas contas", 2},
	},
	TeamsFreeVsWork: {
		{"teams free", 4}, {"free teams", 4}, {"teams (free)", 4}, {"teams personal", 3}, {"personal teams", 3}, {"teams for work", 3},
		{"teams for home", 3}, {"teams home", 3}, {"teams essentials", 3}, {"teams classic", 2}, {"teams", 2}, {"skype", 3},
		{"60 minutes", 3}, {"60-minute", 3}, {"60 min", 3}, {"100 people", 3}, {"100 participants", 3}, {"meeting limit", 3}, {"time limit", 2},
		{"join a meeting", 2}, {"teams meeting", 2},
	},
	OneDrive: {
		{"onedrive", 4}, {"one drive", 4}, {"blue cloud", 4}, {"white cloud", 4}, {"onedrive for business", 4},
		{"sync folder", 2}, {"sync", 1}, {"my files", 1}, {"cloud icon", 3},
	},
	LeavingOrg: {
		{"leaving", 3}, {"leave the company", 4}, {"leave my job", 4}, {"leave the organisation", 4}, {"leave the organization", 4},
		{"left the company", 4}, {"quit", 2}, {"quitting", 3}, {"last day", 4}, {"resign", 3}, {"graduat*", 3}, {"alumni", 3},
		{"former employee", 3}, {"ex-employee", 3}, {"new job", 2}, {"offboard*", 3}, {"when i leave", 4}, {"after i leave", 4},
		{"retire", 2}, {"retiring", 3}, {"departing", 3}, {"fired", 2}, {"laid off", 3}, {"contract ends", 3}, {"leaver", 3},
		{"shut off", 1}, {"deactivated", 1},
		{"dejo la empresa", 4}, {"me voy de la empresa", 4}, {"deixo a empresa", 4}, {"saio da empresa", 4}, {"quitte l'entreprise", 4},
		{"quitter l'entreprise", 4}, {"je quitte", 3}, {"verlasse", 4}, {"verlassen", 3}, {"vertrek", 3}, {"ga weg", 3},
		{"lascio l'azienda", 4}, {"lasciando", 4}, {"sair da empresa", 4}, {"vou sair", 3}, {"end of contract", 4}, {"switching jobs", 4}, {"changing jobs", 4}, {"new employer", 3}, {"lasciare l'azienda", 4}, {"ultimo dia", 4}, {"dernier jour", 4}, {"letzter tag", 4}, {"laatste dag", 4},
	},
	GuestAccess: {
		{"guest", 4}, {"guests", 4}, {"b2b", 4}, {"invitation", 3}, {"invited", 3}, {"invite", 3}, {"aadsts50020", 5},
		{"external user", 3}, {"#ext#", 4}, {"redeem", 3}, {"another organisation", 2}, {"another organization", 2},
		{"other tenant", 2}, {"another tenant", 2}, {"does not exist in tenant", 4}, {"partner", 1}, {"external", 1},
		{"invitado", 4}, {"invite", 3}, {"gast", 4}, {"convidado", 4}, {"ospite", 4}, {"invitacion", 3}, {"einladung", 3}, {"uitnodiging", 3}, {"convite", 3}, {"invito", 3},
	},
	ConvertOrMerge: {
		{"merge", 4}, {"merging", 4}, {"convert", 4}, {"converting", 4}, {"combine", 3}, {"link my", 2}, {"link the", 1},
		{"transfer", 2}, {"move my", 2}, {"move their", 2}, {"move the data", 3}, {"move everything", 3}, {"migrate", 3}, {"migration", 2},
		{"consolidate", 3}, {"turn my personal", 3}, {"into a work account", 3}, {"into a personal account", 3}, {"into my work", 2},
		{"purchases", 2}, {"subscription", 1}, {"one account instead", 3}, {"single account", 2}, {"unify", 3}, {"move across", 2},
		{"fusionar", 4}, {"unir", 2}, {"convertir", 4}, {"fusionner", 4}, {"zusammenfuhren", 4}, {"umwandeln", 4}, {"samenvoegen", 4},
		{"omzetten", 4}, {"mesclar", 4}, {"converter", 4}, {"unire", 4}, {"convertire", 4}, {"unificar", 4},
	},
	Greeting: {
		{"hi", 2}, {"hello", 2}, {"hey", 2}, {"hiya", 2}, {"yo", 1}, {"good morning", 2}, {"good afternoon", 2}, {"good evening", 2},
		{"morning", 1}, {"thanks", 2}, {"thank you", 2}, {"thx", 2}, {"ty", 1}, {"cheers", 2}, {"bye", 2}, {"goodbye", 2}, {"ok", 1}, {"great", 1}, {"cool", 1},
		{"hola", 2}, {"buenos dias", 2}, {"gracias", 2}, {"bonjour", 2}, {"salut", 2}, {"merci", 2}, {"hallo", 2}, {"guten morgen", 2},
		{"danke", 2}, {"dank je", 2}, {"bedankt", 2}, {"goedemorgen", 2}, {"ola", 2}, {"bom dia", 2}, {"obrigado", 2}, {"obrigada", 2},
		{"ciao", 2}, {"buongiorno", 2}, {"grazie", 2},
	},
	Help: {
		{"help", 3}, {"what can you do", 4}, {"what do you do", 4}, {"how do i use you", 4}, {"how does this work", 3}, {"how to use", 2},
		{"commands", 3}, {"usage", 2}, {"who are you", 3}, {"what are you", 3}, {"menu", 2}, {"what can i ask", 4}, {"questions can i ask", 4},
		{"what kinds of questions", 4}, {"this bot", 3}, {"the bot", 2}, {"--help", 4}, {"example of how", 2}, {"what are you for", 4}, {"capabilities", 3}, {"features", 2},
		{"ayuda", 3}, {"aide", 3}, {"hilfe", 3}, {"ajuda", 3}, {"aiuto", 3}, {"que puedes hacer", 4}, {"que peux-tu faire", 4}, {"was kannst du", 4},
		{"wat kun je", 4}, {"o que voce faz", 4}, {"cosa puoi fare", 4},
	},
	OutOfScope: {
		{"printer", 4}, {"print", 1}, {"vpn", 4}, {"wifi", 4}, {"wi-fi", 4}, {"weather", 4}, {"joke", 4}, {"poem", 4}, {"song", 3},
		{"python", 3}, {"javascript", 3}, {"code", 1}, {"laptop screen", 3}, {"keyboard", 3}, {"mouse", 3}, {"monitor", 3}, {"headset", 3},
		{"ignore your instructions", 2}, {"ignore previous instructions", 2}, {"ignore all previous", 2}, {"system prompt", 4},
		{"you are now", 3}, {"pretend", 3}, {"jailbreak", 4}, {"list every user", 5}, {"list all users", 5}, {"every user at", 5},
		{"all users at", 5}, {"all employees", 4}, {"enumerate", 5}, {"dump", 3}, {"employee list", 5}, {"staff list", 5},
		{"google workspace", 4}, {"gmail settings", 4}, {"lunch", 4}, {"parking", 4}, {"coffee machine", 4}, {"stock price", 4},
		{"bitcoin", 4}, {"recipe", 4}, {"football", 4}, {"movie", 4}, {"translate", 3}, {"slack workspace", 2}, {"zoom", 3},
		{"jira", 4}, {"salesforce", 4}, {"sap", 3}, {"excel formula", 4}, {"vlookup", 4}, {"macro", 3}, {"impresora", 4}, {"imprimante", 4}, {"drucker", 4},
		{"sql", 2}, {"drop table", 3}, {"select * from", 3},
	},
}

// wp is a weighted phrase.
type wp struct {
	phrase string
	weight int
}

type phraseEntry struct {
	words  []string
	intent Intent
	weight int
}

// phraseIndex maps a phrase's first word to the phrases starting with it;
// prefixPhrases holds those whose first word is a prefix pattern.
var phraseIndex, prefixPhrases, vocabulary = buildIndex()

// vocabByLetter holds the vocabulary by first letter, for the corrector.
var vocabByLetter = func() map[byte][]string {
	m := map[byte][]string{}
	for w := range vocabulary {
		m[w[0]] = append(m[w[0]], w)
	}
	return m
}()

func buildIndex() (map[string][]phraseEntry, []phraseEntry, map[string]bool) {
	idx := map[string][]phraseEntry{}
	var prefix []phraseEntry
	vocab := map[string]bool{}
	for intent, list := range phraseTable {
		for _, p := range list {
			if p.weight == 0 {
				continue
			}
			words := tokens(fold(p.phrase))
			e := phraseEntry{words, intent, p.weight}
			for _, w := range words {
				if len(w) >= 5 && !strings.HasSuffix(w, "*") {
					vocab[w] = true
				}
			}
			if strings.HasSuffix(words[0], "*") {
				prefix = append(prefix, e)
				continue
			}
			idx[words[0]] = append(idx[words[0]], e)
		}
	}
	// Common words the corrector must not "fix" into vocabulary words.
	for _, w := range strings.Fields("personal account accounts school there their these where which would could should about after again other email address addresses domain using users") {
		vocab[w] = true
	}
	return idx, prefix, vocab
}

// fold lowercases s and removes accents, so "Contraseña" matches
// "contrasena".
func fold(s string) string {
	s = norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case '’', '‘', '`':
			r = '\''
		case 'ß':
			b.WriteString("ss")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tokens splits folded text into words, keeping the characters that belong
// inside words of our vocabulary (#ext#, wi-fi, 2fa, can't).
func tokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '-' || r == '#' || r == '*' || r == '(' || r == ')')
	})
}

// maxScored bounds the words read for intent in one message; maxCorrected
// bounds the words checked for misspellings.
const (
	maxScored    = 4000
	maxCorrected = 400
)

// scores returns the weight of evidence for each intent in words.
func scores(words []string) map[Intent]int {
	s := make(map[Intent]int, 4)
	if len(words) > maxScored {
		words = words[:maxScored]
	}
	for i, w := range words {
		w = strings.Trim(w, "()'")
		for _, e := range phraseIndex[w] {
			if matchAt(words, i, e.words) {
				s[e.intent] += e.weight
			}
		}
		for _, e := range prefixPhrases {
			if matchAt(words, i, e.words) {
				s[e.intent] += e.weight
			}
		}
	}
	return s
}

func matchAt(words []string, i int, pattern []string) bool {
	if i+len(pattern) > len(words) {
		return false
	}
	for k, p := range pattern {
		w := words[i+k]
		if k > 0 || !strings.HasSuffix(p, "*") {
			w = strings.Trim(w, "()'")
		}
		if strings.HasSuffix(p, "*") {
			if !strings.HasPrefix(w, p[:len(p)-1]) {
				return false
			}
			continue
		}
		if w != strings.Trim(p, "()'") {
			return false
		}
	}
	return true
}

// correct replaces misspelt words with the vocabulary word one edit away
// (two for long words) that starts with the same letter.
func correct(words []string) {
	n := min(len(words), maxCorrected)
	for i := 0; i < n; i++ {
		w := words[i]
		if len(w) < 5 || len(w) > 24 || vocabulary[w] || phraseIndex[w] != nil || !lettersOnly(w) {
			continue
		}
		limit := 1
		if len(w) >= 8 {
			limit = 2
		}
		for _, v := range vocabByLetter[w[0]] {
			if abs(len(v)-len(w)) > limit {
				continue
			}
			if editDistance(w, v, limit) <= limit {
				words[i] = v
				break
			}
		}
	}
}

func lettersOnly(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the optimal-string-alignment distance between a and b,
// giving up (returning limit+1) once it exceeds limit.
func editDistance(a, b string, limit int) int {
	if a == b {
		return 0
	}
	var rows [3][40]int
	if len(b) >= len(rows[0]) {
		return limit + 1
	}
	prev2, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// topicIntents are the intents that name a subject of their own.
var topicIntents = []Intent{AccountPickerConflict, PasswordReset, GuestAccess, LeavingOrg, ConvertOrMerge,
	OneDrive, TeamsFreeVsWork, WhichToUse, Difference, Help, OutOfScope}

// classifyIntent decides the intent of folded text that names n addresses or
// domains.
func classifyIntent(words []string, n int) Intent {
	s := scores(words)
	best, bestScore := Intent(""), 0
	for _, in := range topicIntents {
		if s[in] > bestScore {
			best, bestScore = in, s[in]
		}
	}
	cls := s[Classify]
	if n > 0 {
		cls += 3
	}
	switch {
	case bestScore >= 3 && bestScore > cls-1 && !(best == Help && n > 0):
		if best == OutOfScope && n > 0 && bestScore < 5 {
			return Classify
		}
		return best
	case cls >= 2 || n > 0:
		return Classify
	case bestScore > 0 && best != OutOfScope:
		return best
	case s[Greeting] > 0 && len(words) <= 8:
		return Greeting
	}
	return OutOfScope
}
