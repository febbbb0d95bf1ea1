package teams_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/bots/teams"
)

const testAppID = "2f4c8a3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"

func readPackage(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = data
	}
	return files
}

func TestWritePackage(t *testing.T) {
	var buf bytes.Buffer
	if err := teams.WritePackage(&buf, testAppID, teams.PackageOptions{}); err != nil {
		t.Fatalf("WritePackage: %v", err)
	}
	files := readPackage(t, buf.Bytes())
	if len(files) != 3 || files["manifest.json"] == nil || files["color.png"] == nil || files["outline.png"] == nil {
		t.Fatalf("package holds %d files, want manifest.json, color.png, outline.png at the root", len(files))
	}

	var m struct {
		Schema          string `json:"$schema"`
		ManifestVersion string `json:"manifestVersion"`
		Version         string `json:"version"`
		ID              string `json:"id"`
		Developer       map[string]string
		Name            struct{ Short, Full string }
		Description     struct{ Short, Full string }
		Icons           struct{ Color, Outline string }
		Bots            []struct {
			BotID        string   `json:"botId"`
			Scopes       []string `json:"scopes"`
			CommandLists []struct {
				Scopes   []string `json:"scopes"`
				Commands []struct{ Title, Description string }
			} `json:"commandLists"`
		}
		WebApplicationInfo *json.RawMessage `json:"webApplicationInfo"`
		Authorization      *json.RawMessage `json:"authorization"`
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if m.ManifestVersion != "1.19" || !strings.Contains(m.Schema, "v1.19/MicrosoftTeams.schema.json") || m.Version != "1.0.0" || m.ID != testAppID {
		t.Errorf("manifest head = %q %q %q %q", m.Schema, m.ManifestVersion, m.Version, m.ID)
	}
	for _, k := range []string{"name", "websiteUrl", "privacyUrl", "termsOfUseUrl"} {
		if v := m.Developer[k]; v == "" || (k != "name" && !strings.HasPrefix(v, "https://")) {
			t.Errorf("developer.%s = %q", k, v)
		}
	}
	if m.Name.Short == "" || len(m.Name.Short) > 30 || m.Description.Short == "" || len(m.Description.Short) > 80 || m.Description.Full == "" {
		t.Errorf("name %+v, description %+v", m.Name, m.Description)
	}
	if m.Icons.Color != "color.png" || m.Icons.Outline != "outline.png" {
		t.Errorf("icons = %+v", m.Icons)
	}
	if len(m.Bots) != 1 || m.Bots[0].BotID != testAppID || strings.Join(m.Bots[0].Scopes, ",") != "personal,team,groupChat" {
		t.Fatalf("bots = %+v", m.Bots)
	}
	if cl := m.Bots[0].CommandLists; len(cl) != 3 || len(cl[0].Commands) == 0 || len(cl[0].Commands) > 10 {
		t.Errorf("command lists = %+v", cl)
	} else {
		for _, c := range cl[0].Commands {
			if c.Title == "" || len(c.Title) > 32 || len(c.Description) > 128 {
				t.Errorf("command %+v breaks the limits", c)
			}
		}
	}
	if m.WebApplicationInfo != nil || m.Authorization != nil {
		t.Errorf("RSC permissions present without ChannelMessages")
	}

	checkIcon(t, files["color.png"], 192, false)
	checkIcon(t, files["outline.png"], 32, true)

	var again bytes.Buffer
	teams.WritePackage(&again, testAppID, teams.PackageOptions{})
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("two packages from the same options differ")
	}
}

func checkIcon(t *testing.T, b []byte, size int, outline bool) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("icon: %v", err)
	}
	if r := img.Bounds(); r.Dx() != size || r.Dy() != size {
		t.Fatalf("icon is %dx%d, want %dx%d", r.Dx(), r.Dy(), size, size)
	}
	var transparent, opaque int
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			r, g, b, a := img.At(x, y).RGBA()
			switch {
			case a == 0:
				transparent++
			case outline && (r != a || g != a || b != a):
				t.Fatalf("outline pixel (%d,%d) is not white: %d %d %d %d", x, y, r, g, b, a)
			default:
				opaque++
			}
		}
	}
	if outline && (transparent == 0 || opaque == 0) {
		t.Errorf("outline icon: %d transparent, %d drawn pixels; want both", transparent, opaque)
	}
	if !outline && transparent != 0 {
		t.Errorf("color icon has %d transparent pixels", transparent)
	}
}

func TestWritePackageChannelMessages(t *testing.T) {
	var buf bytes.Buffer
	opts := teams.PackageOptions{Name: "Account helper", Description: "Which Microsoft account is it?", Developer: "Contoso IT",
		WebsiteURL: "https://it.contoso.com", PrivacyURL: "https://it.contoso.com/privacy", TermsURL: "https://it.contoso.com/terms",
		Version: "2.3.4", ChannelMessages: true}
	if err := teams.WritePackage(&buf, strings.ToUpper(testAppID), opts); err != nil {
		t.Fatalf("WritePackage: %v", err)
	}
	var m struct {
		ID                 string `json:"id"`
		Version            string `json:"version"`
		Name               struct{ Short string }
		Developer          struct{ Name, WebsiteURL string }
		WebApplicationInfo struct{ ID, Resource string } `json:"webApplicationInfo"`
		Authorization      struct {
			Permissions struct {
				ResourceSpecific []struct{ Name, Type string } `json:"resourceSpecific"`
			} `json:"permissions"`
		} `json:"authorization"`
	}
	if err := json.Unmarshal(readPackage(t, buf.Bytes())["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != testAppID || m.Version != "2.3.4" || m.Name.Short != "Account helper" || m.Developer.Name != "Contoso IT" {
		t.Errorf("manifest = %+v", m)
	}
	if m.WebApplicationInfo.ID != testAppID || m.WebApplicationInfo.Resource == "" {
		t.Errorf("webApplicationInfo = %+v", m.WebApplicationInfo)
	}
	rs := m.Authorization.Permissions.ResourceSpecific
	if len(rs) != 1 || rs[0].Name != "ChannelMessage.Read.Group" || rs[0].Type != "Application" {
		t.Errorf("resourceSpecific = %+v", rs)
	}
}

func TestWritePackageRejects(t *testing.T) {
	tests := []struct {
		name  string
		appID string
		opts  teams.PackageOptions
		want  string
	}{
		{"app ID not a GUID", "my-bot", teams.PackageOptions{}, "GUID"},
		{"name too long", testAppID, teams.PackageOptions{Name: strings.Repeat("n", 31)}, "name"},
		{"description too long", testAppID, teams.PackageOptions{Description: strings.Repeat("d", 81)}, "description"},
		{"bad version", testAppID, teams.PackageOptions{Version: "v1"}, "version"},
		{"http website", testAppID, teams.PackageOptions{WebsiteURL: "http://contoso.com"}, "website"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := teams.WritePackage(&buf, tt.appID, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WritePackage = %v, want an error about %s", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}
