package teams

import (
	"context"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkVerifyToken measures validating one Bot Connector token with the
// signing keys already cached: parse, RS256 signature, claims, as for a
// token never seen before. Target: under 100 µs.
func BenchmarkVerifyToken(b *testing.B) {
	now := time.Now()
	v := cachedVerifier(func() time.Time { return now })
	tok := mint(b, now, jwt.SigningMethodRS256, fuzzKey(), nil, "k1")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.check(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyTokenParallel is the same on every CPU at once, which is
// what the key set's read lock sees under load.
func BenchmarkVerifyTokenParallel(b *testing.B) {
	now := time.Now()
	v := cachedVerifier(func() time.Time { return now })
	tok := mint(b, now, jwt.SigningMethodRS256, fuzzKey(), nil, "k1")
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.check(ctx, tok); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkVerifyTokenRemembered measures a token verified before, as the
// Bot Connector's are for the hour each lives: only its times are checked.
func BenchmarkVerifyTokenRemembered(b *testing.B) {
	now := time.Now()
	v := cachedVerifier(func() time.Time { return now })
	tok := mint(b, now, jwt.SigningMethodRS256, fuzzKey(), nil, "k1")
	ctx := context.Background()
	if _, err := v.verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
