package teams

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// The Teams app manifest this package writes.
const (
	manifestVersion = "1.19"
	manifestSchema  = "https://developer.microsoft.com/en-us/json-schemas/teams/v" + manifestVersion + "/MicrosoftTeams.schema.json"
	accentColor     = "#0F6CBD"
	maxCommands     = 10
	// rscResource fills webApplicationInfo.resource, which resource-specific
	// consent requires to be present but does not use.
	rscResource = "https://RscPermission"
)

// Defaults of PackageOptions: the app's listing, not something the bot says.
const (
	defaultName        = "whichaccount"
	defaultDescription = "Is it a personal Microsoft account or a work or school account?"
	defaultFull        = "Ask whichaccount whether an email address is a personal Microsoft account or a work or school account, why Teams or Office asks you to pick between two accounts, and what to do next. It checks Microsoft's public sign-in service and never asks for passwords."
	defaultDeveloper   = "whichaccount"
	defaultWebsite     = "https://github.com/gosmarter/whichaccount"
	defaultPrivacy     = "https://github.com/gosmarter/whichaccount#privacy"
	defaultTerms       = "https://github.com/gosmarter/whichaccount#terms"
	defaultVersion     = "1.0.0"
)

// PackageOptions describe the app in its package. Empty fields take the
// defaults.
type PackageOptions struct {
	// Name is the app's short name (at most 30 characters).
	Name string
	// Description is the app's description (at most 80 characters); it is
	// both the short and the full description when set.
	Description string
	// Developer is the publisher's name.
	Developer string
	// WebsiteURL, PrivacyURL and TermsURL are https URLs.
	WebsiteURL, PrivacyURL, TermsURL string
	// Version is the package version, MAJOR.MINOR.PATCH.
	Version string
	// ChannelMessages asks for the resource-specific consent permission
	// ChannelMessage.Read.Group, which lets the bot read every message of
	// the channels of the teams it is added to: needed for triage channels.
	ChannelMessages bool
}

var (
	guidPattern    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	versionPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$`)
)

// The manifest, in the order Teams' own samples use.
type manifest struct {
	Schema             string              `json:"$schema"`
	ManifestVersion    string              `json:"manifestVersion"`
	Version            string              `json:"version"`
	ID                 string              `json:"id"`
	Developer          manifestDeveloper   `json:"developer"`
	Name               manifestText        `json:"name"`
	Description        manifestText        `json:"description"`
	Icons              manifestIcons       `json:"icons"`
	AccentColor        string              `json:"accentColor"`
	Bots               []manifestBot       `json:"bots"`
	ValidDomains       []string            `json:"validDomains"`
	WebApplicationInfo *webApplicationInfo `json:"webApplicationInfo,omitempty"`
	Authorization      *authorization      `json:"authorization,omitempty"`
}

type manifestDeveloper struct {
	Name          string `json:"name"`
	WebsiteURL    string `json:"websiteUrl"`
	PrivacyURL    string `json:"privacyUrl"`
	TermsOfUseURL string `json:"termsOfUseUrl"`
}

type manifestText struct {
	Short string `json:"short"`
	Full  string `json:"full"`
}

type manifestIcons struct {
	Color   string `json:"color"`
	Outline string `json:"outline"`
}

type manifestBot struct {
	BotID              string        `json:"botId"`
	Scopes             []string      `json:"scopes"`
	SupportsFiles      bool          `json:"supportsFiles"`
	IsNotificationOnly bool          `json:"isNotificationOnly"`
	CommandLists       []commandList `json:"commandLists,omitempty"`
}

type commandList struct {
	Scopes   []string  `json:"scopes"`
	Commands []command `json:"commands"`
}

type command struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

type webApplicationInfo struct {
	ID       string `json:"id"`
	Resource string `json:"resource"`
}

type authorization struct {
	Permissions struct {
		ResourceSpecific []rscPermission `json:"resourceSpecific"`
	} `json:"permissions"`
}

type rscPermission struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// WritePackage writes the sideloadable Teams app package for the bot with
// Microsoft app ID appID to w: a zip of manifest.json, color.png (192×192)
// and outline.png (32×32, white on transparent). The bot works in personal
// chats, teams and group chats; its command list is the help topic's
// suggestions from the helpdesk knowledge base.
func WritePackage(w io.Writer, appID string, opts PackageOptions) error {
	m, err := buildManifest(appID, opts)
	if err != nil {
		return err
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("teams: manifest: %w", err)
	}
	var colorPNG, outlinePNG bytes.Buffer
	if err := png.Encode(&colorPNG, colorIcon()); err != nil {
		return fmt.Errorf("teams: color icon: %w", err)
	}
	if err := png.Encode(&outlinePNG, outlineIcon()); err != nil {
		return fmt.Errorf("teams: outline icon: %w", err)
	}
	zw := zip.NewWriter(w)
	// A fixed time makes the same options give the same bytes.
	modified := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"manifest.json", append(mj, '\n')},
		{"color.png", colorPNG.Bytes()},
		{"outline.png", outlinePNG.Bytes()},
	} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return fmt.Errorf("teams: package: %w", err)
		}
		if _, err := fw.Write(f.data); err != nil {
			return fmt.Errorf("teams: package: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("teams: package: %w", err)
	}
	return nil
}

func buildManifest(appID string, o PackageOptions) (manifest, error) {
	def := func(s *string, d string) {
		if *s = strings.TrimSpace(*s); *s == "" {
			*s = d
		}
	}
	full := defaultFull
	if strings.TrimSpace(o.Description) != "" {
		full = strings.TrimSpace(o.Description)
	}
	def(&o.Name, defaultName)
	def(&o.Description, defaultDescription)
	def(&o.Developer, defaultDeveloper)
	def(&o.WebsiteURL, defaultWebsite)
	def(&o.PrivacyURL, defaultPrivacy)
	def(&o.TermsURL, defaultTerms)
	def(&o.Version, defaultVersion)

	var problems []error
	if !guidPattern.MatchString(appID) {
		problems = append(problems, fmt.Errorf("teams: app ID %q is not a GUID", appID))
	}
	if n := utf8.RuneCountInString(o.Name); n > 30 {
		problems = append(problems, fmt.Errorf("teams: name is %d characters, at most 30", n))
	}
	if n := utf8.RuneCountInString(o.Description); n > 80 {
		problems = append(problems, fmt.Errorf("teams: description is %d characters, at most 80", n))
	}
	if !versionPattern.MatchString(o.Version) {
		problems = append(problems, fmt.Errorf("teams: version %q is not MAJOR.MINOR.PATCH", o.Version))
	}
	for _, u := range []struct{ name, url string }{{"website", o.WebsiteURL}, {"privacy", o.PrivacyURL}, {"terms", o.TermsURL}} {
		if !strings.HasPrefix(u.url, "https://") || len(u.url) <= len("https://") || len(u.url) > 2048 {
			problems = append(problems, fmt.Errorf("teams: %s URL %q is not an https URL", u.name, u.url))
		}
	}
	if len(problems) > 0 {
		return manifest{}, errors.Join(problems...)
	}
	appID = strings.ToLower(appID)

	scopes := []string{"personal", "team", "groupChat"}
	cmds := commands()
	var lists []commandList
	if len(cmds) > 0 {
		for _, s := range scopes {
			lists = append(lists, commandList{Scopes: []string{s}, Commands: cmds})
		}
	}
	m := manifest{
		Schema:          manifestSchema,
		ManifestVersion: manifestVersion,
		Version:         o.Version,
		ID:              appID,
		Developer:       manifestDeveloper{Name: o.Developer, WebsiteURL: o.WebsiteURL, PrivacyURL: o.PrivacyURL, TermsOfUseURL: o.TermsURL},
		Name:            manifestText{Short: o.Name, Full: o.Name},
		Description:     manifestText{Short: o.Description, Full: full},
		Icons:           manifestIcons{Color: "color.png", Outline: "outline.png"},
		AccentColor:     accentColor,
		Bots:            []manifestBot{{BotID: appID, Scopes: scopes, CommandLists: lists}},
		ValidDomains:    []string{},
	}
	if o.ChannelMessages {
		m.WebApplicationInfo = &webApplicationInfo{ID: appID, Resource: rscResource}
		m.Authorization = &authorization{}
		m.Authorization.Permissions.ResourceSpecific = []rscPermission{{Name: "ChannelMessage.Read.Group", Type: "Application"}}
	}
	return m, nil
}

// commands is the bot's command list: the assistant's starter questions,
// whose labels Teams offers in the compose box (titles of at most 32
// characters, descriptions of at most 128).
func commands() []command {
	var out []command
	for _, s := range helpdesk.Starters(helpdesk.BaseLang) {
		if s.Label == "" || utf8.RuneCountInString(s.Label) > 32 || utf8.RuneCountInString(s.Example) > 128 || len(out) == maxCommands {
			continue
		}
		out = append(out, command{Title: s.Label, Description: s.Example})
	}
	return out
}

// The icon: a ring and a disc that overlaps it, with a gap between them —
// two accounts behind one address. Sizes are fractions of the icon.
const (
	ringX, ringR, ringWidth = 0.38, 0.27, 0.075
	discX, discR, discGap   = 0.62, 0.22, 0.05
	glyphY                  = 0.5
)

// inGlyph reports whether the point (x, y) of the unit square is drawn.
func inGlyph(x, y float64) bool {
	dd := (x-discX)*(x-discX) + (y-glyphY)*(y-glyphY)
	if dd <= discR*discR {
		return true
	}
	if dd <= (discR+discGap)*(discR+discGap) {
		return false
	}
	dr := (x-ringX)*(x-ringX) + (y-glyphY)*(y-glyphY)
	inner := ringR - ringWidth
	return dr <= ringR*ringR && dr >= inner*inner
}

// coverage is how much of the pixel at (x, y) of a size×size image the glyph
// covers, from 0 to 1, sampled on a 4×4 grid; margin is the blank border,
// as a fraction of size.
func coverage(x, y, size int, margin float64) float64 {
	const n = 4
	hit := 0
	for sy := 0; sy < n; sy++ {
		for sx := 0; sx < n; sx++ {
			px := (float64(x) + (float64(sx)+0.5)/n) / float64(size)
			py := (float64(y) + (float64(sy)+0.5)/n) / float64(size)
			if inGlyph((px-margin)/(1-2*margin), (py-margin)/(1-2*margin)) {
				hit++
			}
		}
	}
	return float64(hit) / (n * n)
}

// colorIcon is the 192×192 full-colour icon: the glyph in white on the
// accent colour.
func colorIcon() image.Image {
	const size = 192
	bg := color.NRGBA{R: 0x0F, G: 0x6C, B: 0xBD, A: 0xFF}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			c := coverage(x, y, size, 0.1)
			img.SetNRGBA(x, y, color.NRGBA{
				R: blend(bg.R, 0xFF, c),
				G: blend(bg.G, 0xFF, c),
				B: blend(bg.B, 0xFF, c),
				A: 0xFF,
			})
		}
	}
	return img
}

// outlineIcon is the 32×32 outline icon: the glyph in white on transparent.
func outlineIcon() image.Image {
	const size = 32
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			if a := coverage(x, y, size, 0); a > 0 {
				img.SetNRGBA(x, y, color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: uint8(a*0xFF + 0.5)})
			}
		}
	}
	return img
}

func blend(from, to uint8, t float64) uint8 {
	return uint8(float64(from)*(1-t) + float64(to)*t + 0.5)
}
