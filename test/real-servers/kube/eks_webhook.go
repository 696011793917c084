package main

// The authentication webhook EKS puts in front of its clusters, reduced to what a test needs.
//
// An EKS token is "k8s-aws-v1." + base64url(a SigV4-presigned STS GetCallerIdentity URL) whose
// signature also covers the x-k8s-aws-id header (the cluster name). EKS forwards the URL to STS,
// learns the caller's IAM identity and maps it through the cluster's access entries to a Kubernetes
// user and groups. There is no STS here, so the harness plays both parts: it knows each test
// identity's secret key, verifies the presigned signature itself (with this cluster's name as
// x-k8s-aws-id, so a token minted for another cluster fails as it would on EKS), checks the URL's age
// the way aws-iam-authenticator does, and maps the access key id to the user and groups of the
// identity map passed on the command line.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const eksTokenPrefix = "k8s-aws-v1."

// eksIdentity is one access entry: an IAM identity (known here by its access key) and what it maps to.
type eksIdentity struct {
	SecretAccessKey string   `json:"secretAccessKey"`
	Username        string   `json:"username"`
	Groups          []string `json:"groups"`
}

type eksAuthenticator struct {
	clusterName string
	identities  map[string]eksIdentity // by access key id
	// maxAge is how long after signing a URL is accepted (aws-iam-authenticator: 15 minutes).
	// Zero accepts any age, for tests whose clock is fake.
	maxAge time.Duration
	now    func() time.Time
}

type tokenReview struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Spec       tokenReviewSpec   `json:"spec"`
	Status     tokenReviewStatus `json:"status"`
}

type tokenReviewSpec struct {
	Token string `json:"token"`
}

type tokenReviewStatus struct {
	Authenticated bool             `json:"authenticated"`
	User          *tokenReviewUser `json:"user,omitempty"`
	Error         string           `json:"error,omitempty"`
}

type tokenReviewUser struct {
	Username string   `json:"username"`
	UID      string   `json:"uid,omitempty"`
	Groups   []string `json:"groups,omitempty"`
}

func (a *eksAuthenticator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var review tokenReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
		http.Error(w, "not a TokenReview: "+err.Error(), http.StatusBadRequest)
		return
	}
	answer := tokenReview{APIVersion: review.APIVersion, Kind: review.Kind}
	if accessKeyID, identity, err := a.authenticate(review.Spec.Token); err != nil {
		// The reason goes back to the apiserver's log, never the token itself.
		answer.Status = tokenReviewStatus{Authenticated: false, Error: err.Error()}
	} else {
		answer.Status = tokenReviewStatus{
			Authenticated: true,
			User:          &tokenReviewUser{Username: identity.Username, UID: "aws-iam-authenticator:" + accessKeyID, Groups: identity.Groups},
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

func (a *eksAuthenticator) authenticate(token string) (string, eksIdentity, error) {
	if !strings.HasPrefix(token, eksTokenPrefix) {
		return "", eksIdentity{}, fmt.Errorf("not an EKS token (no %s prefix)", eksTokenPrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(strings.TrimPrefix(token, eksTokenPrefix), "="))
	if err != nil {
		return "", eksIdentity{}, fmt.Errorf("EKS token is not base64url: %w", err)
	}
	presigned, err := url.Parse(string(raw))
	if err != nil {
		return "", eksIdentity{}, fmt.Errorf("EKS token does not hold a URL: %w", err)
	}
	if presigned.Scheme != "https" || !strings.HasPrefix(presigned.Host, "sts.") || !strings.HasSuffix(presigned.Host, ".amazonaws.com") || (presigned.Path != "/" && presigned.Path != "") {
		return "", eksIdentity{}, fmt.Errorf("EKS token URL is not an STS endpoint")
	}
	query := presigned.Query()
	if query.Get("Action") != "GetCallerIdentity" {
		return "", eksIdentity{}, fmt.Errorf("EKS token URL does not call GetCallerIdentity")
	}
	signedHeaders := strings.Split(query.Get("X-Amz-SignedHeaders"), ";")
	if !containsString(signedHeaders, "x-k8s-aws-id") {
		return "", eksIdentity{}, fmt.Errorf("EKS token does not sign x-k8s-aws-id")
	}
	credential := strings.Split(query.Get("X-Amz-Credential"), "/")
	if len(credential) != 5 || credential[3] != "sts" || credential[4] != "aws4_request" {
		return "", eksIdentity{}, fmt.Errorf("EKS token has a malformed X-Amz-Credential")
	}
	accessKeyID := credential[0]
	identity, known := a.identities[accessKeyID]
	if !known {
		return "", eksIdentity{}, fmt.Errorf("access key %s has no access entry", accessKeyID)
	}
	signedAt, err := time.Parse("20060102T150405Z", query.Get("X-Amz-Date"))
	if err != nil {
		return "", eksIdentity{}, fmt.Errorf("EKS token has no valid X-Amz-Date")
	}
	if a.maxAge > 0 && a.now().Sub(signedAt) > a.maxAge {
		return "", eksIdentity{}, fmt.Errorf("EKS token expired (signed at %s)", signedAt.Format(time.RFC3339))
	}
	expected := presignedSignature(presigned.Host, query, signedHeaders, a.clusterName, identity.SecretAccessKey, credential)
	if !hmac.Equal([]byte(expected), []byte(query.Get("X-Amz-Signature"))) {
		return "", eksIdentity{}, fmt.Errorf("EKS token signature does not match (wrong secret, or a token for another cluster)")
	}
	return accessKeyID, identity, nil
}

// presignedSignature recomputes a SigV4 query-string signature for a bodiless GET of "/" whose
// signed headers are host and x-k8s-aws-id, as STS would on receiving the URL with the header set.
func presignedSignature(host string, query url.Values, signedHeaders []string, clusterName, secret string, credential []string) string {
	keys := make([]string, 0, len(query))
	for key := range query {
		if key != "X-Amz-Signature" {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, 0, len(keys))
	for _, key := range keys {
		pairs = append(pairs, awsURIEncode(key)+"="+awsURIEncode(query.Get(key)))
	}
	headerValues := map[string]string{"host": host, "x-k8s-aws-id": clusterName}
	var canonicalHeaders strings.Builder
	for _, name := range signedHeaders {
		canonicalHeaders.WriteString(name + ":" + headerValues[name] + "\n")
	}
	emptyBodyHash := sha256Hex("")
	canonicalRequest := strings.Join([]string{
		"GET", "/", strings.Join(pairs, "&"), canonicalHeaders.String(), strings.Join(signedHeaders, ";"), emptyBodyHash,
	}, "\n")
	scope := strings.Join(credential[1:], "/")
	stringToSign := strings.Join([]string{"AWS4-HMAC-SHA256", query.Get("X-Amz-Date"), scope, sha256Hex(canonicalRequest)}, "\n")
	key := []byte("AWS4" + secret)
	for _, part := range credential[1:] {
		key = hmacSHA256(key, part)
	}
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

// awsURIEncode escapes everything but the unreserved characters, as SigV4's canonical form requires.
func awsURIEncode(value string) string {
	var out strings.Builder
	for _, b := range []byte(value) {
		if (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_' || b == '.' || b == '~' {
			out.WriteByte(b)
		} else {
			fmt.Fprintf(&out, "%%%02X", b)
		}
	}
	return out.String()
}

func hmacSHA256(key []byte, data string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(data))
	return mac.Sum(nil)
}

func sha256Hex(data string) string {
	sum := sha256.Sum256([]byte(data))
	return hex.EncodeToString(sum[:])
}

func containsString(values []string, wanted string) bool {
	for _, value := range values {
		if value == wanted {
			return true
		}
	}
	return false
}
